package sde

import (
	"fmt"
	"math"
)

// MilsteinGeneral is the derivative-free Milstein scheme for General
// (non-commuting) noise (Kloeden & Platen 1992, §11.1), Itô sense:
//
//	X_{n+1} = X_n + f h + Σ_j g_·j ΔW_j
//	          + (1/√h) Σ_{j1,j2} (g_·j2(Υ_j1) − g_·j2(X_n)) I_(j1,j2),
//	Υ_j = X_n + f h + g_·j √h,
//
// with f, g at (t_n, X_n) and the iterated Itô integrals
// I_(j,j) = (ΔW_j² − h)/2 and I_(i,j) = ½ ΔW_i ΔW_j + A_ij (i ≠ j,
// A_ji = −A_ij) from the Lévy areas of an AreaBrownian. It costs m + 1
// diffusion evaluations per step. Strong order 1 and weak order 1 on
// General noise with NoiseDim ≥ 2 (with one Brownian motion there is no
// area: use Milstein on Scalar noise).
type MilsteinGeneral struct{}

// Name returns "MilsteinGeneral".
func (MilsteinGeneral) Name() string { return "MilsteinGeneral" }

// Calculus returns Ito.
func (MilsteinGeneral) Calculus() Calculus { return Ito }

// Order returns strong 1 and weak 1 for General noise.
func (MilsteinGeneral) Order(k NoiseKind) (strong, weak float64) {
	if k == General {
		return 1, 1
	}
	return 0, 0
}

// LevyArea returns false: the method needs the pair areas A_ij
// (PairAreas), not the space-time area.
func (MilsteinGeneral) LevyArea() bool { return false }

// PairAreas returns true: Step needs the Lévy areas A_ij of an
// AreaBrownian.
func (MilsteinGeneral) PairAreas() bool { return true }

// NewStepper returns the stepper, or an error if the noise is not General
// with NoiseDim ≥ 2.
func (m MilsteinGeneral) NewStepper(sys *System) (Stepper, error) {
	if err := checkKind(m, sys); err != nil {
		return nil, err
	}
	if sys.M() < 2 {
		return nil, fmt.Errorf("sde: MilsteinGeneral with System.NoiseDim = %d: one Brownian motion has no Lévy area, so none is needed; use Milstein with Noise = Scalar", sys.M())
	}
	d, mm := sys.Dim, sys.M()
	return &milsteinGeneralStepper{scratch: newScratch(sys), gu: padded(mm * d * mm)}, nil
}

// areaMethod is a Method whose stepper needs the pair Lévy areas.
type areaMethod interface{ PairAreas() bool }

// areaStepper is the stepper of an areaMethod.
type areaStepper interface {
	StepArea(dst []float64, t, h float64, x, dw, a []float64)
}

func needsPairAreas(m Method) bool {
	am, ok := m.(areaMethod)
	return ok && am.PairAreas()
}

type milsteinGeneralStepper struct {
	scratch
	gu []float64 // g(Υ_j) for each j, m × (d×m)
}

// Step panics: the scheme needs the Lévy areas (StepArea).
func (s *milsteinGeneralStepper) Step(dst []float64, t, h float64, x, dw, _ []float64) {
	panic("sde: MilsteinGeneral needs the Lévy areas: drive it through Solve, SolveEnsemble or ConvergenceStudy with an AreaBrownian")
}

// StepArea takes one step given ΔW and the packed areas a.
func (s *milsteinGeneralStepper) StepArea(dst []float64, t, h float64, x, dw, a []float64) {
	s.checkLen(dst, x, dw)
	sys := s.sys
	d, m := sys.Dim, sys.M()
	if len(a) != m*(m-1)/2 {
		panic(fmt.Sprintf("sde: MilsteinGeneral: len(a) = %d, want %d", len(a), m*(m-1)/2))
	}
	sys.both(s.f, s.g, t, x)
	sq := math.Sqrt(h)
	for j1 := range m {
		for i := range d {
			s.y[i] = x[i] + h*s.f[i] + s.g[i*m+j1]*sq
		}
		sys.diffusion(s.f2, s.gu[j1*d*m:(j1+1)*d*m], t, s.y)
	}
	for i := range d {
		v := x[i] + h*s.f[i]
		gi := s.g[i*m : (i+1)*m]
		for j, w := range dw {
			v += gi[j] * w
		}
		var corr float64
		for j1 := range m {
			gu := s.gu[j1*d*m+i*m : j1*d*m+(i+1)*m]
			for j2 := range m {
				var iter float64
				switch {
				case j1 == j2:
					iter = 0.5 * (dw[j1]*dw[j1] - h)
				case j1 < j2:
					iter = 0.5*dw[j1]*dw[j2] + a[AreaIndex(j1, j2, m)]
				default:
					iter = 0.5*dw[j1]*dw[j2] - a[AreaIndex(j2, j1, m)]
				}
				corr += (gu[j2] - gi[j2]) * iter
			}
		}
		dst[i] = v + corr/sq
	}
}
