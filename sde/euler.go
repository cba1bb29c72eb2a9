package sde

import "math"

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

// fresh runs ns Euler–Maruyama steps from time a to b (step times
// a + j·dt, the last one exactly b) with increments drawn from inc, for
// Diagonal and Additive noise. It does what the generic loop of
// solver.run does with Increments.Increment and Step, bit for bit, without
// the per-step interface calls. It returns the number of steps taken and
// whether the state stayed finite.
func (s *emStepper) fresh(x []float64, a, b, dt float64, ns int, inc *Increments, dom Domain) (int, bool) {
	sys := s.sys
	n := len(x)
	f, g := s.f[:n], s.g[:n]
	gen := &inc.gen
	fg := sys.DriftDiffusion
	t0 := a
	hPrev, sq := math.NaN(), math.NaN()
	for j := 1; j <= ns; j++ {
		t1 := a + float64(j)*dt
		if j == ns {
			t1 = b
		}
		h := t1 - t0
		if h != hPrev {
			hPrev, sq = h, math.Sqrt(h)
		}
		if fg != nil {
			fg(f, g, t0, x)
		} else {
			sys.both(f, g, t0, x)
		}
		var bad float64
		for i := range x {
			// gen.next(), with its common case inlined.
			var u uint64
			if gen.pcg != nil {
				u = gen.pcg.Uint64()
			} else {
				u = gen.src.Uint64()
			}
			z, ok := zigFast(u)
			if !ok {
				z = gen.slowFrom(u)
			}
			w := sq * z
			v := x[i] + h*f[i] + g[i]*w
			x[i] = v
			bad += v - v
		}
		if dom != nil {
			dom.Project(x)
			if !finite(x) {
				return j, false
			}
		} else if bad != 0 {
			return j, false
		}
		t0 = t1
	}
	return ns, true
}
