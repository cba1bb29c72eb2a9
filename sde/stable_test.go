package sde

import (
	"math"
	"strings"
	"testing"

	"github.com/sdeml/sdeml/internal/parallel"
)

// TestStableCharFunc compares the empirical characteristic function of
// n increments over h = 0.25 with exp(−h|λ|^α). The empirical c.f. of a
// symmetric law is the mean of cos(λX), whose variance is
// v = (1 + φ(2λ))/2 − φ(λ)² (≤ 1), so by the CLT the error exceeds
// 5√(v/n) with probability 5.7e-7 per comparison; with 18 comparisons the
// test fails by chance with probability < 1.1e-5.
func TestStableCharFunc(t *testing.T) {
	skipStatisticalUnderRace(t)
	const n, h = 100000, 0.25
	for ai, alpha := range []float64{0.5, 1, 1.2, 1.5, 1.8, 2} {
		b, err := NewStableIncrements(parallel.Stream(7, ai), 1, alpha)
		if err != nil {
			t.Fatal(err)
		}
		xs := make([]float64, n)
		dw := []float64{0}
		for i := range xs {
			b.Increment(dw, nil, 0, h)
			xs[i] = dw[0]
		}
		phi := func(l float64) float64 { return math.Exp(-h * math.Pow(math.Abs(l), alpha)) }
		for _, l := range []float64{0.5, 1, 2} {
			var s float64
			for _, x := range xs {
				s += math.Cos(l * x)
			}
			got, want := s/n, phi(l)
			v := (1+phi(2*l))/2 - want*want
			if tol := 5 * math.Sqrt(v/n); math.Abs(got-want) > tol {
				t.Errorf("α = %v, λ = %v: empirical c.f. %.5f, want %.5f ± %.5f", alpha, l, got, want, tol)
			}
		}
	}
}

// TestStableQuantiles checks the fraction of variates below the exact
// quantiles of the Cauchy law (α = 1, q_p = tan(π(p − ½))) and of N(0, 2)
// (α = 2, q_p = 2 erf⁻¹(2p − 1)): the count is Binomial(n, p), so
// |p̂ − p| > 5√(p(1−p)/n) has probability < 6e-7 per comparison.
func TestStableQuantiles(t *testing.T) {
	skipStatisticalUnderRace(t)
	const n = 100000
	for _, c := range []struct {
		alpha float64
		q     func(p float64) float64
	}{
		{1, func(p float64) float64 { return math.Tan(math.Pi * (p - 0.5)) }},
		{2, func(p float64) float64 { return 2 * math.Erfinv(2*p-1) }},
	} {
		src := parallel.Stream(11, int(c.alpha))
		xs := make([]float64, n)
		for i := range xs {
			xs[i] = StableVariate(c.alpha, openUnit(src), openUnit(src))
		}
		for _, p := range []float64{0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99} {
			q, k := c.q(p), 0
			for _, x := range xs {
				if x <= q {
					k++
				}
			}
			got := float64(k) / n
			if tol := 5 * math.Sqrt(p*(1-p)/n); math.Abs(got-p) > tol {
				t.Errorf("α = %v: P(S ≤ q_%v) = %.5f, want %v ± %.5f", c.alpha, p, got, p, tol)
			}
		}
	}
}

// TestStableBadInput: α outside (0, 2] or NaN, and non-Euler methods.
func TestStableBadInput(t *testing.T) {
	sys := &System{Dim: 1, Noise: Additive,
		Drift:     func(dst []float64, _ float64, x []float64) { dst[0] = -x[0] },
		Diffusion: func(dst []float64, _ float64, _ []float64) { dst[0] = 1 }}
	ts := []float64{0, 1}
	for _, a := range []float64{0, -1, 2.5, math.NaN(), math.Inf(1)} {
		_, err := Solve(sys, EulerMaruyama{}, []float64{0}, ts, &Settings{Driver: Stable{Alpha: a}})
		if err == nil || !strings.Contains(err.Error(), "Stable.Alpha = ") {
			t.Errorf("α = %v: err = %v", a, err)
		}
		if _, err := NewStableIncrements(parallel.Stream(1, 0), 1, a); err == nil {
			t.Errorf("NewStableIncrements(α = %v): no error", a)
		}
	}
	if _, err := Solve(sys, Heun{}, []float64{0}, ts, &Settings{Driver: Stable{Alpha: 1.5}}); err == nil {
		t.Error("Heun with α-stable driver: no error")
	}
	b, _ := NewStableIncrements(parallel.Stream(1, 0), 1, 1.5)
	if _, err := Solve(sys, Milstein{}, []float64{0}, ts, &Settings{Brownian: b}); err == nil {
		t.Error("Milstein with StableIncrements: no error")
	}
	if _, err := Solve(sys, EulerMaruyama{}, []float64{0}, ts, &Settings{Driver: Stable{Alpha: 1.5}, Adaptive: true}); err == nil {
		t.Error("Adaptive with α-stable driver: no error")
	}
}

// TestStableEnsembleMatchesSolve: path 0 of an ensemble driven by Stable is
// the path of Solve with the same seed, and the ensemble does not depend
// on the number of workers (paths own their streams).
func TestStableEnsembleMatchesSolve(t *testing.T) {
	sys := &System{Dim: 1, Noise: Additive,
		Drift:     func(dst []float64, _ float64, x []float64) { dst[0] = -x[0] },
		Diffusion: func(dst []float64, _ float64, _ []float64) { dst[0] = 0.5 }}
	ts := []float64{0, 0.5, 1}
	set := &Settings{Step: 0.01, Seed: 3, Driver: Stable{Alpha: 1.3}}
	sol, err := Solve(sys, EulerMaruyama{}, []float64{1}, ts, set)
	if err != nil {
		t.Fatal(err)
	}
	ens, err := SolveEnsemble(sys, EulerMaruyama{}, &Ensemble{Paths: 100, X0: []float64{1}, Seed: 3, Store: true}, ts, set)
	if err != nil {
		t.Fatal(err)
	}
	if a, b := sol.X.At(2, 0), ens.X[2].At(0, 0); a != b {
		t.Errorf("Solve %v, ensemble path 0 %v", a, b)
	}
}
