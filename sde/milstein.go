package sde

import (
	"fmt"
	"math"
)

// Milstein is the Milstein scheme for diagonal, scalar and additive noise:
//
//	X_{n+1} = X_n + f h + g ΔW + ½ (L g) (ΔW² − h)          (Itô)
//	X_{n+1} = X_n + f h + g ΔW + ½ (L g) ΔW²                (Stratonovich)
//
// with f, g at (t_n, X_n) and L g = (∂g/∂x) g from System.DiffusionDeriv,
// applied per noise component (ΔW_i for Diagonal, the single ΔW for Scalar).
//
// With DerivativeFree set, L g is replaced by a Runge–Kutta difference
// (Kloeden–Platen §11.1; torchsde grad_free): with X̄ = X_n + f h + g √h
// (Itô) or X̄ = X_n + g √h (Stratonovich),
//
//	X_{n+1} = X_n + f h + g ΔW + (g(t_n, X̄) − g)(ΔW² − h)/(2√h)   (Itô; no −h for Stratonovich).
//
// Strong order 1.0 and weak order 1 for commuting noise (Diagonal noise
// whose g_i depends on x_i only, Scalar noise, Additive noise); General
// noise is not supported.
type Milstein struct {
	// DerivativeFree replaces System.DiffusionDeriv by a difference of g.
	DerivativeFree bool
	// Stratonovich selects the Stratonovich form of the scheme.
	Stratonovich bool
}

// Name returns "Milstein" with its variant.
func (m Milstein) Name() string {
	n := "Milstein"
	if m.DerivativeFree {
		n += "DF"
	}
	if m.Stratonovich {
		n += "(Strat)"
	}
	return n
}

// Calculus returns Stratonovich if m.Stratonovich is set, else Ito.
func (m Milstein) Calculus() Calculus {
	if m.Stratonovich {
		return Stratonovich
	}
	return Ito
}

// Order returns strong 1 and weak 1 for Diagonal, Scalar and Additive noise.
func (Milstein) Order(k NoiseKind) (strong, weak float64) {
	switch k {
	case Diagonal, Scalar, Additive:
		return 1, 1
	}
	return 0, 0
}

// LevyArea returns false.
func (Milstein) LevyArea() bool { return false }

// NewStepper returns a Milstein stepper for sys. Without DerivativeFree,
// sys.DiffusionDeriv must be set unless the noise is Additive.
func (m Milstein) NewStepper(sys *System) (Stepper, error) {
	if err := checkKind(m, sys); err != nil {
		return nil, err
	}
	if !m.DerivativeFree && sys.Noise != Additive && sys.DiffusionDeriv == nil {
		return nil, fmt.Errorf("sde: Milstein with DerivativeFree = false needs System.DiffusionDeriv, which is nil")
	}
	return &milsteinStepper{scratch: newScratch(sys), m: m}, nil
}

type milsteinStepper struct {
	scratch
	m Milstein
}

func (s *milsteinStepper) Step(dst []float64, t, h float64, x, dw, _ []float64) {
	s.checkLen(dst, x, dw)
	sys := s.sys
	s.sys.both(s.f, s.g, t, x)
	if sys.Noise == Additive {
		// L g = 0: the scheme is Euler–Maruyama.
		for i := range dst {
			dst[i] = x[i] + h*s.f[i]
		}
		sys.addNoise(dst, 1, s.g, dw)
		return
	}
	// corr_i = L g_i, the Milstein correction vector, in s.g2 (len Dim).
	corr := s.g2[:len(dst)]
	c := 0.5
	if s.m.DerivativeFree {
		sq := math.Sqrt(h)
		for i := range s.y {
			s.y[i] = x[i] + s.g[i]*sq
			if !s.m.Stratonovich {
				s.y[i] += h * s.f[i]
			}
		}
		sys.diffusion(s.f2, s.g2, t, s.y)
		for i := range corr {
			corr[i] -= s.g[i]
		}
		c = 0.5 / sq
	} else {
		sys.DiffusionDeriv(corr, t, x)
	}
	shift := h
	if s.m.Stratonovich {
		shift = 0
	}
	if sys.Noise == Scalar {
		w := dw[0]
		v := c * (w*w - shift)
		for i := range dst {
			dst[i] = x[i] + h*s.f[i] + s.g[i]*w + corr[i]*v
		}
		return
	}
	for i := range dst {
		w := dw[i]
		dst[i] = x[i] + h*s.f[i] + s.g[i]*w + c*corr[i]*(w*w-shift)
	}
}
