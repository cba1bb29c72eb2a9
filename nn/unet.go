package nn

import (
	"fmt"
	"math/rand/v2"
)

// UNet describes a small U-Net for images conditioned on a noise level, the score network
// of diffusion models on images. Its Graph (NewUNet) takes C+1 channels of H×W pixels: the
// image, and a constant plane holding a noise feature v (e.g. ¼ log t). It returns C
// channels. With L = len(Widths) levels:
//
//	embedding   e = SiLU(Dense(SiLU(Dense(Fourier(v)))))          (Embed values)
//	block(h)    a = Conv3(SiLU(GroupNorm(h)))
//	            a = Conv3(SiLU(ScaleShift(GroupNorm(a), Dense(e))))
//	            h' = a + h   (a 1×1 convolution of h if the channels change)
//	encoder     h = Conv3(input); level l = 0..L−1: h = block(h), kept as skip l,
//	            then AvgPool 2×2 (not after the last level); h = block(h) at the bottom
//	decoder     level l = L−2..0: h = block(Concat(Conv3(Upsample2(h)), skip l))
//	output      Conv3(SiLU(GroupNorm(h))) → C channels
//
// Level l has Widths[l] channels and (H/2^l)×(W/2^l) pixels, so H and W must be divisible
// by 2^(L−1). Every block sees the noise level through its ScaleShift.
type UNet struct {
	C, H, W int   // image channels and size
	Widths  []int // channels per level; nil means {16, 32, 32}
	Groups  int   // GroupNorm groups; 0 means GroupNorm's default (≤ 8, dividing the channels)
	Freqs   int   // Fourier frequencies of the noise feature; 0 means 8
	Embed   int   // embedding width; 0 means 4·Widths[0]
}

func (u *UNet) widths() []int {
	if u.Widths == nil {
		return []int{16, 32, 32}
	}
	return u.Widths
}

// NewUNet checks u and returns its Graph. The error names the field and the value: sizes
// below 1, an image side that cannot be halved L−1 times, widths below 1, Groups that do
// not divide every width, negative Freqs or Embed.
func NewUNet(u UNet) (*Graph, error) {
	ws := u.widths()
	L := len(ws)
	switch {
	case u.C < 1:
		return nil, fmt.Errorf("nn: UNet.C = %d, need >= 1", u.C)
	case L < 1:
		return nil, fmt.Errorf("nn: UNet.Widths is empty")
	case u.H < 1 || u.H%(1<<(L-1)) != 0:
		return nil, fmt.Errorf("nn: UNet.H = %d: %d levels need a height divisible by %d", u.H, L, 1<<(L-1))
	case u.W < 1 || u.W%(1<<(L-1)) != 0:
		return nil, fmt.Errorf("nn: UNet.W = %d: %d levels need a width divisible by %d", u.W, L, 1<<(L-1))
	case u.Groups < 0:
		return nil, fmt.Errorf("nn: UNet.Groups = %d, need >= 0", u.Groups)
	case u.Freqs < 0:
		return nil, fmt.Errorf("nn: UNet.Freqs = %d, need >= 0", u.Freqs)
	case u.Embed < 0:
		return nil, fmt.Errorf("nn: UNet.Embed = %d, need >= 0", u.Embed)
	}
	for l, w := range ws {
		if w < 1 {
			return nil, fmt.Errorf("nn: UNet.Widths[%d] = %d, need >= 1", l, w)
		}
		if u.Groups > 0 && w%u.Groups != 0 {
			return nil, fmt.Errorf("nn: UNet.Groups = %d does not divide Widths[%d] = %d", u.Groups, l, w)
		}
	}
	freqs, embed := u.Freqs, u.Embed
	if freqs == 0 {
		freqs = 8
	}
	if embed == 0 {
		embed = 4 * ws[0]
	}
	b := &unetBuilder{gn: GroupNorm{Groups: u.Groups}}
	// the noise embedding
	b.add(Channels{From: u.C, To: u.C + 1}, GraphInput)
	b.add(GlobalAvgPool{}, b.last())
	b.add(Fourier{Freqs: freqs}, b.last())
	b.add(Dense{Out: embed}, b.last())
	b.add(SiLU{}, b.last())
	b.add(Dense{Out: embed}, b.last())
	b.emb = b.add(SiLU{}, b.last())
	// encoder
	h := b.add(Conv2D{Out: ws[0], Kernel: 3, Stride: 1, Pad: 1}, GraphInput)
	cin := ws[0]
	skips := make([]int, L)
	for l, w := range ws {
		h = b.block(h, cin, w)
		cin = w
		skips[l] = h
		if l < L-1 {
			h = b.add(AvgPool{Size: 2, Stride: 2}, h)
		}
	}
	h = b.block(h, cin, cin)
	// decoder
	for l := L - 2; l >= 0; l-- {
		h = b.add(Upsample{Factor: 2}, h)
		h = b.add(Conv2D{Out: ws[l], Kernel: 3, Stride: 1, Pad: 1}, h)
		h = b.add(Concat{}, h, skips[l])
		h = b.block(h, 2*ws[l], ws[l])
	}
	h = b.add(b.gn, h)
	h = b.add(SiLU{}, h)
	b.add(Conv2D{Out: u.C, Kernel: 3, Stride: 1, Pad: 1}, h)
	return NewGraph(Shape{C: u.C + 1, H: u.H, W: u.W}, b.nodes...)
}

// unetBuilder appends the nodes of a U-Net.
type unetBuilder struct {
	nodes []Node
	gn    GroupNorm
	emb   int
}

func (b *unetBuilder) last() int { return len(b.nodes) - 1 }

func (b *unetBuilder) add(l Layer, from ...int) int {
	b.nodes = append(b.nodes, Node{Layer: l, From: from})
	return b.last()
}

// block appends a residual block from cin to cout channels on value h, conditioned on the
// embedding, and returns its output.
func (b *unetBuilder) block(h, cin, cout int) int {
	a := b.add(b.gn, h)
	a = b.add(SiLU{}, a)
	a = b.add(Conv2D{Out: cout, Kernel: 3, Stride: 1, Pad: 1}, a)
	m := b.add(Dense{Out: 2 * cout}, b.emb)
	a = b.add(b.gn, a)
	a = b.add(ScaleShift{}, a, m)
	a = b.add(SiLU{}, a)
	a = b.add(Conv2D{Out: cout, Kernel: 3, Stride: 1, Pad: 1}, a)
	skip := h
	if cin != cout {
		skip = b.add(Conv2D{Out: cout, Kernel: 1, Stride: 1}, h)
	}
	return b.add(Add{}, a, skip)
}

// InitUNet fills w for a U-Net graph g: He initialisation (Graph.Init), then the
// modulation layers (the Dense layers feeding a ScaleShift) and the last convolution of
// every block scaled by outScale, so that every block starts near the identity and the
// noise embedding near no effect, and the output convolution scaled by outScale too (e.g.
// 1e-2: the initial output is near 0).
func InitUNet(g *Graph, w []float64, src rand.Source, outScale float64) {
	g.Init(w, He, src)
	for j := range g.nodes {
		gn := &g.nodes[j]
		if gn.kind != gStage || gn.np == 0 {
			continue
		}
		feedsMod, feedsAdd := false, false
		for k := j + 1; k < len(g.nodes); k++ {
			for i, v := range g.nodes[k].in {
				if v != j+1 {
					continue
				}
				switch g.Nodes[k].Layer.(type) {
				case ScaleShift:
					feedsMod = feedsMod || i == 1
				case Add:
					feedsAdd = feedsAdd || i == 0
				}
			}
		}
		if feedsMod || feedsAdd || j == len(g.nodes)-1 {
			for i := gn.off; i < gn.off+gn.np; i++ {
				w[i] *= outScale
			}
		}
	}
}
