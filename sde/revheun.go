package sde

// ReversibleHeun is the reversible Heun scheme of Kidger, Foster, Li and
// Lyons (ICML 2021, arXiv 2105.13493) for Stratonovich SDEs. It carries an
// auxiliary state z and the vector fields at z between steps:
//
//	z_{n+1} = 2X_n − z_n + f(t, z_n) h + g(t, z_n) ΔW
//	X_{n+1} = X_n + ½(f(t, z_n) + f(t+h, z_{n+1})) h + ½(g(t, z_n) + g(t+h, z_{n+1})) ΔW,
//
// with z_0 = X_0, and needs one evaluation of (f, g) per step. It is
// algebraically reversible. Strong order 0.5 (1.0 for additive noise), weak
// order 1 (torchsde methods/reversible_heun.py).
//
// The stepper is stateful: it assumes each Step continues from the previous
// one and Reset restarts it, so it cannot be used with adaptive stepping or
// with a Domain that moves the state between steps.
type ReversibleHeun struct{}

// Name returns "ReversibleHeun".
func (ReversibleHeun) Name() string { return "ReversibleHeun" }

// Calculus returns Stratonovich.
func (ReversibleHeun) Calculus() Calculus { return Stratonovich }

// Order returns strong 0.5 (1 for Additive) and weak 1, the orders of EulerMaruyama.
func (ReversibleHeun) Order(k NoiseKind) (strong, weak float64) { return EulerMaruyama{}.Order(k) }

// LevyArea returns false.
func (ReversibleHeun) LevyArea() bool { return false }

// NewStepper returns a reversible Heun stepper for sys; call Reset before the
// first Step.
func (m ReversibleHeun) NewStepper(sys *System) (Stepper, error) {
	if err := checkKind(m, sys); err != nil {
		return nil, err
	}
	d := sys.Dim
	return &revHeunStepper{scratch: newScratch(sys), z: padded(d)}, nil
}

type revHeunStepper struct {
	scratch
	z     []float64
	valid bool
}

// Reset sets z = x and evaluates (f, g) at (t, x).
func (s *revHeunStepper) Reset(t float64, x []float64) {
	copy(s.z, x)
	s.sys.both(s.f, s.g, t, s.z)
	s.valid = true
}

func (s *revHeunStepper) Step(dst []float64, t, h float64, x, dw, _ []float64) {
	s.checkLen(dst, x, dw)
	if !s.valid {
		s.Reset(t, x)
	}
	sys := s.sys
	// z1 = 2x − z + f0 h + g0 ΔW, in y.
	for i := range s.y {
		s.y[i] = 2*x[i] - s.z[i] + h*s.f[i]
	}
	sys.addNoise(s.y, 1, s.g, dw)
	s.trapezoid(dst, x, t, h, dw)
	// Carry z1 and (f, g)(t+h, z1) to the next step.
	s.z, s.y = s.y, s.z
	s.f, s.f2 = s.f2, s.f
	s.g, s.g2 = s.g2, s.g
}
