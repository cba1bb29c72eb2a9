package sde

import (
	"fmt"
	"math"
)

// SRIGeneral is a three-stage stochastic Runge–Kutta method of Rößler's
// SRI class for Itô SDEs with General (non-commuting) noise (A. Rößler,
// SIAM J. Numer. Anal. 48(3), 922–952, 2010): with the iterated Itô
// integrals Î_(l,k) built from ΔW and the Lévy areas (Î_(k,k) =
// (ΔW_k² − h)/2, Î_(l,k) = ½ΔW_lΔW_k ± A, as in MilsteinGeneral),
//
//	H⁽⁰⁾_i = X + Σ_j A⁽⁰⁾_ij f(H⁽⁰⁾_j) h
//	H⁽ᵏ⁾_i = X + Σ_j A⁽¹⁾_ij f(H⁽⁰⁾_j) h + Σ_j Σ_l B⁽¹⁾_ij g_·l(H⁽ˡ⁾_j) Î_(l,k)/√h
//	X_{n+1} = X + Σ_i α_i f(H⁽⁰⁾_i) h + Σ_i Σ_k (β⁽¹⁾_i ΔW_k + β⁽²⁾_i √h) g_·k(H⁽ᵏ⁾_i)
//
// (f at t + c⁽⁰⁾_i h, g at t + c⁽¹⁾_i h) with the tableau
//
//	α = (1, 0, 0),  A⁽⁰⁾ = 0,  c⁽⁰⁾ = 0,
//	A⁽¹⁾ = [[0,0,0],[1,0,0],[1,0,0]],  B⁽¹⁾ = [[0,0,0],[1,0,0],[−1,0,0]],  c⁽¹⁾ = (0, 1, 1),
//	β⁽¹⁾ = (1, 0, 0),  β⁽²⁾ = (0, ½, −½).
//
// The tableau is ours within Rößler's class (the paper's own tableaus were
// not available to us); its coefficients satisfy the strong order 1
// conditions that the expansion in docs/derivations/sde.md §6 requires of
// this form (e = (1,1,1)):
// αᵀe = 1, β⁽¹⁾ᵀe = 1, β⁽²⁾ᵀe = 0, β⁽²⁾ᵀB⁽¹⁾e = 1, β⁽¹⁾ᵀB⁽¹⁾e = 0,
// β⁽²⁾ᵀA⁽¹⁾e = 0, β⁽²⁾ᵀ(B⁽¹⁾e)² = 0, β⁽²⁾ᵀB⁽¹⁾(B⁽¹⁾e) = 0, β⁽²⁾ᵀc⁽¹⁾ = 0.
// Written out, the stages are H⁽ᵏ⁾_{2,3} = X + f h ± ε_k with
// ε_k = Σ_l g_·l(X) Î_(l,k)/√h, and the update
//
//	X_{n+1} = X + f h + g(X) ΔW + (√h/2) Σ_k (g_·k(X + f h + ε_k) − g_·k(X + f h − ε_k)),
//
// a central difference whose first-order term is the Milstein correction
// Σ_{l,k} (∂g_·k g_·l) Î_(l,k) and whose second-order terms cancel (the
// condition β⁽²⁾ᵀ(B⁽¹⁾e)² = 0; a one-sided difference along ε_k would
// leave an O(h^{3/2}) local error of non-zero mean and only strong order ½).
// Per step it evaluates the drift once and the diffusion 2m + 1 times
// (MilsteinGeneral: once and m + 1 times), with no Jacobian. Strong order 1,
// weak order 1 on General noise with NoiseDim ≥ 2; it needs the pair Lévy
// areas of an AreaBrownian.
type SRIGeneral struct{}

// Name returns "SRIGeneral".
func (SRIGeneral) Name() string { return "SRIGeneral" }

// Calculus returns Ito.
func (SRIGeneral) Calculus() Calculus { return Ito }

// Order returns strong 1 and weak 1 for General noise.
func (SRIGeneral) Order(k NoiseKind) (strong, weak float64) {
	if k == General {
		return 1, 1
	}
	return 0, 0
}

// LevyArea returns false: the method needs the pair areas (PairAreas).
func (SRIGeneral) LevyArea() bool { return false }

// PairAreas returns true: Step needs the Lévy areas A_ij of an
// AreaBrownian.
func (SRIGeneral) PairAreas() bool { return true }

// NewStepper returns the stepper, or an error if the noise is not General
// with NoiseDim ≥ 2.
func (s SRIGeneral) NewStepper(sys *System) (Stepper, error) {
	if err := checkKind(s, sys); err != nil {
		return nil, err
	}
	if sys.M() < 2 {
		return nil, fmt.Errorf("sde: SRIGeneral with System.NoiseDim = %d: one Brownian motion has no Lévy area, so none is needed; use Milstein with Noise = Scalar", sys.M())
	}
	d, m := sys.Dim, sys.M()
	return &sriGeneralStepper{scratch: newScratch(sys), iter: padded(m * m), eps: padded(d),
		base: padded(d), hs: padded(d), gm: padded(d * m)}, nil
}

type sriGeneralStepper struct {
	scratch
	iter      []float64 // Î_(l,k), m×m
	eps, base []float64 // ε_k and X + f h
	hs        []float64 // stage state X + f h ± ε_k
	gm        []float64 // g at X + f h − ε_k
}

// Step panics: the scheme needs the Lévy areas (StepArea).
func (s *sriGeneralStepper) Step(dst []float64, t, h float64, x, dw, _ []float64) {
	panic("sde: SRIGeneral needs the Lévy areas: drive it through Solve, SolveEnsemble or ConvergenceStudy with an AreaBrownian")
}

// StepArea takes one step given ΔW and the packed areas a.
func (s *sriGeneralStepper) StepArea(dst []float64, t, h float64, x, dw, a []float64) {
	s.checkLen(dst, x, dw)
	sys := s.sys
	d, m := sys.Dim, sys.M()
	if len(a) != m*(m-1)/2 {
		panic(fmt.Sprintf("sde: SRIGeneral: len(a) = %d, want %d", len(a), m*(m-1)/2))
	}
	for l := range m {
		for k := range m {
			var v float64
			switch {
			case l == k:
				v = 0.5 * (dw[k]*dw[k] - h)
			case l < k:
				v = 0.5*dw[l]*dw[k] + a[AreaIndex(l, k, m)]
			default:
				v = 0.5*dw[l]*dw[k] - a[AreaIndex(k, l, m)]
			}
			s.iter[l*m+k] = v
		}
	}
	sys.both(s.f, s.g, t, x)
	sq := math.Sqrt(h)
	for i := range d {
		s.base[i] = x[i] + h*s.f[i]
	}
	// dst may alias x: accumulate the update in y, copy at the end.
	upd := s.y
	for i := range d {
		v := s.base[i]
		gi := s.g[i*m : (i+1)*m]
		for j, w := range dw {
			v += gi[j] * w
		}
		upd[i] = v
	}
	for k := range m {
		for i := range d {
			gi := s.g[i*m : (i+1)*m]
			var e float64
			for l := range m {
				e += gi[l] * s.iter[l*m+k]
			}
			s.eps[i] = e / sq
		}
		for i := range d {
			s.hs[i] = s.base[i] + s.eps[i]
		}
		sys.diffusion(s.f2, s.g2, t+h, s.hs)
		for i := range d {
			s.hs[i] = s.base[i] - s.eps[i]
		}
		sys.diffusion(s.f2, s.gm, t+h, s.hs)
		for i := range d {
			upd[i] += 0.5 * sq * (s.g2[i*m+k] - s.gm[i*m+k])
		}
	}
	copy(dst, upd)
}
