package sde

import (
	"math"
	"testing"
)

// TestEnsembleStopTimesOnly: an ensemble whose only output is the stopping
// times (Settings.Event, no Store, Moments or Observe) returns them. For
// dX = dW from x = 0.3, the exit time τ from (0, 1) has E τ = x(1 − x) =
// 0.21 and E τ² = x(1 − x)(1 + x − x²)/3 = 0.08470 (from ½u″ = −1 and
// ½u” = −2x(1 − x) with zero boundary values), so sd τ = 0.2015 and the
// mean of 1000 paths has standard error 0.0064; 5 standard errors (0.032)
// cover it and the bridge-corrected kill's bias at h = 0.01 (about 1e-4).
// P(τ > 5) ≈ e^{−π²·5/2} < 1e-10, so every path stops before T = 5.
func TestEnsembleStopTimesOnly(t *testing.T) {
	sys := &System{Dim: 1, Noise: Additive,
		Drift:     func(d []float64, _ float64, _ []float64) { d[0] = 0 },
		Diffusion: func(d []float64, _ float64, _ []float64) { d[0] = 1 }}
	sol, err := SolveEnsemble(sys, EulerMaruyama{}, &Ensemble{Paths: 1000, X0: []float64{0.3}}, []float64{0, 5},
		&Settings{Step: 0.01, Event: KillBox{Lo: 0, Hi: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if len(sol.StopTime) != 1000 {
		t.Fatalf("len(StopTime) = %d, want 1000", len(sol.StopTime))
	}
	var sum float64
	for i, tau := range sol.StopTime {
		if !(tau > 0 && tau < 5) {
			t.Fatalf("path %d: stopping time %v, want in (0, 5)", i, tau)
		}
		sum += tau
	}
	mean := sum / 1000
	t.Logf("mean exit time of 1000 paths: %.4f (exact 0.21)", mean)
	if math.Abs(mean-0.21) > 0.032 {
		t.Errorf("mean exit time %v, want 0.21 ± 0.032", mean)
	}
}
