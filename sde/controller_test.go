package sde

import (
	"math"
	"testing"
)

// TestPIController checks the step-size factor and the error norm of
// adaptive stepping against values computed by hand (Python, float64) from
// the torchsde formulas quoted in adaptive.go: on acceptance
// r^{1/4.5}(r/r_prev)^{0.13} clipped to [1, 1.4], on rejection r^{1/1.5}
// clipped to [0.2, 1.4], r = 0.9/err; a rejection does not update r_prev.
// Tolerance 1e-12: a few Pow calls on O(1) values, rounding only.
func TestPIController(t *testing.T) {
	ad := &adaptive{}
	for i, c := range []struct{ err, want float64 }{
		{0.5, 1.139533831304058},  // first step: r_prev = r, pure I term
		{0.3, 1.3641661941780803}, // (1.8 → 3) PI term
		{4, 0.3699318111495705},   // rejection
		{0.8, 1},                  // 0.9036… clipped up to 1 (r_prev still 3)
		{100, 0.2},                // rejection clipped to 0.2
		{0.05, 1.4},               // 2.7257… clipped to 1.4 (r_prev = 1.125)
	} {
		if got := ad.factor(c.err); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("step %d: factor(%v) = %.16g, want %.16g", i, c.err, got, c.want)
		}
	}
	// errNorm: RMS of (yFull − yHalf)/(atol + rtol·max|·|):
	// e = (−0.1/(0.001 + 0.01·1.1), 0) → √(e0²/2) = 5.892556509887896.
	ad = &adaptive{atol: 1e-3, rtol: 1e-2, yFull: []float64{1, 2}, yHalf: []float64{1.1, 2}}
	if got := ad.errNorm(); math.Abs(got-5.892556509887896) > 1e-12 {
		t.Errorf("errNorm = %.16g, want 5.892556509887896", got)
	}
	// Equal solutions: the norm is floored at 1e-7 (so r stays finite).
	ad.yHalf[0] = 1
	if got := ad.errNorm(); got != 1e-7 {
		t.Errorf("errNorm of equal solutions = %v, want the floor 1e-7", got)
	}
	ad.yHalf[0] = math.NaN()
	if got := ad.errNorm(); !math.IsNaN(got) {
		t.Errorf("errNorm with a NaN = %v, want NaN", got)
	}
}
