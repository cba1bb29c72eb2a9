package sde

import "math"

// fresh runs ns Euler–Maruyama steps from time a to b (step times
// a + j·dt, the last one exactly b) with increments drawn from inc, for
// Diagonal and Additive noise. It computes what the generic loop of
// solver.run computes with Increments.Increment and Step, bit for bit,
// without the per-step interface calls. It returns the number of steps
// taken and whether the state stayed finite.
func (s *emStepper) fresh(x []float64, a, b, dt float64, ns int, inc *Increments, dom Domain) (int, bool) {
	sys := s.sys
	n := len(x)
	gen := &inc.gen
	fg := sys.DriftDiffusion
	if n == 1 && dom == nil && gen.pcg != nil {
		return s.fresh1(x, a, b, dt, ns, gen)
	}
	f, g := s.f[:n], s.g[:n]
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

// fresh1 is fresh for one-dimensional systems (any callback form), no
// Domain and a PCG source: the same arithmetic in the same order, with the
// state, drift and diffusion as scalars, the callbacks chosen once
// (System.pointwise) and the PCG called directly, so that the loop around
// the callback is as short as it can be. The fused and the separate form
// have a loop each, which differ only in the callback lines: a test of the
// form inside the loop cost ≈ 10 % on the fused form, and the update as a
// function is too large to inline.
func (s *emStepper) fresh1(x []float64, a, b, dt float64, ns int, gen *normalGen) (int, bool) {
	fg, dr, df := s.sys.pointwise()
	pcg := gen.pcg
	f, g, xs := s.f[:1], s.g[:1], x[:1]
	t0 := a
	hPrev, sq := math.NaN(), math.NaN()
	if fg != nil {
		for j := 1; j <= ns; j++ {
			t1 := a + float64(j)*dt
			if j == ns {
				t1 = b
			}
			h := t1 - t0
			if h != hPrev {
				hPrev, sq = h, math.Sqrt(h)
			}
			fg(f, g, t0, xs)
			u := pcg.Uint64()
			z, ok := zigFast(u)
			if !ok {
				z = gen.slowFrom(u)
			}
			v := xs[0] + h*f[0] + g[0]*(sq*z)
			xs[0] = v
			if v-v != 0 {
				return j, false
			}
			t0 = t1
		}
		return ns, true
	}
	for j := 1; j <= ns; j++ {
		t1 := a + float64(j)*dt
		if j == ns {
			t1 = b
		}
		h := t1 - t0
		if h != hPrev {
			hPrev, sq = h, math.Sqrt(h)
		}
		dr(f, t0, xs)
		df(g, t0, xs)
		u := pcg.Uint64()
		z, ok := zigFast(u)
		if !ok {
			z = gen.slowFrom(u)
		}
		v := xs[0] + h*f[0] + g[0]*(sq*z)
		xs[0] = v
		if v-v != 0 {
			return j, false
		}
		t0 = t1
	}
	return ns, true
}
