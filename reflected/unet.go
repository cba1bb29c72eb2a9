package reflected

import (
	"fmt"
	"math/rand/v2"

	"github.com/sdeml/sdeml/nn"
)

// NewUNetScoreNet returns a ScoreNet whose network is the convolutional U-Net u (nn.UNet)
// for images of u.C channels and u.H × u.W pixels, D = C·H·W coordinates stored pixel by
// pixel with the channels innermost (for one channel, the usual row-major image). The
// time enters as TimeEmbedding{} (the single feature ¼ log t) on a constant input plane;
// the U-Net turns it into Fourier features and a learned embedding that modulates every
// block (nn.UNet). Parameters by nn.InitUNet from src with the output and every block's
// residual branch scaled by 1e-2. Train's recipe (Precond, EMA, warm-up) applies unchanged,
// except sparsity and Bound, which need an MLP; checkpoints, Resume and ScoreNet.Save work
// as for the other bodies. It returns nn.NewUNet's error
// for bad sizes, or an error for a nil src.
func NewUNetScoreNet(u nn.UNet, src rand.Source) (*ScoreNet, error) {
	if src == nil {
		return nil, fmt.Errorf("reflected: NewUNetScoreNet: src is nil, need a rand.Source (e.g. rand.NewPCG(seed, 0))")
	}
	g, err := nn.NewUNet(u)
	if err != nil {
		return nil, err
	}
	w := make([]float64, g.NumParams())
	nn.InitUNet(g, w, src, 1e-2)
	return &ScoreNet{UNet: g, W: w}, nil
}

// unetScratch is the U-Net part of a netScratch: its graph pass (float64, or float32 when
// f32) and the graph's input rows.
type unetScratch struct {
	pass unetPass
	f32  bool
	in   []float64
}

// bodies returns the number of networks set among Net, Res and UNet (1 when valid).
func (n *ScoreNet) bodies() int {
	k := 0
	for _, set := range []bool{n.Net != nil, n.Res != nil, n.UNet != nil} {
		if set {
			k++
		}
	}
	return k
}

// unetForward lays the rows of sc.in (D image inputs, then the time feature) out as the
// U-Net's C+1 input channels (the time feature as a constant plane) and runs the U-Net.
func (n *ScoreNet) unetForward(sc *netScratch, w []float64) {
	if n.Embed.Features() != 1 {
		panic("reflected: a U-Net ScoreNet needs Embed = TimeEmbedding{} (the U-Net embeds the time itself)")
	}
	if sc.up.f32 != n.Float32 { // Float32 changed since the scratch was made
		sc.up = n.newUNetScratch()
	}
	D, rows := n.Dim(), sc.rows
	C := n.UNet.In.C - 1
	P := D / C
	gin := n.UNet.InDim()
	up := sc.up
	up.in = grow(up.in, rows*gin)
	for r := range rows {
		src := sc.inBuf[r*(D+1) : (r+1)*(D+1)]
		dst := up.in[r*gin : (r+1)*gin]
		v := src[D]
		for p := range P {
			copy(dst[p*(C+1):p*(C+1)+C], src[p*C:(p+1)*C])
			dst[p*(C+1)+C] = v
		}
	}
	if sc.infer {
		up.pass.Infer(sc.outBuf[:rows*D], w, up.in[:rows*gin])
		return
	}
	up.pass.Forward(sc.outBuf[:rows*D], w, up.in[:rows*gin])
}
