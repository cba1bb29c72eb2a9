package reflected

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/mat"

	"github.com/sdeml/sdeml/nn"
)

// TimeEmbedding maps a time t > 0 to the Features() = 1 + 2·Freqs network inputs
//
//	e(t) = (¼ log t, sin(ω₁ log t), cos(ω₁ log t), …, sin(ω_F log t), cos(ω_F log t)),  ω_j = jπ/8,
//
// a sinusoidal embedding of log t whose slowest period (16 in log t) exceeds the range of
// log t used in training (log(2e-4) ≈ −8.5 to log 2 ≈ 0.7), so distinct times stay distinct.
type TimeEmbedding struct {
	// Freqs is the number F of sine/cosine pairs (0 gives log t alone).
	Freqs int
}

// Features returns the embedding width 1 + 2·Freqs.
func (e TimeEmbedding) Features() int { return 1 + 2*e.Freqs }

// Embed writes e(t) into dst (len Features()).
func (e TimeEmbedding) Embed(dst []float64, t float64) {
	if len(dst) != e.Features() {
		panic("reflected: TimeEmbedding.Embed: len(dst) != Features()")
	}
	lt := math.Log(t)
	dst[0] = lt / 4
	for j := 1; j <= e.Freqs; j++ {
		s, c := math.Sincos(float64(j) * math.Pi / 8 * lt)
		dst[2*j-1], dst[2*j] = s, c
	}
}

// ScoreNet is a (possibly sparse) ReLU network score model
//
//	s_θ(x, t) = f_θ(2x − 1, e(t)) / √t,
//
// with f_θ an nn.MLP from R^{D+Features} to R^D in the class Φ(L, W, S, B) (nn.MLP.Mask for
// sparsity) and e the TimeEmbedding. The 1/√t output scale matches the size of the true
// score near the data (‖∇log q_t‖ ~ 1/√t per coordinate; Fishman et al.'s "std trick"), so
// the network output stays O(1) at all t (docs/derivations/reflected.md §5).
//
// Score evaluates at the parameters W; the DSM objective evaluates at any w.
type ScoreNet struct {
	// Net is the MLP f_θ; Net.InDim() = D + Embed.Features(), Net.OutDim() = D. It is nil
	// when Res is the network.
	Net *nn.MLP
	// Res, if non-nil, is the network instead of Net: a residual MLP with adaptive
	// LayerNorm conditioned on the time embedding (NewResScoreNet); Res.In = Res.Out = D,
	// Res.Cond = Embed.Features().
	Res *nn.ResMLP
	// UNet, if non-nil, is the network instead of Net and Res: a convolutional U-Net on
	// images (NewUNetScoreNet, unet.go).
	UNet *nn.Graph
	// Float32 runs the U-Net in mixed precision (nn.GraphPass32: float32 values and
	// products, float64 parameters, statistics and gradients; unet32.go); false, the
	// default, is the bit-exact float64 pass. Only a U-Net body has a float32 path. A
	// compute option, not part of the model: set it again after loading a saved net.
	Float32 bool
	// Embed is the time embedding.
	Embed TimeEmbedding
	// W holds the parameters θ (len Net.NumParams()).
	W []float64
	// Pre, if non-nil, is the preconditioning s = skip + c_out·f_θ(c_in·(x − μ), e(t)) of
	// Precond; nil is the plain parametrisation s = f_θ(2x − 1, e(t))/√t above. Train sets it
	// (TrainSettings.Param) when it is nil.
	Pre *Precond

	pool  sync.Pool                  // *netScratch
	cache atomic.Pointer[netScratch] // one scratch kept across GCs (sync.Pool drops its items)
}

// netScratch is one goroutine's buffers for a batched forward/backward pass.
type netScratch struct {
	ws        *nn.Workspace
	rws       *nn.ResWorkspace
	up        *unetScratch
	in, out   *mat.Dense
	dOut      *mat.Dense
	rows      int
	inBuf     []float64
	outBuf    []float64
	dOutBuf   []float64
	rowScales []float64
	infer     bool // the next forward is an evaluation: no backward follows (Score)
	// DSM draws: noised inputs and scaled targets.
	target []float64
	pcg    *rand.PCG
	rnd    *rand.Rand
}

// NewScoreNet returns a dense ReLU ScoreNet for dimension D with the given hidden widths and
// embedding, its parameters drawn by He initialisation from src, except the last layer,
// which is scaled by 1e-2 so that the initial score is close to 0. It returns an error for
// D < 1, an empty or non-positive width, Freqs < 0, or a nil src (there is no default
// source: pass e.g. rand.NewPCG(seed, 0) so the initial network is reproducible).
func NewScoreNet(D int, hidden []int, embed TimeEmbedding, src rand.Source) (*ScoreNet, error) {
	if D < 1 {
		return nil, fmt.Errorf("reflected: NewScoreNet: D = %d, need ≥ 1", D)
	}
	if embed.Freqs < 0 {
		return nil, fmt.Errorf("reflected: TimeEmbedding.Freqs = %d, need ≥ 0", embed.Freqs)
	}
	if len(hidden) == 0 {
		return nil, fmt.Errorf("reflected: NewScoreNet: hidden widths are empty")
	}
	if src == nil {
		return nil, fmt.Errorf("reflected: NewScoreNet: src is nil, need a rand.Source (e.g. rand.NewPCG(seed, 0))")
	}
	sizes := append([]int{D + embed.Features()}, hidden...)
	sizes = append(sizes, D)
	m, err := nn.NewMLP(sizes, nn.ReLU, nn.Identity)
	if err != nil {
		return nil, err
	}
	w := make([]float64, m.NumParams())
	m.Init(w, nn.He, src)
	last, _ := m.Layer(w, m.NumLayers()-1)
	last.Scale(1e-2, last)
	return NewScoreNetFrom(m, embed, w)
}

// NewScoreNetFrom wraps an existing network and parameters (w is used, not copied). It
// returns an error if the widths do not fit an embedding of D = net.OutDim() inputs or
// len(w) != net.NumParams().
func NewScoreNetFrom(net *nn.MLP, embed TimeEmbedding, w []float64) (*ScoreNet, error) {
	if net == nil {
		return nil, fmt.Errorf("reflected: ScoreNet.Net is nil")
	}
	if err := net.Validate(); err != nil {
		return nil, err
	}
	if net.InDim() != net.OutDim()+embed.Features() {
		return nil, fmt.Errorf("reflected: ScoreNet.Net input width %d, want D + Features = %d + %d", net.InDim(), net.OutDim(), embed.Features())
	}
	if len(w) != net.NumParams() {
		return nil, fmt.Errorf("reflected: len(ScoreNet.W) = %d, want %d", len(w), net.NumParams())
	}
	return &ScoreNet{Net: net, Embed: embed, W: w}, nil
}

// centre maps a coordinate from [0,1] to the network's input range [−1, 1].
func centre(x float64) float64 { return 2*x - 1 }

// Dim returns D.
func (n *ScoreNet) Dim() int {
	if n.UNet != nil {
		return n.UNet.OutDim()
	}
	if n.Res != nil {
		return n.Res.Out
	}
	return n.Net.OutDim()
}

// inDim returns the network's input width D + Embed.Features().
func (n *ScoreNet) inDim() int {
	if n.UNet != nil {
		return n.UNet.OutDim() + n.Embed.Features()
	}
	if n.Res != nil {
		return n.Res.InDim()
	}
	return n.Net.InDim()
}

// NumParams returns the number of network parameters.
func (n *ScoreNet) NumParams() int {
	if n.UNet != nil {
		return n.UNet.NumParams()
	}
	if n.Res != nil {
		return n.Res.NumParams()
	}
	return n.Net.NumParams()
}

// forward runs the network at w on sc.in into sc.out.
func (n *ScoreNet) forward(sc *netScratch, w []float64) {
	if n.UNet != nil {
		n.unetForward(sc, w)
		return
	}
	if n.Res != nil {
		n.Res.Forward(sc.outBuf, w, sc.in.RawMatrix(), sc.rws)
		return
	}
	n.Net.Forward(sc.out, w, sc.in, sc.ws)
}

// backward writes the gradient of Σ sc.dOut ⊙ output into grad (after forward on sc).
func (n *ScoreNet) backward(grad, w []float64, sc *netScratch) {
	if n.UNet != nil {
		sc.up.pass.Backward(grad, w, sc.dOutBuf[:sc.rows*n.Dim()])
		return
	}
	if n.Res != nil {
		n.Res.Backward(grad, w, sc.dOutBuf, sc.rws)
		return
	}
	n.Net.Backward(grad, w, sc.dOut, sc.ws)
}

// mask returns the sparsity mask (nil for a dense or residual network).
func (n *ScoreNet) mask() []bool {
	if n.Net == nil {
		return nil
	}
	return n.Net.Mask
}

// Score implements ScoreModel at the parameters n.W.
func (n *ScoreNet) Score(dst, x, t []float64) {
	D := n.Dim()
	checkScoreArgs(dst, x, t, D)
	sc := n.scratch(len(t))
	n.fillInput(sc, x, t)
	sc.infer = true
	n.forward(sc, n.W)
	sc.infer = false
	for r, tr := range t {
		o := sc.outBuf[r*D : r*D+D]
		if p := n.Pre; p != nil {
			c := p.COut(tr)
			xr := x[r*D : r*D+D]
			for i, v := range o {
				dst[r*D+i] = p.skip1(xr[i], i, tr) + c*v
			}
			continue
		}
		inv := 1 / math.Sqrt(tr)
		for i, v := range o {
			dst[r*D+i] = v * inv
		}
	}
	n.release(sc)
}

// release returns a scratch taken with scratch.
func (n *ScoreNet) release(sc *netScratch) {
	if !n.cache.CompareAndSwap(nil, sc) {
		n.pool.Put(sc)
	}
}

// scratch returns buffers for a batch of rows (return them with release). The cached
// scratch makes single-goroutine use allocation-free even across garbage collections.
func (n *ScoreNet) scratch(rows int) *netScratch {
	if n.Float32 && n.UNet == nil {
		panic("reflected: ScoreNet.Float32 is set, but only a U-Net body (ScoreNet.UNet) has a float32 path")
	}
	sc := n.cache.Swap(nil)
	if sc == nil {
		sc, _ = n.pool.Get().(*netScratch)
	}
	if sc == nil {
		sc = &netScratch{}
		switch {
		case n.UNet != nil:
			sc.up = n.newUNetScratch()
		case n.Res == nil:
			sc.ws = n.Net.NewWorkspace(rows)
		}
	}
	if n.Res != nil && (sc.rws == nil || sc.rws.Rows() < rows) {
		sc.rws = n.Res.NewWorkspace(rows)
	}
	if sc.rows != rows {
		in, D := n.inDim(), n.Dim()
		sc.inBuf = grow(sc.inBuf, rows*in)
		sc.outBuf = grow(sc.outBuf, rows*D)
		sc.dOutBuf = grow(sc.dOutBuf, rows*D)
		sc.target = grow(sc.target, rows*D)
		sc.rowScales = grow(sc.rowScales, rows)
		sc.in = mat.NewDense(rows, in, sc.inBuf)
		sc.out = mat.NewDense(rows, D, sc.outBuf)
		sc.dOut = mat.NewDense(rows, D, sc.dOutBuf)
		sc.rows = rows
	}
	return sc
}

// fillInput writes the network inputs (xᵣ, e(tᵣ)) into sc.in.
func (n *ScoreNet) fillInput(sc *netScratch, x, t []float64) {
	D, in := n.Dim(), n.inDim()
	for r, tr := range t {
		row := sc.inBuf[r*in : r*in+in]
		if n.Pre != nil {
			n.Pre.input(row[:D], x[r*D:r*D+D], tr)
		} else {
			for j, v := range x[r*D : r*D+D] {
				row[j] = centre(v)
			}
		}
		n.Embed.Embed(row[D:], tr)
	}
}

// NewResScoreNet returns a ScoreNet whose network is an nn.ResMLP with the given width and
// number of residual blocks, conditioned on the time embedding through adaptive LayerNorm,
// initialised by ResMLP.Init from src with the output layer scaled by 1e-2. It returns an
// error for D < 1, width < 1, blocks < 0, Freqs < 0 or a nil src.
func NewResScoreNet(D, width, blocks int, embed TimeEmbedding, src rand.Source) (*ScoreNet, error) {
	if D < 1 {
		return nil, fmt.Errorf("reflected: NewResScoreNet: D = %d, need ≥ 1", D)
	}
	if embed.Freqs < 0 {
		return nil, fmt.Errorf("reflected: TimeEmbedding.Freqs = %d, need ≥ 0", embed.Freqs)
	}
	if src == nil {
		return nil, fmt.Errorf("reflected: NewResScoreNet: src is nil")
	}
	m := &nn.ResMLP{In: D, Cond: embed.Features(), Width: width, Blocks: blocks, Out: D}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	w := make([]float64, m.NumParams())
	m.Init(w, src, 1e-2)
	return &ScoreNet{Res: m, Embed: embed, W: w}, nil
}
