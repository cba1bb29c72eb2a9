package nn

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/sdeml/sdeml/internal/gnorm"
)

// GroupNorm normalises each sample on its own: the C channels are split into Groups groups
// of C/Groups consecutive channels, and with the mean μ_g and biased variance σ²_g of the
// values of group g over its channels and all H·W pixels of the sample,
//
//	y = γ_c·(x − μ_g)/√(σ²_g + Eps) + β_c
//
// for channel c in group g. Its parameters are γ (C values, initialised to 1) then β (C
// values, 0). Unlike BatchNorm it has no batch statistics and no state, so it behaves the
// same in training and evaluation and does not couple the samples of a batch (the norm of
// diffusion U-Nets). Groups = 1 is layer normalisation over C·H·W values, Groups = C
// instance normalisation. A Graph layer.
type GroupNorm struct {
	Groups int     // ≥ 1, dividing the channels; 0 means min(C, 8) rounded down to a divisor of C
	Eps    float64 // > 0; 0 means 1e-5
}

func (GroupNorm) layerName() string { return "GroupNorm" }
func (GroupNorm) arity() (int, int) { return 1, 1 }

// groups returns the number of groups for C channels.
func (l GroupNorm) groups(C int) int {
	if l.Groups > 0 {
		return l.Groups
	}
	G := min(C, 8)
	for C%G != 0 {
		G--
	}
	return G
}

func (l GroupNorm) eps() float64 {
	if l.Eps == 0 {
		return 1e-5
	}
	return l.Eps
}

func (l GroupNorm) compile(in []Shape) (Shape, int, error) {
	C := in[0].C
	switch {
	case l.Groups < 0 || l.Groups > 0 && C%l.Groups != 0:
		return Shape{}, 0, fmt.Errorf("Groups = %d: must be >= 1 and divide the %d channels (0: default)", l.Groups, C)
	case !(l.Eps >= 0) || math.IsInf(l.Eps, 1):
		return Shape{}, 0, fmt.Errorf("Eps = %v, must be finite and >= 0", l.Eps)
	}
	return in[0], 2 * C, nil
}

func (l GroupNorm) keepSize(in []Shape) int { return 2 * l.groups(in[0].C) }

func (l GroupNorm) initParams(in []Shape, w []float64, _ *rand.Rand) {
	C := in[0].C
	for c := range C {
		w[c], w[C+c] = 1, 0
	}
}

// forward keeps μ_g and 1/√(σ²_g + ε) per sample and group (internal/gnorm: the group
// sums formed from per-channel sums over the pixels, in channel order; the variance in a
// second pass).
func (l GroupNorm) forward(in []Shape, w []float64, x [][]float64, y, keep []float64, n int) {
	groupNormForward(l, in[0], w, x[0], y, keep, n)
}

// backward: with x̂ the normalised values and e = γ·∂/∂y, per group
// ∂/∂x = istd·(e − mean(e) − x̂·mean(e·x̂)); ∂/∂γ_c = Σ ∂/∂y·x̂, ∂/∂β_c = Σ ∂/∂y.
func (l GroupNorm) backward(in []Shape, _ int, w []float64, x [][]float64, _, dy, keep, dx, gw []float64, n int) {
	groupNormBackward(l, in[0], w, x[0], dy, keep, dx, gw, n)
}

// groupNormForward is GroupNorm's forward pass on n samples of float32 or float64 values,
// in float64 arithmetic (internal/gnorm): the float32 results are the float64 ones
// rounded once.
func groupNormForward[T float32 | float64](l GroupNorm, s Shape, w []float64, x, y []T, keep []float64, n int) {
	C, G, size := s.C, l.groups(s.C), s.Size()
	for i := range n {
		gnorm.Forward(y[i*size:(i+1)*size], x[i*size:(i+1)*size], C, G, w[:C], w[C:2*C], l.eps(), keep[i*2*G:(i+1)*2*G])
	}
}

// groupNormBackward is GroupNorm's backward pass on n samples (gradient sums over the
// samples into gw unless it is nil, ∂/∂x unless dx is nil).
func groupNormBackward[T float32 | float64](l GroupNorm, s Shape, w []float64, x, dy []T, keep []float64, dx []T, gw []float64, n int) {
	C, G, size := s.C, l.groups(s.C), s.Size()
	if gw != nil {
		clear(gw)
	}
	for i := range n {
		var dxs []T
		if dx != nil {
			dxs = dx[i*size : (i+1)*size]
		}
		gnorm.Backward(dxs, dy[i*size:(i+1)*size], x[i*size:(i+1)*size], C, G, w[:C], keep[i*2*G:(i+1)*2*G], gw)
	}
}
