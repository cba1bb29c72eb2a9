package sde

import (
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/integrate/quad"
)

// ouSystem is dX = −κX dt + s dW (Additive), with E X(t)² =
// X0² e^{−2κt} + s²/(2κ)(1 − e^{−2κt}).
func ouSystem(kappa, s float64) *System {
	return &System{
		Dim:       1,
		Noise:     Additive,
		Drift:     func(dst []float64, _ float64, x []float64) { dst[0] = -kappa * x[0] },
		Diffusion: func(dst []float64, _ float64, _ []float64) { dst[0] = s },
	}
}

// exactSecondMoment propagates E Y_n and E Y_n² of method m on a 1-D system
// whose one-step map is affine in the state, Y' = A(ΔW)·Y + C(ΔW) (true
// for Euler–Maruyama and Weak2 on GBM and on the Ornstein–Uhlenbeck
// process: every stage is affine in Y). A and C are read off the method's
// own Step at Y = 0 and Y = 1 at the nodes of a 20-point Gauss–Hermite
// rule, which integrates the polynomials in ΔW that appear (degree ≤ 4)
// exactly, so E_h[Y_N²] is the method's expectation with no statistical
// error. It checks the affinity at Y = 2 and returns E Y_N² after n steps
// of size T/n from y0.
func exactSecondMoment(t *testing.T, sys *System, m Method, y0, T float64, n int) float64 {
	st, err := m.NewStepper(sys)
	if err != nil {
		t.Fatal(err)
	}
	const nodes = 20
	z, wt := make([]float64, nodes), make([]float64, nodes)
	quad.Hermite{}.FixedLocations(z, wt, math.Inf(-1), math.Inf(1))
	h := T / float64(n)
	step := func(tt, y, dw float64) float64 {
		x := []float64{y}
		st.Step(x, tt, h, x, []float64{dw}, nil)
		return x[0]
	}
	m1, m2 := y0, y0*y0
	for k := range n {
		tt := float64(k) * h
		var ea, ec, eaa, eac, ecc float64
		for i := range nodes {
			dw := math.Sqrt(2*h) * z[i] // ΔW = √h·Z, Z = √2·x for the weight e^{−x²}
			w := wt[i] / math.Sqrt(math.Pi)
			c := step(tt, 0, dw)
			a := step(tt, 1, dw) - c
			if y2 := step(tt, 2, dw); math.Abs(y2-(2*a+c)) > 1e-12*(1+math.Abs(y2)) {
				t.Fatalf("%s: one-step map not affine: Step(2) = %v, 2A + C = %v", m.Name(), y2, 2*a+c)
			}
			ea += w * a
			ec += w * c
			eaa += w * a * a
			eac += w * a * c
			ecc += w * c * c
		}
		m1, m2 = ea*m1+ec, eaa*m2+2*eac*m1+ecc
	}
	return m2
}

// TestWeakOrder: the weak error |E_h[X_T²] − E[X_T²]| of Weak2 falls as h²
// and Euler–Maruyama's as h (fitted slopes within ±0.2 of 2 and 1 over
// h = 2⁻³ … 2⁻⁷) on two problems with closed forms: geometric Brownian
// motion (LinearProblem, E X_T² = X0² e^{(2α+β²)T}) and the
// Ornstein–Uhlenbeck process dX = −1.5X dt + 0.8 dW from X0 = 1. The
// method's expectation is computed by exact quadrature of its one-step
// map (exactSecondMoment), so the statistical error is zero and the
// measured error is the bias alone, down to rounding (≈1e-15 relative,
// far below the smallest error, 1e-5 relative).
func TestWeakOrder(t *testing.T) {
	gbm := LinearProblem(false)
	const a, b = 1.01, 0.87
	ou := ouSystem(1.5, 0.8)
	ouExact := math.Exp(-3) + 0.64/3*(1-math.Exp(-3))
	steps := []int{8, 16, 32, 64, 128}
	for _, c := range []struct {
		name  string
		sys   *System
		y0    float64
		exact float64
	}{
		{"GBM", gbm.Sys, 0.5, 0.25 * math.Exp(2*a+b*b)},
		{"OU", ou, 1, ouExact},
	} {
		for _, mc := range []struct {
			m    Method
			want float64
		}{{Weak2{}, 2}, {EulerMaruyama{}, 1}} {
			hs, errs := make([]float64, len(steps)), make([]float64, len(steps))
			for l, n := range steps {
				hs[l] = 1 / float64(n)
				errs[l] = math.Abs(exactSecondMoment(t, c.sys, mc.m, c.y0, 1, n) - c.exact)
			}
			slope, _, err := FitOrder(hs, errs)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s %s: weak errors %.3g, order %.3f", c.name, mc.m.Name(), errs, slope)
			if math.Abs(slope-mc.want) > 0.2 {
				t.Errorf("%s %s: weak order %.3f, want %v ± 0.2 (errors %.3g)", c.name, mc.m.Name(), slope, mc.want, errs)
			}
		}
	}
}

// TestWeak2Ensemble: SolveEnsemble with Weak2 on GBM at h = 1/4 (4 steps)
// estimates E X_T² within 5 standard errors (estimated from the same 10⁵
// paths) of the method's exact expectation (exactSecondMoment): the
// ensemble solver runs the scheme whose bias TestWeakOrder measures. (At
// this step the biases are 0.29 for Weak2 and 1.63 for Euler–Maruyama on
// E X_T² = 4.02, logged.)
func TestWeak2Ensemble(t *testing.T) {
	p := LinearProblem(false)
	const paths, n = 100000, 4
	sol, err := SolveEnsemble(p.Sys, Weak2{}, &Ensemble{Paths: paths, Seed: 21, X0: p.X0, Store: true}, []float64{0, 1}, &Settings{Step: 1.0 / n})
	if err != nil {
		t.Fatal(err)
	}
	var s, s2 float64
	for i := range paths {
		v := sol.X[1].At(i, 0)
		s += v * v
		s2 += v * v * v * v
	}
	mean := s / paths
	se := math.Sqrt((s2/paths - mean*mean) / paths)
	want := exactSecondMoment(t, p.Sys, Weak2{}, 0.5, 1, n)
	if math.Abs(mean-want) > 5*se {
		t.Errorf("Weak2, h = 1/4: E X_T² = %.4g ± %.2g, quadrature %.4g", mean, se, want)
	}
	t.Logf("h = 1/4: ensemble %.4g ± %.2g, Weak2 quadrature %.4g, EM quadrature %.4g, exact %.4g",
		mean, se, want, exactSecondMoment(t, p.Sys, EulerMaruyama{}, 0.5, 1, n), 0.25*math.Exp(2*1.01+0.87*0.87))
}

// TestWeak2Noise: Weak2 refuses more than one Brownian motion and General
// noise with an error naming the noise.
func TestWeak2Noise(t *testing.T) {
	two := &System{Dim: 2, Drift: func(dst []float64, _ float64, x []float64) { copy(dst, x) }, Diffusion: func(dst []float64, _ float64, x []float64) { copy(dst, x) }}
	if _, err := Solve(two, Weak2{}, []float64{1, 1}, []float64{0, 1}, nil); err == nil || !strings.Contains(err.Error(), "Weak2 needs one Brownian motion") {
		t.Errorf("diagonal d = 2: error %v", err)
	}
	gen := &System{Dim: 1, NoiseDim: 1, Noise: General, Drift: two.Drift, Diffusion: two.Diffusion}
	if _, err := Solve(gen, Weak2{}, []float64{1}, []float64{0, 1}, nil); err == nil || !strings.Contains(err.Error(), "general") {
		t.Errorf("general noise: error %v", err)
	}
}

// TestWeak2StrongOrder: Weak2 contains the Milstein term, so its strong
// order is 1 (slope within ±0.2 over h = 2⁻³ … 2⁻⁸, the band of the
// explicit methods' order tests) on LinearProblem and on the 2-D
// scalar-noise StiffManifoldProblem with a mild λ = 2.
func TestWeak2StrongOrder(t *testing.T) {
	skipStatisticalUnderRace(t)
	for _, p := range []*Problem{LinearProblem(false), StiffManifoldProblem(2)} {
		cv, err := ConvergenceStudy(p, Weak2{}, &ConvergenceSettings{Steps: []int{8, 16, 32, 64, 128, 256}, Paths: 4000, Seed: 2})
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(cv.StrongOrder-1) > 0.2 {
			t.Errorf("%s: Weak2 strong order %.3f, want 1 ± 0.2 (errors %.3g)", p.Name, cv.StrongOrder, cv.Strong)
		}
	}
}
