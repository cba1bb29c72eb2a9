package sde

import (
	"math"
	"runtime"
	"strings"
	"testing"
)

// TestImplicitLinearStep: on dX = λX dt + μX dW one step of the θ-method is
// X₁ = X₀ (1 + (1−θ)λh + μΔW)/(1 − θλh), and of drift-implicit Milstein
// the same with + ½μ²(ΔW² − h) in the numerator (solve the linear stage
// equation by hand). The Newton stage must reproduce it to rounding
// (1e-13 relative: two Newton iterations, the second a correction of
// order ε; with finite differences J = λ(1 + O(1e-8)), so the iteration
// contracts by 1e-8 per step and three steps reach ε).
func TestImplicitLinearStep(t *testing.T) {
	for _, jac := range []bool{true, false} {
		for _, th := range []float64{0.25, 0.5, 1} {
			for _, c := range []struct{ lambda, mu, h, dw float64 }{
				{-50, 1, 0.05, 0.13}, {-3, 2, 0.1, -0.4}, {2, 0.5, 0.01, 0.07}, {-1e4, 0.1, 1, 1.3},
			} {
				p := LinearTestProblem(c.lambda, c.mu)
				if !jac {
					p.Sys.DriftJacobian = nil
				}
				for _, m := range []Method{ImplicitEuler{Theta: th}, ImplicitMilstein{Theta: th}} {
					st, err := m.NewStepper(p.Sys)
					if err != nil {
						t.Fatal(err)
					}
					x := []float64{1.7}
					st.Step(x, 0.3, c.h, x, []float64{c.dw}, nil)
					num := 1 + (1-th)*c.lambda*c.h + c.mu*c.dw
					if _, ok := m.(ImplicitMilstein); ok {
						num += 0.5 * c.mu * c.mu * (c.dw*c.dw - c.h)
					}
					want := 1.7 * num / (1 - th*c.lambda*c.h)
					if math.Abs(x[0]-want) > 1e-13*math.Abs(want) {
						t.Errorf("%s jac=%v %+v: X₁ = %.17g, want %.17g", m.Name(), jac, c, x[0], want)
					}
				}
			}
		}
	}
}

// TestMSStabilityRegion: over a grid of (λh, μ²h) the mean square after n
// steps, estimated from many paths of SolveEnsemble, matches the closed form
// X₀²·Rⁿ with R = MSAmplification(θ, λh, μ²h) (within 5.5 standard errors
// of the sample mean of X_n², estimated from the same paths: a failure
// probability below 1e-7 per point under the normal approximation, whose
// validity n = 3 keeps: X_n² is a product of three squared Gaussian
// factors with finite fourth moments). Where R and 1 are more than 6
// standard errors apart the estimate therefore also decides stability
// (growth or decay of E X²) the same way as the closed form, which is
// checked against the stated regions: θ-method stable iff
// (1 + (1−θ)λh)² + μ²h < (1 − θλh)²; Euler–Maruyama unstable at points
// where θ = 1 is stable.
func TestMSStabilityRegion(t *testing.T) {
	skipStatisticalUnderRace(t)
	const paths, n, h = 40000, 3, 0.1
	emOnlyUnstable := 0
	for _, z := range []float64{-30, -8, -2.5, -1, -0.3, 0.4} {
		for _, w := range []float64{0.05, 0.5, 1.5} {
			for _, th := range []float64{0, 0.5, 1} {
				r := MSAmplification(th, z, w)
				stable := math.Pow(1+(1-th)*z, 2)+w < math.Pow(1-th*z, 2)
				if (r < 1) != stable {
					t.Fatalf("θ=%v z=%v w=%v: R = %v disagrees with the stated region", th, z, w, r)
				}
				if th == 0 && !stable && MSAmplification(1, z, w) < 1 {
					emOnlyUnstable++
				}
				lambda, mu := z/h, math.Sqrt(w/h)
				p := LinearTestProblem(lambda, mu)
				var m Method = ImplicitEuler{Theta: th}
				if th == 0 {
					m = EulerMaruyama{}
				}
				sol, err := SolveEnsemble(p.Sys, m, &Ensemble{Paths: paths, Seed: 11, X0: p.X0, Store: true}, []float64{0, n * h}, &Settings{Step: h})
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
				want := math.Pow(r, n)
				if math.Abs(mean-want) > 5.5*se {
					t.Errorf("%s z=%v w=%v: E X_n² = %.4g ± %.2g, closed form Rⁿ = %.4g", m.Name(), z, w, mean, se, want)
				}
				if math.Abs(want-1) > 6*se && (mean < 1) != (r < 1) {
					t.Errorf("%s z=%v w=%v: estimate %.4g and R = %.4g disagree on stability", m.Name(), z, w, mean, r)
				}
			}
		}
	}
	if emOnlyUnstable != 10 { // counted from the closed form over the grid above
		t.Errorf("%d grid points where EM is unstable and θ = 1 stable, want 10", emOnlyUnstable)
	}
}

// TestImplicitStiffBlowUp: dX = −50X dt + X dW with h = 0.05 over 40 steps.
// Per step, log|X| changes by log|−1.5 + √h Z| under Euler–Maruyama
// (mean 0.394, sd 0.154 by Gauss–Hermite quadrature) and by
// log|(1 + √h Z)/3.5| under ImplicitEuler (mean −1.280, sd 0.242), so after
// 40 steps log|X_T/X_0| ≈ N(15.8, 0.97²) resp. N(−51.2, 1.53²): every one
// of 2000 paths has |X_T| > 1e4 under EM (6.7 sd below the mean) and
// |X_T| < 1e-10 under ImplicitEuler (18 sd above). The ensemble is also
// bit-identical for GOMAXPROCS 1 and 2.
func TestImplicitStiffBlowUp(t *testing.T) {
	p := LinearTestProblem(-50, 1)
	ts := []float64{0, 2}
	set := &Settings{Step: 0.05}
	run := func(m Method, procs int) *EnsembleSolution {
		old := runtime.GOMAXPROCS(procs)
		defer runtime.GOMAXPROCS(old)
		sol, err := SolveEnsemble(p.Sys, m, &Ensemble{Paths: 2000, Seed: 3, X0: p.X0, Store: true}, ts, set)
		if err != nil {
			t.Fatal(err)
		}
		return sol
	}
	em := run(EulerMaruyama{}, 2)
	for _, m := range []Method{ImplicitEuler{}, ImplicitMilstein{}} {
		a, b := run(m, 1), run(m, 2)
		for i := range 2000 {
			if e, v, w := math.Abs(em.X[1].At(i, 0)), a.X[1].At(i, 0), b.X[1].At(i, 0); !(e > 1e4) || !(math.Abs(v) < 1e-10) || v != w {
				t.Fatalf("path %d: EM |X_T| = %g (want > 1e4), %s X_T = %g (want |·| < 1e-10), GOMAXPROCS 2 gives %g", i, e, m.Name(), v, w)
			}
		}
	}
}

// TestImplicitStrongOrderStiff: on StiffManifoldProblem(λ = 1000) (Jacobian
// eigenvalues ½ and −1000, so λh runs from 125 to 3.9 over the steps
// 2⁻³ … 2⁻⁸) the implicit methods converge at their orders, ImplicitEuler
// 0.5 on this multiplicative noise and ImplicitMilstein 1 (slope within
// ±0.2, the band of the explicit methods' order tests on 2000 paths),
// while Euler–Maruyama, whose fast component is multiplied by 1 − λh per
// step, exceeds 1e6 (the solution is O(1)) on every path at h = 2⁻⁸.
func TestImplicitStrongOrderStiff(t *testing.T) {
	skipStatisticalUnderRace(t)
	p := StiffManifoldProblem(1000)
	steps := []int{8, 16, 32, 64, 128, 256}
	for _, c := range []struct {
		m    Method
		want float64
	}{{ImplicitEuler{}, 0.5}, {ImplicitEuler{Theta: 0.5}, 0.5}, {ImplicitMilstein{}, 1}, {ImplicitMilstein{DerivativeFree: true}, 1}} {
		cv, err := ConvergenceStudy(p, c.m, &ConvergenceSettings{Steps: steps, Paths: 2000, Seed: 5})
		if err != nil {
			t.Fatalf("%s: %v", c.m.Name(), err)
		}
		t.Logf("%s: strong errors %.3g, order %.3f", c.m.Name(), cv.Strong, cv.StrongOrder)
		if math.Abs(cv.StrongOrder-c.want) > 0.2 {
			t.Errorf("%s: strong order %.3f, want %v ± 0.2 (errors %.3g)", c.m.Name(), cv.StrongOrder, c.want, cv.Strong)
		}
	}
	sol, err := SolveEnsemble(p.Sys, EulerMaruyama{}, &Ensemble{Paths: 200, Seed: 5, X0: p.X0, Store: true}, []float64{0, 1}, &Settings{Step: 1.0 / 256})
	if err == nil {
		for i := range 200 {
			if v := math.Abs(sol.X[1].At(i, 1)); !(v > 1e6) {
				t.Fatalf("Euler–Maruyama, h = 1/256, path %d: |X₂(1)| = %v, want > 1e6 (unstable)", i, v)
			}
		}
	}
}

// TestImplicitBadInput: invalid θ or Newton settings, a Jacobian that does
// not fill Dim×Dim entries, a drift that turns NaN, a stage equation
// without a root, and Milstein without DiffusionDeriv give errors naming
// the field and value.
func TestImplicitBadInput(t *testing.T) {
	lin := LinearTestProblem(-1, 0.5)
	two := &System{
		Dim:       2,
		Drift:     func(dst []float64, _ float64, x []float64) { dst[0], dst[1] = -x[0], -2*x[1] },
		Diffusion: func(dst []float64, _ float64, x []float64) { dst[0], dst[1] = 0.1, 0.1 },
		// A diagonal Jacobian written as two entries instead of 2×2.
		DriftJacobian: func(jac []float64, _ float64, _ []float64) { jac[0], jac[1] = -1, -2 },
	}
	noRoot := &System{ // y − h(1 + y²) = c has no real root when 4h(h + c) > 1
		Dim:       1,
		Drift:     func(dst []float64, _ float64, x []float64) { dst[0] = 1 + x[0]*x[0] },
		Diffusion: func(dst []float64, _ float64, _ []float64) { dst[0] = 0 },
	}
	nanDrift := &System{
		Dim: 1,
		Drift: func(dst []float64, _ float64, x []float64) {
			dst[0] = -x[0]
			if x[0] < 0.5 {
				dst[0] = math.NaN()
			}
		},
		Diffusion: func(dst []float64, _ float64, _ []float64) { dst[0] = 0 },
	}
	noDeriv := &System{Dim: 1, Drift: lin.Sys.Drift, Diffusion: lin.Sys.Diffusion}
	for _, c := range []struct {
		name string
		sys  *System
		m    Method
		x0   float64
		want string
	}{
		{"theta < 0", lin.Sys, ImplicitEuler{Theta: -0.1}, 1, "ImplicitEuler.Theta = -0.1"},
		{"theta > 1", lin.Sys, ImplicitMilstein{Theta: 1.5}, 1, "ImplicitMilstein.Theta = 1.5"},
		{"theta NaN", lin.Sys, ImplicitEuler{Theta: math.NaN()}, 1, "ImplicitEuler.Theta = NaN"},
		{"tol", lin.Sys, ImplicitEuler{Newton: Newton{Tol: -1}}, 1, "ImplicitEuler.Newton.Tol = -1"},
		{"tol inf", lin.Sys, ImplicitEuler{Newton: Newton{Tol: math.Inf(1)}}, 1, "ImplicitEuler.Newton.Tol = +Inf"},
		{"maxiter", lin.Sys, ImplicitMilstein{Newton: Newton{MaxIter: -3}}, 1, "ImplicitMilstein.Newton.MaxIter = -3"},
		{"jacobian size", two, ImplicitEuler{}, 1, "System.DriftJacobian left jac[2]"},
		{"no root", noRoot, ImplicitEuler{}, 10, "no consistent root of the implicit stage in the step from t = 0 to 0.1 (h = 0.1)"},
		{"one iteration", lin.Sys, ImplicitEuler{Newton: Newton{MaxIter: 1}}, 1, "did not converge in Newton.MaxIter = 1"},
		{"NaN drift", nanDrift, ImplicitEuler{}, 1, "drift is not finite"},
		{"milstein deriv", noDeriv, ImplicitMilstein{}, 1, "needs System.DiffusionDeriv"},
	} {
		x0 := make([]float64, c.sys.Dim)
		for i := range x0 {
			x0[i] = c.x0
		}
		_, err := Solve(c.sys, c.m, x0, []float64{0, 1}, &Settings{Step: 0.1})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
			continue
		}
		if strings.Count(err.Error(), "sde:") != 1 {
			t.Errorf("%s: error %q repeats the package prefix", c.name, err)
		}
	}
	// The stage error also surfaces from the adaptive and the event loops
	// and from an ensemble (once prefixed, naming the path).
	for _, set := range []*Settings{
		{Step: 0.1, Adaptive: true},
		{Step: 0.1, Event: KillLevel{Index: 0, Level: 100}},
	} {
		_, err := Solve(noRoot, ImplicitMilstein{DerivativeFree: true}, []float64{10}, []float64{0, 1}, set)
		if err == nil || !strings.Contains(err.Error(), "no consistent root") || strings.Count(err.Error(), "sde:") != 1 {
			t.Errorf("settings %+v: error %v", set, err)
		}
	}
	_, err := SolveEnsemble(noRoot, ImplicitEuler{}, &Ensemble{Paths: 3, X0: []float64{10}, Moments: true}, []float64{0, 1}, &Settings{Step: 0.1})
	if err == nil || !strings.Contains(err.Error(), "sde: path 0: ImplicitEuler: no consistent root") {
		t.Errorf("ensemble: error %v", err)
	}
}

// TestImplicitJacobianMatchesFD: on the nonlinear TanhProblem the analytic
// Jacobian and forward differences give the same path to the Newton
// tolerance (1e-10 relative steps; the two iterations differ only in J,
// and both converge to the same root, so the states agree to about
// 1e-10 after 100 steps of a contracting map).
func TestImplicitJacobianMatchesFD(t *testing.T) {
	p := StiffManifoldProblem(1000)
	fd := *p.Sys
	fd.DriftJacobian = nil
	ts := []float64{0, 0.5, 1}
	for _, m := range []Method{ImplicitEuler{}, ImplicitMilstein{Theta: 0.5}} {
		a, err := Solve(p.Sys, m, p.X0, ts, &Settings{Step: 0.01, Seed: 2})
		if err != nil {
			t.Fatal(err)
		}
		b, err := Solve(&fd, m, p.X0, ts, &Settings{Step: 0.01, Seed: 2})
		if err != nil {
			t.Fatal(err)
		}
		for k := range ts {
			if d := math.Abs(a.X.At(k, 0) - b.X.At(k, 0)); d > 1e-9 {
				t.Errorf("%s t = %v: Jacobian %v, finite differences %v", m.Name(), ts[k], a.X.At(k, 0), b.X.At(k, 0))
			}
		}
	}
}

// TestImplicitStepAllocs: a step (Newton stage with LU, both Jacobian
// sources, d = 3) allocates nothing.
func TestImplicitStepAllocs(t *testing.T) {
	sys := &System{
		Dim: 3,
		Drift: func(dst []float64, _ float64, x []float64) {
			dst[0] = -10*x[0] + x[1]*x[1]
			dst[1] = -x[1] + x[2]
			dst[2] = -100 * x[2] * (1 + x[0]*x[0])
		},
		Diffusion: func(dst []float64, _ float64, x []float64) { dst[0], dst[1], dst[2] = 0.1*x[0], 0.2, 0.1*x[2] },
	}
	for _, m := range []Method{ImplicitEuler{}, ImplicitMilstein{DerivativeFree: true, Theta: 0.5}} {
		st, err := m.NewStepper(sys)
		if err != nil {
			t.Fatal(err)
		}
		x, dw := []float64{1, 0.5, -0.3}, []float64{0.01, -0.02, 0.03}
		if a := testing.AllocsPerRun(100, func() { st.Step(x, 0, 0.01, x, dw, nil) }); a != 0 {
			t.Errorf("%s: %v allocs per step, want 0", m.Name(), a)
		}
		if !finite(x) {
			t.Errorf("%s: state %v", m.Name(), x)
		}
	}
}
