package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// ResMLP is a residual MLP with adaptive layer normalisation, the score-network body of
// diffusion models on vectors. Each input row holds In data features followed by Cond
// conditioning features c (for example a noise-level embedding). With Width = W:
//
//	h₀ = W_in·x + b_in,                      e = SiLU(W_c·c + b_c)
//	block k = 1..Blocks:
//	  (γ, β) = W_mod,k·e + b_mod,k            (adaptive scale and shift, 2W outputs)
//	  u = LN(h) ⊙ (1 + γ) + β
//	  h ← h + W₂,k·SiLU(W₁,k·u + b₁,k) + b₂,k
//	y = W_out·LN(h_Blocks) + b_out
//
// LN is LayerNorm without affine parameters; the affine part is (1 + γ, β), computed from
// the conditioning ("adaptive LayerNorm", as in DiT and the EDM MLP baselines). The
// parameters are one flat []float64: the linear layers in, cond, then per block mod, fc1,
// fc2, then out, each as W (out × in, row-major) followed by b.
type ResMLP struct {
	In, Cond, Width, Blocks, Out int
}

// Validate returns an error naming a non-positive size (Cond and Blocks may be 0).
func (m *ResMLP) Validate() error {
	switch {
	case m.In < 1:
		return fmt.Errorf("nn: ResMLP.In = %d, need ≥ 1", m.In)
	case m.Cond < 0:
		return fmt.Errorf("nn: ResMLP.Cond = %d, need ≥ 0", m.Cond)
	case m.Width < 1:
		return fmt.Errorf("nn: ResMLP.Width = %d, need ≥ 1", m.Width)
	case m.Blocks < 0:
		return fmt.Errorf("nn: ResMLP.Blocks = %d, need ≥ 0", m.Blocks)
	case m.Out < 1:
		return fmt.Errorf("nn: ResMLP.Out = %d, need ≥ 1", m.Out)
	}
	return nil
}

// InDim returns In + Cond, the width of an input row.
func (m *ResMLP) InDim() int { return m.In + m.Cond }

// OutDim returns Out.
func (m *ResMLP) OutDim() int { return m.Out }

// linear is one affine layer's place in the flat parameters.
type linear struct{ off, in, out int }

func (l linear) w(p []float64) []float64 { return p[l.off : l.off+l.out*l.in] }
func (l linear) b(p []float64) []float64 {
	return p[l.off+l.out*l.in : l.off+l.out*(l.in+1)]
}
func (l linear) size() int { return l.out * (l.in + 1) }

// resLayers returns the layers in flat order: in, cond, (mod, fc1, fc2) per block, out.
func (m *ResMLP) layers() (in, cond linear, blocks [][3]linear, out linear, total int) {
	W := m.Width
	next := func(i, o int) linear {
		l := linear{off: total, in: i, out: o}
		total += l.size()
		return l
	}
	in = next(m.In, W)
	cond = next(m.Cond, W)
	blocks = make([][3]linear, m.Blocks)
	for k := range blocks {
		blocks[k] = [3]linear{next(W, 2*W), next(W, W), next(W, W)}
	}
	out = next(W, m.Out)
	return
}

// NumParams returns the number of parameters.
func (m *ResMLP) NumParams() int {
	_, _, out := m.ends()
	return out.off + out.size()
}

// Init fills w with a random draw from src: He-scaled normal weights N(0, 1/fan_in) for the
// input, conditioning and first block layers (SiLU keeps about half the variance of ReLU's
// gain-2 setting), zero biases, zero modulation and second block layers ("adaLN-Zero": every
// block starts as the identity and γ = β = 0), and the output layer scaled by outScale
// (e.g. 1e-2 so that the initial output is near 0).
func (m *ResMLP) Init(w []float64, src rand.Source, outScale float64) {
	if len(w) != m.NumParams() {
		panic(fmt.Sprintf("nn: ResMLP.Init: len(w) = %d, want %d", len(w), m.NumParams()))
	}
	rng := rand.New(src)
	clear(w)
	normal := func(l linear, scale float64) {
		sd := scale / math.Sqrt(float64(max(l.in, 1)))
		for i := range l.w(w) {
			l.w(w)[i] = sd * rng.NormFloat64()
		}
	}
	in, cond, blocks, out := m.layersNoTotal()
	normal(in, 1)
	normal(cond, 1)
	for _, b := range blocks {
		normal(b[1], 1)
	}
	normal(out, outScale)
}

func (m *ResMLP) layersNoTotal() (linear, linear, [][3]linear, linear) {
	in, cond, blocks, out, _ := m.layers()
	return in, cond, blocks, out
}

// ends returns the input, conditioning and output layers without allocating.
func (m *ResMLP) ends() (in, cond, out linear) {
	W := m.Width
	in = linear{off: 0, in: m.In, out: W}
	cond = linear{off: in.size(), in: m.Cond, out: W}
	blk := (&linear{in: W, out: 2 * W}).size() + 2*(&linear{in: W, out: W}).size()
	out = linear{off: cond.off + cond.size() + m.Blocks*blk, in: W, out: m.Out}
	return
}

// block returns the layers (mod, fc1, fc2) of block k without allocating.
func (m *ResMLP) block(k int) [3]linear {
	W := m.Width
	_, cond, _ := m.ends()
	mod := linear{in: W, out: 2 * W}
	fc := linear{in: W, out: W}
	off := cond.off + cond.size() + k*(mod.size()+2*fc.size())
	mod.off = off
	fc1 := linear{off: off + mod.size(), in: W, out: W}
	fc2 := linear{off: fc1.off + fc1.size(), in: W, out: W}
	return [3]linear{mod, fc1, fc2}
}

// silu returns x·σ(x) and its derivative σ(x)(1 + x(1 − σ(x))).
func silu(x float64) (float64, float64) {
	s := 1 / (1 + math.Exp(-x))
	return x * s, s * (1 + x*(1-s))
}
