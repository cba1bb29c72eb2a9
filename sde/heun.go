package sde

// stratOrder is the order table shared by Heun, EulerHeun and Midpoint
// (torchsde methods/*.py; Kloeden–Platen): strong 1.0 for commuting noise,
// 0.5 for general noise, weak 1.
func stratOrder(k NoiseKind) (strong, weak float64) {
	switch k {
	case Diagonal, Scalar, Additive:
		return 1, 1
	case General:
		return 0.5, 1
	}
	return 0, 0
}

// Heun is the stochastic Heun (trapezoidal predictor–corrector) scheme for
// Stratonovich SDEs:
//
//	X̃ = X_n + f(t, X_n) h + g(t, X_n) ΔW
//	X_{n+1} = X_n + ½(f(t, X_n) + f(t+h, X̃)) h + ½(g(t, X_n) + g(t+h, X̃)) ΔW.
//
// Strong order 1.0 for diagonal (commuting), scalar and additive noise, 0.5
// for general noise; weak order 1.
type Heun struct{}

// Name returns "Heun".
func (Heun) Name() string { return "Heun" }

// Calculus returns Stratonovich.
func (Heun) Calculus() Calculus { return Stratonovich }

// Order returns the strong and weak orders of Heun on noise k.
func (Heun) Order(k NoiseKind) (strong, weak float64) { return stratOrder(k) }

// LevyArea returns false.
func (Heun) LevyArea() bool { return false }

// NewStepper returns a Heun stepper for sys.
func (m Heun) NewStepper(sys *System) (Stepper, error) {
	if err := checkKind(m, sys); err != nil {
		return nil, err
	}
	return &heunStepper{newScratch(sys)}, nil
}

type heunStepper struct{ scratch }

func (s *heunStepper) Step(dst []float64, t, h float64, x, dw, _ []float64) {
	s.checkLen(dst, x, dw)
	sys := s.sys
	sys.both(s.f, s.g, t, x)
	for i := range s.y {
		s.y[i] = x[i] + h*s.f[i]
	}
	sys.addNoise(s.y, 1, s.g, dw)
	s.trapezoid(dst, x, t, h, dw)
}

// EulerHeun is the Euler–Heun scheme for Stratonovich SDEs (Euler in the
// drift, trapezoidal in the diffusion):
//
//	X̃ = X_n + g(t, X_n) ΔW
//	X_{n+1} = X_n + f(t, X_n) h + ½(g(t, X_n) + g(t+h, X̃)) ΔW.
//
// Strong order 1.0 for commuting noise (0.5 general), weak order 1.
type EulerHeun struct{}

// Name returns "EulerHeun".
func (EulerHeun) Name() string { return "EulerHeun" }

// Calculus returns Stratonovich.
func (EulerHeun) Calculus() Calculus { return Stratonovich }

// Order returns the strong and weak orders of Euler–Heun on noise k.
func (EulerHeun) Order(k NoiseKind) (strong, weak float64) { return stratOrder(k) }

// LevyArea returns false.
func (EulerHeun) LevyArea() bool { return false }

// NewStepper returns a Euler–Heun stepper for sys.
func (m EulerHeun) NewStepper(sys *System) (Stepper, error) {
	if err := checkKind(m, sys); err != nil {
		return nil, err
	}
	return &eulerHeunStepper{newScratch(sys)}, nil
}

type eulerHeunStepper struct{ scratch }

func (s *eulerHeunStepper) Step(dst []float64, t, h float64, x, dw, _ []float64) {
	s.checkLen(dst, x, dw)
	sys := s.sys
	sys.both(s.f, s.g, t, x)
	copy(s.y, x)
	sys.addNoise(s.y, 1, s.g, dw)
	sys.diffusion(s.f2, s.g2, t+h, s.y)
	for i := range dst {
		dst[i] = x[i] + h*s.f[i]
	}
	sys.addNoise(dst, 0.5, s.g, dw)
	sys.addNoise(dst, 0.5, s.g2, dw)
}

// Midpoint is the stochastic midpoint scheme for Stratonovich SDEs:
//
//	X' = X_n + ½ f(t, X_n) h + ½ g(t, X_n) ΔW
//	X_{n+1} = X_n + f(t+h/2, X') h + g(t+h/2, X') ΔW.
//
// Strong order 1.0 for commuting noise (0.5 general), weak order 1.
type Midpoint struct{}

// Name returns "Midpoint".
func (Midpoint) Name() string { return "Midpoint" }

// Calculus returns Stratonovich.
func (Midpoint) Calculus() Calculus { return Stratonovich }

// Order returns the strong and weak orders of Midpoint on noise k.
func (Midpoint) Order(k NoiseKind) (strong, weak float64) { return stratOrder(k) }

// LevyArea returns false.
func (Midpoint) LevyArea() bool { return false }

// NewStepper returns a midpoint stepper for sys.
func (m Midpoint) NewStepper(sys *System) (Stepper, error) {
	if err := checkKind(m, sys); err != nil {
		return nil, err
	}
	return &midpointStepper{newScratch(sys)}, nil
}

type midpointStepper struct{ scratch }

func (s *midpointStepper) Step(dst []float64, t, h float64, x, dw, _ []float64) {
	s.checkLen(dst, x, dw)
	sys := s.sys
	sys.both(s.f, s.g, t, x)
	for i := range s.y {
		s.y[i] = x[i] + 0.5*h*s.f[i]
	}
	sys.addNoise(s.y, 0.5, s.g, dw)
	sys.both(s.f2, s.g2, t+0.5*h, s.y)
	for i := range dst {
		dst[i] = x[i] + h*s.f2[i]
	}
	sys.addNoise(dst, 1, s.g2, dw)
}
