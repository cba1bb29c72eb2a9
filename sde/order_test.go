package sde

import (
	"flag"
	"math"
	"strings"
	"testing"
)

var (
	orderSeed = flag.Uint64("orderseed", 1, "seed of the convergence-order tests")
	orderCase = flag.String("ordercase", "", "run only the strong-order cases whose \"problem / method\" contains this string")
)

// strongCase is one row of the strong-order table.
type strongCase struct {
	p     *Problem
	m     Method
	want  float64
	paths int // 0 means 2000
}

func strongCases() []strongCase {
	return []strongCase{
		{LinearProblem(false), EulerMaruyama{}, 0.5, 8000},
		{LinearProblem(false), Milstein{}, 1, 8000},
		{LinearProblem(false), Milstein{DerivativeFree: true}, 1, 8000},
		{LinearProblem(true), Heun{}, 1, 8000},
		{LinearProblem(true), EulerHeun{}, 1, 8000},
		{LinearProblem(true), Midpoint{}, 1, 8000},
		{LinearProblem(true), Milstein{Stratonovich: true}, 1, 8000},
		{LinearProblem(true), Milstein{Stratonovich: true, DerivativeFree: true}, 1, 8000},
		{LinearProblem(false), SRID2{}, 1.5, 16000},
		{Linear2DProblem(), EulerMaruyama{}, 0.5, 0},
		{Linear2DProblem(), Milstein{}, 1, 0},
		{Linear2DProblem(), SRID2{}, 1.5, 8000},
		{CubicProblem(), SRID2{}, 1.5, 8000},
		{WaveProblem(), SRID2{}, 1.5, 8000},
		{NonlinearAdditiveProblem(), SRID2{}, 1.5, 0},
		{CubicProblem(), EulerMaruyama{}, 0.5, 0},
		{CubicProblem(), Milstein{}, 1, 0},
		{CubicProblem(), Milstein{DerivativeFree: true}, 1, 0},
		{WaveProblem(), EulerMaruyama{}, 0.5, 0},
		{WaveProblem(), Milstein{}, 1, 0},
		{AdditiveProblem(1), EulerMaruyama{}, 1, 0},
		{AdditiveProblem(4), EulerMaruyama{}, 1, 0},
		{NonlinearAdditiveProblem(), ReversibleHeun{}, 1, 0},
		{NonlinearAdditiveProblem(), Heun{}, 1, 0},
		{NonlinearAdditiveProblem(), SRA1{}, 1.5, 0},
		{NonlinearAdditiveProblem(), EulerMaruyama{}, 1, 0},
		// SRA1 on the linear additive problems: the h^1.5 terms of its local
		// error are proportional to f'' and vanish, leaving order 2
		// (this test measures 2.00).
		{AdditiveProblem(1), SRA1{}, 2, 0},
		{AdditiveProblem(4), SRA1{}, 2, 0},
	}
}

// TestStrongOrder fits log RMS error against log h over the 6 step sizes
// 2^-3 … 2^-8 and checks the slope against the theoretical order within
// ±0.15 (the tolerance of the issue; StochasticDiffEq.jl uses ±0.2 with 100
// paths). Path counts come from a calibration over seeds (-orderseed 9…37
// for all cases, 40…59 for SRID2 with -ordercase SRID2; table in
// docs/REPRODUCTION.md): the GBM problems have heavy-tailed
// errors and get 8000–16000 paths. With those counts the smallest margin is
// EM on GBM, mean slope 0.554 with seed-to-seed SD 0.018, 5.3 SD inside the
// band; every other case is ≥ 6 SD inside, so a correct implementation fails
// a case with probability below 1e-6.
func TestStrongOrder(t *testing.T) {
	skipStatisticalUnderRace(t)
	t.Parallel()
	for _, c := range strongCases() {
		if !strings.Contains(c.p.Name+" / "+c.m.Name(), *orderCase) {
			continue
		}
		cfg := &ConvergenceSettings{Steps: []int{8, 16, 32, 64, 128, 256}, Paths: 2000, Seed: *orderSeed, Reference: SRA1{}}
		if c.paths != 0 {
			cfg.Paths = c.paths
		}
		if c.p.Exact == nil {
			cfg.FineSteps = 4096
		}
		r, err := ConvergenceStudy(c.p, c.m, cfg)
		if err != nil {
			t.Fatalf("%s / %s: %v", c.p.Name, c.m.Name(), err)
		}
		if math.Abs(r.StrongOrder-c.want) > 0.15 {
			t.Errorf("%s / %s: strong order %.3f, want %.2f ± 0.15 (errors %.3g)", c.p.Name, c.m.Name(), r.StrongOrder, c.want, r.Strong)
		}
		if testing.Verbose() {
			t.Logf("%-24s %-22s order %.3f (theory %.1f)", c.p.Name, c.m.Name(), r.StrongOrder, c.want)
		}
	}
}

// TestWeakOrderEM: for GBM, the Euler–Maruyama mean is exactly
// E X_h(T) = x0 (1 + αh)^n, so the weak error with φ(x) = x is
// x0 |e^{αT} − (1+αh)^{T/h}|. The Monte Carlo estimate (control variate on
// the same paths) must match it within 4.5 standard errors at every level
// (two-sided normal tail 7e-6 per level, < 1e-4 over the 5 levels), and the
// fitted weak order must be 1 ± 0.3.
func TestWeakOrderEM(t *testing.T) {
	skipStatisticalUnderRace(t)
	t.Parallel()
	p := LinearProblem(false)
	r, err := ConvergenceStudy(p, EulerMaruyama{}, &ConvergenceSettings{
		Steps: []int{4, 8, 16, 32, 64}, Paths: 20000, Seed: 3,
		Phi: func(x []float64) float64 { return x[0] },
	})
	if err != nil {
		t.Fatal(err)
	}
	const a = 1.01
	for l, h := range r.H {
		exact := p.X0[0] * math.Abs(math.Exp(a*p.T)-math.Pow(1+a*h, p.T/h))
		if math.Abs(r.Weak[l]-exact) > 4.5*r.WeakSE[l] {
			t.Errorf("h = %v: weak error %.4g ± %.2g, closed form %.4g", h, r.Weak[l], r.WeakSE[l], exact)
		}
	}
	if math.Abs(r.WeakOrder-1) > 0.3 {
		t.Errorf("weak order %.3f, want 1 ± 0.3 (errors %.3g)", r.WeakOrder, r.Weak)
	}
}

// TestOrderTable checks that Method.Order reports the table of doc.go and
// that unsupported kinds are refused by NewStepper.
func TestOrderTable(t *testing.T) {
	kinds := []NoiseKind{Additive, Diagonal, Scalar, General}
	for _, c := range []struct {
		m      Method
		strong [4]float64
		weak   float64
	}{
		{EulerMaruyama{}, [4]float64{1, 0.5, 0.5, 0.5}, 1},
		{Milstein{}, [4]float64{1, 1, 1, 0}, 1},
		{SRA1{}, [4]float64{1.5, 0, 0, 0}, 2},
		{SRID2{}, [4]float64{1.5, 1.5, 1.5, 0}, 1.5},
		{Heun{}, [4]float64{1, 1, 1, 0.5}, 1},
		{EulerHeun{}, [4]float64{1, 1, 1, 0.5}, 1},
		{Midpoint{}, [4]float64{1, 1, 1, 0.5}, 1},
		{ReversibleHeun{}, [4]float64{1, 0.5, 0.5, 0.5}, 1},
	} {
		for i, k := range kinds {
			s, w := c.m.Order(k)
			if s != c.strong[i] || (s != 0 && w != c.weak) {
				t.Errorf("%s on %v: orders (%v, %v), want (%v, %v)", c.m.Name(), k, s, w, c.strong[i], c.weak)
			}
			sys := &System{Dim: 2, NoiseDim: map[NoiseKind]int{Scalar: 1}[k] + 2*btoi(k != Scalar), Noise: k, Drift: func([]float64, float64, []float64) {}, Diffusion: func([]float64, float64, []float64) {}, DiffusionDeriv: func([]float64, float64, []float64) {}}
			_, err := c.m.NewStepper(sys)
			if (err == nil) != (s != 0) {
				t.Errorf("%s on %v: NewStepper error %v, supported = %v", c.m.Name(), k, err, s != 0)
			}
		}
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
