package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
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

// forward keeps μ_g and 1/√(σ²_g + ε) per sample and group.
func (l GroupNorm) forward(in []Shape, w []float64, x [][]float64, y, keep []float64, n int) {
	s := in[0]
	C, P, G := s.C, s.H*s.W, l.groups(s.C)
	cg, size, eps := C/G, s.Size(), l.eps()
	gamma, beta := w[:C], w[C:2*C]
	inv := 1 / float64(P*cg)
	for i := range n {
		xs, ys, kp := x[0][i*size:(i+1)*size], y[i*size:(i+1)*size], keep[i*2*G:(i+1)*2*G]
		for g := range G {
			var m float64
			for p := range P {
				for _, v := range xs[p*C+g*cg : p*C+(g+1)*cg] {
					m += v
				}
			}
			m *= inv
			var q float64
			for p := range P {
				for _, v := range xs[p*C+g*cg : p*C+(g+1)*cg] {
					q += (v - m) * (v - m)
				}
			}
			kp[2*g], kp[2*g+1] = m, 1/math.Sqrt(q*inv+eps)
		}
		for p := range P {
			for c := range C {
				g := c / cg
				ys[p*C+c] = gamma[c]*((xs[p*C+c]-kp[2*g])*kp[2*g+1]) + beta[c]
			}
		}
	}
}

// backward: with x̂ the normalised values and e = γ·∂/∂y, per group
// ∂/∂x = istd·(e − mean(e) − x̂·mean(e·x̂)); ∂/∂γ_c = Σ ∂/∂y·x̂, ∂/∂β_c = Σ ∂/∂y.
func (l GroupNorm) backward(in []Shape, _ int, w []float64, x [][]float64, _, dy, keep, dx, gw []float64, n int) {
	s := in[0]
	C, P, G := s.C, s.H*s.W, l.groups(s.C)
	cg, size := C/G, s.Size()
	gamma := w[:C]
	if gw != nil {
		clear(gw)
	}
	inv := 1 / float64(P*cg)
	for i := range n {
		xs, ds, kp := x[0][i*size:(i+1)*size], dy[i*size:(i+1)*size], keep[i*2*G:(i+1)*2*G]
		if gw != nil {
			for p := range P {
				for c := range C {
					g := c / cg
					h := (xs[p*C+c] - kp[2*g]) * kp[2*g+1]
					gw[c] += ds[p*C+c] * h
					gw[C+c] += ds[p*C+c]
				}
			}
		}
		if dx == nil {
			continue
		}
		dxs := dx[i*size : (i+1)*size]
		for g := range G {
			m, istd := kp[2*g], kp[2*g+1]
			var se, seh float64
			for p := range P {
				for c := g * cg; c < (g+1)*cg; c++ {
					e := gamma[c] * ds[p*C+c]
					se += e
					seh += e * ((xs[p*C+c] - m) * istd)
				}
			}
			se *= inv
			seh *= inv
			for p := range P {
				for c := g * cg; c < (g+1)*cg; c++ {
					e := gamma[c] * ds[p*C+c]
					dxs[p*C+c] = istd * (e - se - ((xs[p*C+c]-m)*istd)*seh)
				}
			}
		}
	}
}
