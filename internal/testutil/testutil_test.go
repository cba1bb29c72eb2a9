package testutil

import (
	"math"
	"testing"
)

// TestFDGradient checks the helper on f(x) = sin(x₀)·e^{x₁}, gradient
// (cos x₀ e^{x₁}, sin x₀ e^{x₁}); central differences with h = 6e-6 are accurate to
// ≈ h²/6·|f‴| + ε/h ≈ 1e-10 here, so 1e-8 is a safe bound.
func TestFDGradient(t *testing.T) {
	x := []float64{0.7, -0.3}
	f := func(x []float64) float64 { return math.Sin(x[0]) * math.Exp(x[1]) }
	want := []float64{math.Cos(0.7) * math.Exp(-0.3), math.Sin(0.7) * math.Exp(-0.3)}
	if e := RelErr(FDGradient(f, x), want); e > 1e-8 {
		t.Fatalf("relative error %g", e)
	}
}

func TestRelErr(t *testing.T) {
	// ‖(3,4)−(0,0)‖ = 5 (absolute, reference zero); ‖(1,1)−(1,0)‖/‖(1,0)‖ = 1.
	if e := RelErr([]float64{3, 4}, []float64{0, 0}); e != 5 {
		t.Errorf("got %v, want 5", e)
	}
	if e := RelErr([]float64{1, 1}, []float64{1, 0}); e != 1 {
		t.Errorf("got %v, want 1", e)
	}
}
