package sde

// SRA1 is Rößler's stochastic Runge–Kutta method SRA1 for additive noise
// (A. Rößler, SIAM J. Numer. Anal. 48(3), 2010; tableau as in torchsde
// tableaus/sra1.py). With U = ∫_t^{t+h}(W_s − W_t) ds per noise component,
//
//	H   = X_n + ¾ f(t, X_n) h + (3/2) g(t+h) U/h
//	X_{n+1} = X_n + (⅓ f(t, X_n) + ⅔ f(t+¾h, H)) h + g(t+h)(ΔW − U/h) + g(t) U/h.
//
// Strong order 1.5 and weak order 2 for Additive noise (order 2 strong when
// the drift is linear in x, because the h^{1.5} error terms involve f”).
// It needs the space-time Lévy area U (LevyArea returns true).
type SRA1 struct{}

// Name returns "SRA1".
func (SRA1) Name() string { return "SRA1" }

// Calculus returns Ito (for additive noise Itô and Stratonovich coincide).
func (SRA1) Calculus() Calculus { return Ito }

// Order returns strong 1.5 and weak 2 for Additive noise only.
func (SRA1) Order(k NoiseKind) (strong, weak float64) {
	if k == Additive {
		return 1.5, 2
	}
	return 0, 0
}

// LevyArea returns true.
func (SRA1) LevyArea() bool { return true }

// NewStepper returns an SRA1 stepper for sys (Additive noise only).
func (m SRA1) NewStepper(sys *System) (Stepper, error) {
	if err := checkKind(m, sys); err != nil {
		return nil, err
	}
	return &sra1Stepper{newScratch(sys)}, nil
}

type sra1Stepper struct{ scratch }

func (s *sra1Stepper) Step(dst []float64, t, h float64, x, dw, u []float64) {
	s.checkLen(dst, x, dw)
	if len(u) != len(dw) {
		panic("sde: SRA1 needs the Lévy area u with len(u) = NoiseDim")
	}
	sys := s.sys
	sys.drift(s.f, s.g3, t, x)
	sys.diffusion(s.f2, s.g2, t+h, x) // g(t+h); f2 is scratch
	sys.diffusion(s.f2, s.g, t, x)    // g(t)
	inv := 1 / h
	f, g0, g1, y := s.f[:len(dst)], s.g[:len(dst)], s.g2[:len(dst)], s.y[:len(dst)]
	for i := range y {
		y[i] = x[i] + 0.75*h*f[i] + 1.5*g1[i]*u[i]*inv
	}
	sys.drift(s.f2, s.g3, t+0.75*h, y)
	f2 := s.f2[:len(dst)]
	for i := range dst {
		ui := u[i] * inv
		dst[i] = x[i] + h*(f[i]/3+2*f2[i]/3) + g1[i]*(dw[i]-ui) + g0[i]*ui
	}
}
