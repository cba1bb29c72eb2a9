package sam

import (
	"math"
	"testing"
)

// F-SAM by hand on f = ½(w₁² + 3w₂²), σ = 1, λ = 0.5, ρ = r = 0.1√10 (no epsilon):
// step 0 at (1, 1): u = g₀ = (1, 3), m₀ = g₀, ε = (0.1, 0.3), d = (1.1, 3.9);
// step 1 at (2, 1): g₁ = (2, 3), u = g₁ − m₀ = (1, 0), m₁ = (1.5, 3), ε = (r, 0),
// d = (2 + r, 3);
// step 2 at (1, 2): g₂ = (1, 6), u = g₂ − m₁ = (−0.5, 3), ε = r u/√9.25,
// d = (1 + ε₁, 6 + 3ε₂).
func TestFriendlySAMHand(t *testing.T) {
	r := 0.1 * math.Sqrt(10)
	e := []float64{-0.5 * r / math.Sqrt(9.25), 3 * r / math.Sqrt(9.25)}
	rec := &recorder{}
	opt := &FriendlySAM{Base: rec, Rho: r, Sigma: 1, Lambda: 0.5, Eps: -1}
	for k, c := range []struct{ w, want []float64 }{
		{[]float64{1, 1}, []float64{1.1, 3.9}},
		{[]float64{2, 1}, []float64{2 + r, 3}},
		{[]float64{1, 2}, []float64{1 + e[0], 6 + 3*e[1]}},
	} {
		if _, err := opt.Step(c.w, &quad{a: []float64{1, 3}}, []int{0}); err != nil {
			t.Fatal(err)
		}
		// A few roundings of O(1) numbers: 1e-14.
		if dist(rec.g, c.want) > 1e-14 {
			t.Errorf("step %d: d = %v, want %v", k, rec.g, c.want)
		}
	}
	if c := opt.LastCost(); c.Backward != 2 || c.Serial != 2 {
		t.Errorf("cost %+v, want 2 passes", c)
	}
}
