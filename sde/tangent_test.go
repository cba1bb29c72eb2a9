package sde

import (
	"math"
	"runtime"
	"strings"
	"testing"
)

// meanSE returns the mean and standard error of v(i) over n paths.
func meanSE(n int, v func(i int) float64) (float64, float64) {
	var s, s2 float64
	for i := range n {
		x := v(i)
		s += x
		s2 += x * x
	}
	mu := s / float64(n)
	return mu, math.Sqrt((s2/float64(n) - mu*mu) / float64(n))
}

// TestTangentGBM: pathwise delta and vega of a European call on geometric
// Brownian motion dS = rS dt + σS dW (S0 = K = 100, r = 0.05, σ = 0.2,
// T = 1) from the tangent equations, against Black–Scholes:
// delta = Φ(d1), vega = S0 φ(d1) √T. The pathwise estimator is
// e^{−rT} 1{S_T > K} Y_T. Tolerance: 5 standard errors plus 0.5 % for the
// O(h) weak bias of Euler–Maruyama at h = 2·10⁻³ (measured: see the log).
// The user Jacobians and the finite-difference fallback must agree to
// 1e-5 relative on every path of the first 300.
func TestTangentGBM(t *testing.T) {
	skipStatisticalUnderRace(t)
	const s0, k, r, sig, T = 100.0, 100.0, 0.05, 0.2, 1.0
	sys := &System{Dim: 1,
		Drift:         func(dst []float64, _ float64, x []float64) { dst[0] = r * x[0] },
		Diffusion:     func(dst []float64, _ float64, x []float64) { dst[0] = sig * x[0] },
		DriftJacobian: func(j []float64, _ float64, _ []float64) { j[0] = r }}
	sens := &Sensitivity{Params: 1,
		DriftParam:     func(j []float64, _ float64, _ []float64) { j[0] = 0 },
		DiffusionParam: func(j []float64, _ float64, x []float64) { j[0] = x[0] },
		DiffusionJVP:   func(dst []float64, _ float64, _, v []float64) { dst[0] = sig * v[0] }}
	d1 := (math.Log(s0/k) + (r+sig*sig/2)*T) / (sig * math.Sqrt(T))
	wantDelta := 0.5 * math.Erfc(-d1/math.Sqrt2)
	wantVega := s0 * math.Exp(-d1*d1/2) / math.Sqrt(2*math.Pi) * math.Sqrt(T)
	const n, nfd = 10000, 300
	var sols [2]*EnsembleSolution
	for variant := range 2 {
		sy, se := *sys, *sens
		paths := n
		if variant == 1 { // finite differences, on the first nfd paths
			sy.DriftJacobian, se.DiffusionJVP = nil, nil
			paths = nfd
		}
		aug, err := TangentSystem(&sy, &se)
		if err != nil {
			t.Fatal(err)
		}
		ens, err := SolveEnsemble(aug, EulerMaruyama{}, &Ensemble{Paths: paths, X0: TangentX0([]float64{s0}, 1), Seed: 6, Store: true},
			[]float64{0, T}, &Settings{Step: 2e-3})
		if err != nil {
			t.Fatal(err)
		}
		sols[variant] = ens
	}
	x := sols[0].X[1]
	disc := math.Exp(-r * T)
	pw := func(c int) func(i int) float64 {
		return func(i int) float64 {
			if x.At(i, 0) > k {
				return disc * x.At(i, 1+c)
			}
			return 0
		}
	}
	delta, sd := meanSE(n, pw(0))
	vega, sv := meanSE(n, pw(1))
	t.Logf("delta %.4f ± %.4f (BS %.4f), vega %.3f ± %.3f (BS %.3f)", delta, sd, wantDelta, vega, sv, wantVega)
	if math.Abs(delta-wantDelta) > 5*sd+0.005*wantDelta {
		t.Errorf("delta = %v, want %v", delta, wantDelta)
	}
	if math.Abs(vega-wantVega) > 5*sv+0.005*wantVega {
		t.Errorf("vega = %v, want %v", vega, wantVega)
	}
	// Same paths (path i uses stream i in both solves): the tangents must
	// agree path by path.
	for i := range nfd {
		for c := 1; c <= 2; c++ {
			a, b := x.At(i, c), sols[1].X[1].At(i, c)
			if math.Abs(a-b) > 1e-5*(1+math.Abs(a)) {
				t.Fatalf("path %d, derivative %d: user Jacobians %v, finite differences %v", i, c, a, b)
			}
		}
	}
}

// TestTangentOU: dX = −θX dt + σ dW (x0 = 1, θ = 1, σ = 0.5, T = 1) with
// finite-difference state Jacobians: E X_T² = x0² e^{−2θT} +
// σ²(1 − e^{−2θT})/(2θ), so ∂/∂x0 = 2x0 e^{−2θT} and
// ∂/∂θ = −2T x0² e^{−2θT} + σ²(2θT e^{−2θT} − (1 − e^{−2θT}))/(2θ²).
// The pathwise estimator is 2 X_T Y_T. Tolerance 5 SE plus 0.5 % for the
// O(h) bias of Euler–Maruyama at h = 2·10⁻³ (relative ≈ θh = 0.2 %).
func TestTangentOU(t *testing.T) {
	skipStatisticalUnderRace(t)
	const x0, th, sig, T = 1.0, 1.0, 0.5, 1.0
	sys := &System{Dim: 1, Noise: Additive,
		Drift:     func(dst []float64, _ float64, x []float64) { dst[0] = -th * x[0] },
		Diffusion: func(dst []float64, _ float64, _ []float64) { dst[0] = sig }}
	aug, err := TangentSystem(sys, &Sensitivity{Params: 1,
		DriftParam:     func(j []float64, _ float64, x []float64) { j[0] = -x[0] },
		DiffusionParam: func(j []float64, _ float64, _ []float64) { j[0] = 0 }})
	if err != nil {
		t.Fatal(err)
	}
	const n = 10000
	ens, err := SolveEnsemble(aug, EulerMaruyama{}, &Ensemble{Paths: n, X0: TangentX0([]float64{x0}, 1), Seed: 8, Store: true},
		[]float64{0, T}, &Settings{Step: 2e-3})
	if err != nil {
		t.Fatal(err)
	}
	x := ens.X[1]
	e := math.Exp(-2 * th * T)
	want := [2]float64{2 * x0 * e, -2*T*x0*x0*e + sig*sig*(2*th*T*e-(1-e))/(2*th*th)}
	for c := range 2 {
		got, se := meanSE(n, func(i int) float64 { return 2 * x.At(i, 0) * x.At(i, 1+c) })
		t.Logf("∂E X²/∂%s = %.5f ± %.5f, closed form %.5f", []string{"x0", "θ"}[c], got, se, want[c])
		if math.Abs(got-want[c]) > 5*se+0.005*math.Abs(want[c]) {
			t.Errorf("derivative %d = %v, want %v", c, got, want[c])
		}
	}
}

func TestTangentBadInput(t *testing.T) {
	sys := &System{Dim: 1,
		Drift:     func(dst []float64, _ float64, x []float64) { dst[0] = x[0] },
		Diffusion: func(dst []float64, _ float64, x []float64) { dst[0] = x[0] }}
	if _, err := TangentSystem(sys, &Sensitivity{Params: 2}); err == nil || !strings.Contains(err.Error(), "Sensitivity.Params = 2") {
		t.Errorf("missing parameter Jacobians: err = %v", err)
	}
	if _, err := TangentSystem(sys, &Sensitivity{Params: -1}); err == nil || !strings.Contains(err.Error(), "Sensitivity.Params = -1") {
		t.Errorf("Params < 0: err = %v", err)
	}
}

// TestTangentMilsteinGeneralGOMAXPROCS: the tangent system (whose
// callbacks share a scratch pool across goroutines) and MilsteinGeneral
// (whose areas come from each worker's Increments) give the same ensembles
// bit for bit at GOMAXPROCS 1 and 2. Small, for the race detector.
func TestTangentMilsteinGeneralGOMAXPROCS(t *testing.T) {
	sys := &System{Dim: 1,
		Drift:     func(dst []float64, _ float64, x []float64) { dst[0] = 0.05 * x[0] },
		Diffusion: func(dst []float64, _ float64, x []float64) { dst[0] = 0.2 * x[0] }}
	aug, err := TangentSystem(sys, &Sensitivity{})
	if err != nil {
		t.Fatal(err)
	}
	nc := nonCommuting()
	for _, c := range []struct {
		sys *System
		m   Method
		x0  []float64
	}{{aug, EulerMaruyama{}, TangentX0([]float64{1}, 0)}, {nc.Sys, MilsteinGeneral{}, nc.X0}} {
		run := func(procs int) *EnsembleSolution {
			old := runtime.GOMAXPROCS(procs)
			defer runtime.GOMAXPROCS(old)
			ens, err := SolveEnsemble(c.sys, c.m, &Ensemble{Paths: 200, X0: c.x0, Seed: 2, Store: true}, []float64{0, 1}, &Settings{Step: 0.05})
			if err != nil {
				t.Fatal(err)
			}
			return ens
		}
		a, b := run(1), run(2)
		for i := range 200 {
			for j := range c.x0 {
				if a.X[1].At(i, j) != b.X[1].At(i, j) {
					t.Fatalf("%s path %d: %v at GOMAXPROCS 1, %v at 2", c.m.Name(), i, a.X[1].At(i, j), b.X[1].At(i, j))
				}
			}
		}
	}
}
