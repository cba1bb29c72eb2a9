package sde

import "fmt"

// Method is a one-step integration scheme. A Method value is a small
// configuration (the types EulerMaruyama, Milstein, MilsteinGeneral,
// SRIGeneral, SROCK, SRA1, SRID2, Heun, EulerHeun, Midpoint and
// ReversibleHeun, among others, implement it); NewStepper binds it to a System
// and allocates the scratch space of one path.
type Method interface {
	// Name is a short human-readable name.
	Name() string
	// Calculus is the integral (Itô or Stratonovich) the method converges to.
	Calculus() Calculus
	// Order returns the strong (mean-square, pathwise) and weak orders of the
	// method on noise of kind k; strong == 0 means k is not supported.
	Order(k NoiseKind) (strong, weak float64)
	// LevyArea reports whether Step needs the space-time Lévy area
	// U = ∫_t^{t+h} (W_s − W_t) ds in addition to ΔW.
	LevyArea() bool
	// NewStepper returns a stepper for sys, or an error naming the problem
	// if the method does not support sys (for example its noise kind).
	NewStepper(sys *System) (Stepper, error)
}

// Stepper advances one path of a System by one step. It owns scratch space,
// so one Stepper must not be used by two goroutines at once.
type Stepper interface {
	// Step writes into dst the state at t+h, given the state x at t, the
	// Brownian increment dw = W(t+h) − W(t) (len NoiseDim) and, for methods
	// with LevyArea, u = ∫_t^{t+h}(W_s − W_t) ds (len NoiseDim; else nil).
	// dst and x may be the same slice. Step does not allocate.
	Step(dst []float64, t, h float64, x, dw, u []float64)
	// Reset tells a stateful method (ReversibleHeun) that the path restarts
	// at (t, x). Stateless methods ignore it.
	Reset(t float64, x []float64)
}

// checkKind returns an error if m does not support the noise kind of sys.
func checkKind(m Method, sys *System) error {
	if err := sys.Validate(); err != nil {
		return err
	}
	if s, _ := m.Order(sys.Noise); s == 0 {
		return fmt.Errorf("sde: method %s does not support System.Noise = %v", m.Name(), sys.Noise)
	}
	return nil
}

// scratch holds the per-path buffers shared by the steppers.
type scratch struct {
	sys  *System
	f, g []float64 // drift and diffusion at the base point
	f2   []float64 // drift at a stage point
	g2   []float64 // diffusion at a stage point
	g3   []float64 // scratch for DriftDiffusion when only f is wanted
	y    []float64 // stage state
}

// trapezoid evaluates (f2, g2) = (f, g)(t+h, y) at the stage state y and sets
// dst = x + ½(f + f2)h + ½(g + g2)ΔW, with (f, g) at the base point: the trapezoidal
// corrector of Heun and reversible Heun.
func (s *scratch) trapezoid(dst, x []float64, t, h float64, dw []float64) {
	sys := s.sys
	sys.both(s.f2, s.g2, t+h, s.y)
	for i := range dst {
		dst[i] = x[i] + 0.5*h*(s.f[i]+s.f2[i])
	}
	sys.addNoise(dst, 0.5, s.g, dw)
	sys.addNoise(dst, 0.5, s.g2, dw)
}

func newScratch(sys *System) scratch {
	d, gl := sys.Dim, sys.DiffusionLen()
	buf := padded(3*d + 3*gl)
	return scratch{
		sys: sys,
		f:   buf[0:d:d],
		f2:  buf[d : 2*d : 2*d],
		y:   buf[2*d : 3*d : 3*d],
		g:   buf[3*d : 3*d+gl : 3*d+gl],
		g2:  buf[3*d+gl : 3*d+2*gl : 3*d+2*gl],
		g3:  buf[3*d+2*gl : 3*d+3*gl : 3*d+3*gl],
	}
}

// Reset does nothing: the steppers embedding scratch are stateless.
func (s *scratch) Reset(float64, []float64) {}

// checkLen panics with an sde: message if a slice has the wrong length.
func (s *scratch) checkLen(dst, x, dw []float64) {
	if len(dst) != s.sys.Dim || len(x) != s.sys.Dim {
		panic(fmt.Sprintf("sde: Step: len(dst) = %d, len(x) = %d, want Dim = %d", len(dst), len(x), s.sys.Dim))
	}
	if len(dw) != s.sys.M() {
		panic(fmt.Sprintf("sde: Step: len(dw) = %d, want NoiseDim = %d", len(dw), s.sys.M()))
	}
}

// padded returns a slice of length n whose backing array has 64 bytes of
// unused space on each side, so that buffers written on every step by
// different goroutines never share a cache line (false sharing made the
// parallel ensemble several times slower than one path).
func padded(n int) []float64 {
	return make([]float64, n+16)[8 : 8+n : 8+n]
}
