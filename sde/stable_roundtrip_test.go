package sde_test

import (
	"math"
	"testing"

	"github.com/sdeml/sdeml/sde"
	"github.com/sdeml/sdeml/sgn"
)

// stableOU simulates dX = −θX dt + σ dL^α by Euler–Maruyama with n steps of
// size h and returns the n increments X_{k+1} − X_k.
func stableOU(t testing.TB, alpha float64, n int, h float64, seed uint64) []float64 {
	const theta, sigma = 0.1, 0.5
	sys := &sde.System{Dim: 1, Noise: sde.Additive,
		Drift:     func(dst []float64, _ float64, x []float64) { dst[0] = -theta * x[0] },
		Diffusion: func(dst []float64, _ float64, _ []float64) { dst[0] = sigma }}
	ts := make([]float64, n+1)
	for i := range ts {
		ts[i] = float64(i) * h
	}
	sol, err := sde.Solve(sys, sde.EulerMaruyama{}, []float64{0}, ts, &sde.Settings{Step: h, Seed: seed, Driver: sde.Stable{Alpha: alpha}})
	if err != nil {
		t.Fatal(err)
	}
	dx := make([]float64, n)
	for i := range dx {
		dx[i] = sol.X.At(i+1, 0) - sol.X.At(i, 0)
	}
	return dx
}

// TestStableTailIndexRoundTrip simulates an α-stable-driven
// Ornstein–Uhlenbeck process (θ = 0.1, σ = 0.5, h = 10⁻³, N = 10⁵ steps)
// and recovers α from its increments with sgn.TailIndex. The drift moves an
// increment by θ|X|h ≈ 10⁻⁴|X| against a noise scale σh^{1/α} ≥ 0.0016 (α = 1.2), and
// mean reversion over a block of K1 = 250 steps is e^{−0.025}, so the
// increments are close to i.i.d. S_α. sgn documents the estimator's
// standard deviation at N = 10⁵ as 0.014 (α = 1.1) to 0.041 (α = 1.9);
// the tolerance 0.12 is ≥ 3 of those standard deviations at every α here
// and 3 times the RMS error measured here over 20 other seeds (0.033,
// 0.028, 0.040 for α = 1.2, 1.5, 1.8; the seeds are fixed, so the test is
// deterministic).
func TestStableTailIndexRoundTrip(t *testing.T) {
	for i, alpha := range []float64{1.2, 1.5, 1.8} {
		dx := stableOU(t, alpha, 100000, 1e-3, uint64(20+i))
		got, err := sgn.TailIndex(dx, 0)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("α = %v: α̂ = %.4f", alpha, got)
		if math.Abs(got-alpha) > 0.12 {
			t.Errorf("α = %v: α̂ = %v, want within 0.12", alpha, got)
		}
	}
}
