package sde

import (
	"math"
	"testing"

	"github.com/sdeml/sdeml/internal/parallel"
)

// summing wraps a Brownian and adds up the increments it hands out.
type summing struct {
	Brownian
	sum []float64
}

func (s *summing) Increment(dw, u []float64, t0, t1 float64) {
	s.Brownian.Increment(dw, u, t0, t1)
	for i, v := range dw {
		s.sum[i] += v
	}
}

// gbm is prob_sde_linear of SDEProblemLibrary: dX = αX dt + βX dW (Itô),
// X(t) = x0 exp((α − β²/2)t + βW_t).
func gbm() *System {
	const a, b = 1.01, 0.87
	return &System{
		Dim:            1,
		Drift:          func(dst []float64, _ float64, x []float64) { dst[0] = a * x[0] },
		Diffusion:      func(dst []float64, _ float64, x []float64) { dst[0] = b * x[0] },
		DiffusionDeriv: func(dst []float64, _ float64, x []float64) { dst[0] = b * b * x[0] },
	}
}

// TestWienerExact: with f = 0 and g = 1 every method reproduces W exactly
// (the only error is rounding in the sum of increments, ≤ n ulps of |W|).
func TestWienerExact(t *testing.T) {
	for _, add := range []bool{false, true} {
		kind := Diagonal
		if add {
			kind = Additive
		}
		sys := &System{
			Dim: 3, Noise: kind,
			Drift: func(dst []float64, _ float64, _ []float64) { clear(dst) },
			Diffusion: func(dst []float64, _ float64, _ []float64) {
				for i := range dst {
					dst[i] = 1
				}
			},
			DiffusionDeriv: func(dst []float64, _ float64, _ []float64) { clear(dst) },
		}
		ms := []Method{EulerMaruyama{}, Milstein{}, Milstein{DerivativeFree: true}, Heun{}, EulerHeun{}, Midpoint{}, ReversibleHeun{}}
		ms = append(ms, SRID2{})
		if add {
			ms = append(ms, SRA1{})
		}
		ts := []float64{0, 0.3, 1}
		for _, m := range ms {
			sys.Calculus = m.Calculus() // g is constant: both calculi give W
			// Reference: the same increments summed directly.
			rec := &summing{Brownian: NewIncrements(parallel.Stream(7, 0), 3), sum: make([]float64, 3)}
			sol, err := Solve(sys, m, []float64{0, 0, 0}, ts, &Settings{Step: 0.01, Brownian: rec})
			if err != nil {
				t.Fatalf("%s: %v", m.Name(), err)
			}
			w := rec.sum
			for i := range w {
				// 1e-14: 100 additions of O(0.1) increments, each exact to
				// 1 ulp of |W| ≤ ~4.
				if d := math.Abs(sol.X.At(2, i) - w[i]); d > 1e-14 {
					t.Errorf("%s (%v): X(1)[%d] = %v, W(1) = %v, diff %g", m.Name(), kind, i, sol.X.At(2, i), w[i], d)
				}
			}
		}
	}
}

// TestFastPathIdentical: the Euler–Maruyama fast path (fresh Increments,
// diagonal noise) gives bitwise the same states as the generic loop, which
// runs when the Increments are hidden behind a wrapper.
func TestFastPathIdentical(t *testing.T) {
	p := CubicProblem()
	ts := []float64{0, 0.33, 1}
	for _, dom := range []Domain{nil, FoldBox{Lo: -0.2, Hi: 0.9}} {
		a, err := Solve(p.Sys, EulerMaruyama{}, p.X0, ts, &Settings{Step: 0.007, Brownian: NewIncrements(parallel.Stream(3, 0), 1), Domain: dom})
		if err != nil {
			t.Fatal(err)
		}
		rec := &summing{Brownian: NewIncrements(parallel.Stream(3, 0), 1), sum: make([]float64, 1)}
		b, err := Solve(p.Sys, EulerMaruyama{}, p.X0, ts, &Settings{Step: 0.007, Brownian: rec, Domain: dom})
		if err != nil {
			t.Fatal(err)
		}
		for k := range ts {
			if a.X.At(k, 0) != b.X.At(k, 0) {
				t.Errorf("domain %v, t = %v: fast path %v, generic %v", dom, ts[k], a.X.At(k, 0), b.X.At(k, 0))
			}
		}
		if a.Steps != b.Steps {
			t.Errorf("steps %d vs %d", a.Steps, b.Steps)
		}
	}
}

// TestSaveCallback: Save sees every output time, in order, with the state
// stored in the Solution, and output times are hit exactly even when the
// step does not divide the intervals.
func TestSaveCallback(t *testing.T) {
	p := CubicProblem()
	ts := []float64{0, 0.1, 0.35, 1}
	var got []float64
	var xs []float64
	sol, err := Solve(p.Sys, Milstein{}, p.X0, ts, &Settings{Step: 0.03, Seed: 2, Save: func(tt float64, x []float64) {
		got = append(got, tt)
		xs = append(xs, x[0])
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(ts) {
		t.Fatalf("Save called %d times, want %d", len(got), len(ts))
	}
	for k := range ts {
		if got[k] != ts[k] || xs[k] != sol.X.At(k, 0) {
			t.Errorf("Save %d: t = %v x = %v, want t = %v x = %v", k, got[k], xs[k], ts[k], sol.X.At(k, 0))
		}
	}
	// Steps: ⌈0.1/0.03⌉ + ⌈0.25/0.03⌉ + ⌈0.65/0.03⌉ = 4 + 9 + 22.
	if sol.Steps != 35 {
		t.Errorf("%d steps, want 35", sol.Steps)
	}
}

// TestGeneralNoiseLayout: with f = 0 and a constant 2×3 matrix G (general
// noise, row-major), each method gives X(T) = X0 + G·W(T) up to the
// rounding of 100 summed steps (1e-13 on O(10) values).
func TestGeneralNoiseLayout(t *testing.T) {
	gm := []float64{1, -2, 0.5, 0.3, 0, 4}
	sys := &System{Dim: 2, NoiseDim: 3, Noise: General, Drift: func(dst []float64, _ float64, _ []float64) { clear(dst) },
		Diffusion: func(dst []float64, _ float64, _ []float64) { copy(dst, gm) }}
	for _, m := range []Method{EulerMaruyama{}, Heun{}, Midpoint{}, EulerHeun{}, ReversibleHeun{}} {
		sys.Calculus = m.Calculus() // G is constant: both calculi give G·W
		rec := &summing{Brownian: NewIncrements(parallel.Stream(4, 0), 3), sum: make([]float64, 3)}
		sol, err := Solve(sys, m, []float64{1, 2}, []float64{0, 1}, &Settings{Step: 0.01, Brownian: rec})
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 2; i++ {
			want := []float64{1, 2}[i] + gm[3*i]*rec.sum[0] + gm[3*i+1]*rec.sum[1] + gm[3*i+2]*rec.sum[2]
			if d := math.Abs(sol.X.At(1, i) - want); d > 1e-13 {
				t.Errorf("%s: X(1)[%d] = %v, want %v", m.Name(), i, sol.X.At(1, i), want)
			}
		}
	}
}
