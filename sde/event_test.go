package sde

import (
	"math"
	"runtime"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
)

// driftedBM is dX = μ dt + σ dW in one dimension (additive noise).
func driftedBM(mu, sigma float64) *System {
	return &System{Dim: 1, Noise: Additive,
		Drift:     func(dst []float64, _ float64, _ []float64) { dst[0] = mu },
		Diffusion: func(dst []float64, _ float64, _ []float64) { dst[0] = sigma },
	}
}

// exitMean returns the mean of the stopping times and its standard error,
// failing if a path did not stop.
func exitMean(t *testing.T, tau []float64) (mean, se float64) {
	t.Helper()
	var s, s2 float64
	for i, v := range tau {
		if math.IsInf(v, 0) || math.IsNaN(v) {
			t.Fatalf("path %d did not stop (τ = %v)", i, v)
		}
		s += v
		s2 += v * v
	}
	n := float64(len(tau))
	mean = s / n
	return mean, math.Sqrt((s2/n - mean*mean) / (n - 1))
}

// exitTimes solves paths of sys from x0 with Euler–Maruyama and step h
// under ev and returns their stopping times.
func exitTimes(t *testing.T, sys *System, ev Event, x0, h, horizon float64, paths int, seed uint64) []float64 {
	t.Helper()
	sol, err := SolveEnsemble(sys, EulerMaruyama{}, &Ensemble{Paths: paths, Seed: seed, X0: []float64{x0}, Moments: true},
		[]float64{0, horizon}, &Settings{Step: h, Event: ev})
	if err != nil {
		t.Fatal(err)
	}
	return sol.StopTime
}

// TestExitTimeBM: the exit time τ of standard Brownian motion from (0, 1)
// started at x has E τ = x(1 − x) (solve ½ u″ = −1, u(0) = u(1) = 0). With
// the bridge correction at h = 0.01, 40000 paths must match within
// 5 SE + h/10: the SE is measured (≈ 0.001); the remaining bias of the
// corrected scheme is O(h) (measured ≤ 3e-4 for h ≤ 0.01, 1.8e-3 at 0.04).
// The horizon 20 is never reached (P(τ > 20) ≤ e^{−π²·20/2}).
func TestExitTimeBM(t *testing.T) {
	skipStatisticalUnderRace(t)
	const h = 0.01
	for _, x := range []float64{0.3, 0.5, 0.9} {
		mean, se := exitMean(t, exitTimes(t, driftedBM(0, 1), KillBox{Lo: 0, Hi: 1}, x, h, 20, 40000, 3))
		if want := x * (1 - x); math.Abs(mean-want) > 5*se+h/10 {
			t.Errorf("x = %v: mean exit time %.5f ± %.5f, want x(1−x) = %.5f", x, mean, se, want)
		}
	}
}

// TestBridgeRemovesBias: monitoring the exit only at step times overshoots
// the boundary, so E τ_h − E τ ≈ c√h (Broadie–Glasserman–Kou's constant:
// measured c ≈ 0.6 here); the bridge correction removes it. At x = 0.3 and
// h = 0.04, 0.01, 0.0025: the uncorrected bias must exceed 10 SE at every h
// (measured 0.121, 0.061, 0.030 with SE ≤ 0.0022) and its fitted slope in
// log h must be ½ ± 0.1 (measured 0.50); the corrected bias (measured
// 0.0034, 0.0010, 0.0009 with SE 0.0014) must stay within 5 SE + h/10 and
// below 1/10 of the uncorrected one at each h.
func TestBridgeRemovesBias(t *testing.T) {
	skipStatisticalUnderRace(t)
	const x, want, paths = 0.3, 0.21, 20000
	hs := []float64{0.04, 0.01, 0.0025}
	var plain []float64
	for _, h := range hs {
		mp, sp := exitMean(t, exitTimes(t, driftedBM(0, 1), KillBox{Lo: 0, Hi: 1, NoBridge: true}, x, h, 20, paths, 8))
		mb, sb := exitMean(t, exitTimes(t, driftedBM(0, 1), KillBox{Lo: 0, Hi: 1}, x, h, 20, paths, 8))
		bp, bb := mp-want, mb-want
		t.Logf("h = %v: bias without bridge %.5f ± %.5f, with bridge %.5f ± %.5f", h, bp, sp, bb, sb)
		if !(bp > 10*sp) {
			t.Errorf("h = %v: uncorrected bias %.5f not above 10 SE = %.5f", h, bp, 10*sp)
		}
		if math.Abs(bb) > 5*sb+h/10 || math.Abs(bb) > bp/10 {
			t.Errorf("h = %v: corrected bias %.5f ± %.5f (uncorrected %.5f)", h, bb, sb, bp)
		}
		plain = append(plain, bp)
	}
	if slope, _, err := FitOrder(hs, plain); err != nil || math.Abs(slope-0.5) > 0.1 {
		t.Errorf("uncorrected bias %v fits h^%.3f (%v), want h^(½ ± 0.1)", plain, slope, err)
	}
}

// TestFirstPassageInverseGaussian: the first passage of X = μt + σW
// (X_0 = 0) to the level a > 0 is inverse Gaussian with mean m = a/μ and
// shape λ = a²/σ², variance m³/λ. With μ = σ = a = 1 (m = λ = 1), h = 1e-3
// and 10000 paths (KillLevel with the bridge correction, exact for this
// process, the hitting time inside a step drawn from the bridge's law):
//   - Kolmogorov–Smirnov distance below 0.0225 (the α = 1e-4 critical
//     value √(ln(2/α)/2)/√n = 0.0223, plus 2e-4 of margin);
//   - mean within 5 SE of 1 (SE = √(m³/λ / n) = 0.01);
//   - variance within 5 SE of 1 (SE ≈ σ²√((2 + κ)/n) = 0.041 with excess
//     kurtosis κ = 15m/λ).
func TestFirstPassageInverseGaussian(t *testing.T) {
	skipStatisticalUnderRace(t)
	const n = 10000
	tau := exitTimes(t, driftedBM(1, 1), KillLevel{Index: 0, Level: 1}, 0, 1e-3, 40, n, 21)
	mean, _ := exitMean(t, tau)
	var v float64
	for _, x := range tau {
		v += (x - mean) * (x - mean) / (n - 1)
	}
	if math.Abs(mean-1) > 5*0.01 {
		t.Errorf("mean first-passage time %.4f, want 1 ± 0.05", mean)
	}
	if math.Abs(v-1) > 5*0.041 {
		t.Errorf("variance of the first-passage time %.4f, want 1 ± 0.205", v)
	}
	slices.Sort(tau)
	cdf := func(x float64) float64 { // inverse Gaussian, m = λ = 1
		z := distuv.UnitNormal
		s := math.Sqrt(1 / x)
		return z.CDF(s*(x-1)) + math.Exp(2)*z.CDF(-s*(x+1))
	}
	var d float64
	for i, x := range tau {
		f := cdf(x)
		d = math.Max(d, math.Max(f-float64(i)/n, float64(i+1)/n-f))
	}
	t.Logf("KS distance %.4f, mean %.4f, variance %.4f", d, mean, v)
	if d > 0.0225 {
		t.Errorf("KS distance %.4f to IG(1, 1), want < 0.0225", d)
	}
}

// TestEventSolve: one path through Solve: the exit from a box is found with
// τ and X_τ refined by interpolation, later rows hold X_τ, Solve equals path
// 0 of the ensemble (bit for bit, also for GOMAXPROCS = 1 and 2), an
// EventFunc stops at its sign change, and steps after the stop cost no
// allocation (the same allocation count for 10 and 1000 steps).
func TestEventSolve(t *testing.T) {
	sys := driftedBM(0.5, 1)
	ts := []float64{0, 1, 2, 50}
	set := &Settings{Step: 0.01, Seed: 4, Event: KillBox{Lo: -1, Hi: 1}}
	sol, err := Solve(sys, EulerMaruyama{}, []float64{0}, ts, set)
	if err != nil {
		t.Fatal(err)
	}
	if !sol.Stopped || !(sol.StopTime > 0 && sol.StopTime < 50) {
		t.Fatalf("Stopped %v at %v, want a stop inside (0, 50)", sol.Stopped, sol.StopTime)
	}
	last := sol.X.At(3, 0)
	if math.Abs(last) > 1+1e-12 || math.Abs(math.Abs(last)-1) > 0.5 {
		t.Errorf("X_τ = %v, want the box boundary region (|x| ≤ 1, near ±1)", last)
	}
	for k := range ts {
		if ts[k] > sol.StopTime && sol.X.At(k, 0) != last {
			t.Errorf("row %d (t = %v > τ = %v) = %v, want X_τ = %v", k, ts[k], sol.StopTime, sol.X.At(k, 0), last)
		}
	}
	run := func(procs int) *EnsembleSolution {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		e, err := SolveEnsemble(sys, EulerMaruyama{}, &Ensemble{Paths: 300, Seed: 4, X0: []float64{0}, Store: true}, ts, set)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	a, b := run(1), run(2)
	if !slices.Equal(a.StopTime, b.StopTime) {
		t.Error("stopping times differ between GOMAXPROCS 1 and 2")
	}
	if a.StopTime[0] != sol.StopTime || a.X[3].At(0, 0) != last {
		t.Errorf("Solve τ = %v, X = %v; ensemble path 0 τ = %v, X = %v", sol.StopTime, last, a.StopTime[0], a.X[3].At(0, 0))
	}
	// EventFunc: x crosses 0.25 from below; τ by linear interpolation lies
	// inside the step where the sign changed.
	var crossed float64
	f := EventFunc(func(t float64, x []float64) float64 { return x[0] - 0.25 })
	s2, err := Solve(sys, EulerMaruyama{}, []float64{0}, []float64{0, 50}, &Settings{Step: 0.01, Seed: 4, Event: f,
		Save: func(t float64, x []float64) { crossed = x[0] }})
	if err != nil {
		t.Fatal(err)
	}
	if !s2.Stopped || math.Abs(crossed-0.25) > 1e-12 {
		t.Errorf("EventFunc: stopped %v, X_τ = %v, want 0.25 (linear interpolation to the level)", s2.Stopped, crossed)
	}
	// A path that starts on the event stops at t0.
	s3, err := Solve(sys, EulerMaruyama{}, []float64{0.25}, []float64{0, 1}, &Settings{Event: f})
	if err != nil || !s3.Stopped || s3.StopTime != 0 || s3.Steps != 0 {
		t.Errorf("start on the event: %+v, %v", s3, err)
	}
	// No per-step allocation: a horizon that the path never stops before
	// (the box is wide) with 10 and 1000 steps allocates the same.
	wide := &Settings{Step: 0.1, Event: KillBox{Lo: -1e9, Hi: 1e9}}
	allocs := func(n int) float64 {
		tsn := []float64{0, float64(n) / 10}
		return testing.AllocsPerRun(5, func() { _, _ = Solve(sys, EulerMaruyama{}, []float64{0}, tsn, wide) })
	}
	if a10, a1000 := allocs(10), allocs(1000); a10 != a1000 {
		t.Errorf("Solve with an event: %v allocations for 10 steps, %v for 1000", a10, a1000)
	}
}

// TestEventBadInput: events on methods or modes that cannot support them,
// invalid boundaries, a NaN event value and a non-finite state are errors
// naming the field, with one "sde: " prefix.
func TestEventBadInput(t *testing.T) {
	sys := driftedBM(0, 1)
	strat := driftedBM(0, 1)
	x0, ts := []float64{0.5}, []float64{0, 1}
	nan := EventFunc(func(float64, []float64) float64 { return math.NaN() })
	late := EventFunc(func(t float64, _ []float64) float64 {
		if t > 0.5 {
			return math.NaN()
		}
		return 1
	})
	blow := &System{Dim: 1, Drift: func(dst []float64, _ float64, x []float64) { dst[0] = 1e3 * x[0] * x[0] },
		Diffusion: func(dst []float64, _ float64, _ []float64) { dst[0] = 0.1 }}
	for _, c := range []struct {
		name string
		sys  *System
		m    Method
		x0   []float64
		set  *Settings
		want string
	}{
		{"reversible Heun", strat, ReversibleHeun{}, x0, &Settings{Event: KillBox{Lo: 0, Hi: 1}}, "Settings.Event with method ReversibleHeun"},
		{"adaptive", sys, Milstein{}, x0, &Settings{Adaptive: true, Event: KillBox{Lo: 0, Hi: 1}}, "Settings.Event with Settings.Adaptive"},
		{"box Lo ≥ Hi", sys, EulerMaruyama{}, x0, &Settings{Event: KillBox{Lo: 1, Hi: 0}}, "Settings.Event: KillBox{Lo: 1, Hi: 0}"},
		{"box NaN", sys, EulerMaruyama{}, x0, &Settings{Event: KillBox{Lo: math.NaN(), Hi: 1}}, "KillBox{Lo: NaN"},
		{"level index", sys, EulerMaruyama{}, x0, &Settings{Event: KillLevel{Index: 3, Level: 1}}, "KillLevel.Index = 3"},
		{"level NaN", sys, EulerMaruyama{}, x0, &Settings{Event: KillLevel{Level: math.NaN()}}, "KillLevel.Level = NaN"},
		{"NaN event at start", sys, EulerMaruyama{}, x0, &Settings{Event: nan}, "Settings.Event value is NaN at t = 0"},
		{"NaN event later", sys, EulerMaruyama{}, x0, &Settings{Event: late}, "Settings.Event value is NaN at t = 0.50"},
		{"non-finite state", blow, EulerMaruyama{}, []float64{5}, &Settings{Event: KillBox{Lo: -1e300, Hi: math.Inf(1)}}, "non-finite state"},
	} {
		_, err := Solve(c.sys, c.m, c.x0, ts, c.set)
		if err == nil || !strings.HasPrefix(err.Error(), "sde: ") || strings.Count(err.Error(), "sde:") != 1 || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
}
