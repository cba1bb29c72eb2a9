package sde

// EulerMaruyama is the Itô Euler–Maruyama scheme
//
//	X_{n+1} = X_n + f(t_n, X_n) h + g(t_n, X_n) ΔW_n.
//
// Strong order 0.5 (1.0 for additive noise), weak order 1, for every noise
// kind.
type EulerMaruyama struct{}

// Name returns "EulerMaruyama".
func (EulerMaruyama) Name() string { return "EulerMaruyama" }

// Calculus returns Ito.
func (EulerMaruyama) Calculus() Calculus { return Ito }

// Order returns strong 0.5 (1 for Additive) and weak 1.
func (EulerMaruyama) Order(k NoiseKind) (strong, weak float64) {
	switch k {
	case Additive:
		return 1, 1
	case Diagonal, Scalar, General:
		return 0.5, 1
	}
	return 0, 0
}

// LevyArea returns false.
func (EulerMaruyama) LevyArea() bool { return false }

// NewStepper returns an Euler–Maruyama stepper for sys.
func (m EulerMaruyama) NewStepper(sys *System) (Stepper, error) {
	if err := checkKind(m, sys); err != nil {
		return nil, err
	}
	return &emStepper{newScratch(sys)}, nil
}

type emStepper struct{ scratch }

func (s *emStepper) Step(dst []float64, t, h float64, x, dw, _ []float64) {
	s.checkLen(dst, x, dw)
	s.sys.both(s.f, s.g, t, x)
	f := s.f[:len(dst)]
	x = x[:len(dst)]
	if s.sys.Noise == Diagonal || s.sys.Noise == Additive {
		g, w := s.g[:len(dst)], dw[:len(dst)]
		for i := range dst {
			dst[i] = x[i] + h*f[i] + g[i]*w[i]
		}
		return
	}
	for i := range dst {
		dst[i] = x[i] + h*f[i]
	}
	s.sys.addNoise(dst, 1, s.g, dw)
}
