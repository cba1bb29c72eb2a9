package sam

import (
	"math"
	"testing"
)

// LookSAM by hand on f = ½(w₁² + 3w₂²), k = 2, α = 0.5, ρ = 0.1√10 (no epsilon).
// Step 0 at w = (1, 1): g = (1, 3), g_s = (1.1, 3.9), d = g_s and
// g_v = g_s − (12.8/10) g = (−0.18, 0.06), ‖g_v‖ = 0.06√10.
// Step 1 at w = (2, 2): g = (2, 6), ‖g‖ = 2√10, so d = g + 0.5·(2√10/(0.06√10)) g_v
// = (2, 6) + (50/3)(−0.18, 0.06) = (−1, 7), with one pass.
// Step 2 at w = (1, 1) is a SAM step again: d = (1.1, 3.9).
func TestLookSAMHand(t *testing.T) {
	rec := &recorder{}
	obj := &quad{a: []float64{1, 3}}
	opt := &LookSAM{Base: rec, Rho: 0.1 * math.Sqrt(10), K: 2, Alpha: 0.5, Eps: -1}
	for k, c := range []struct {
		w, want []float64
		passes  int
	}{
		{[]float64{1, 1}, []float64{1.1, 3.9}, 2},
		{[]float64{2, 2}, []float64{-1, 7}, 1},
		{[]float64{1, 1}, []float64{1.1, 3.9}, 2},
	} {
		if _, err := opt.Step(c.w, obj, []int{0}); err != nil {
			t.Fatal(err)
		}
		// ε exact to a few ulps; the reuse factor 50/3 amplifies the ulps of g_v ≈ 0.1: 1e-13.
		if dist(rec.g, c.want) > 1e-13 {
			t.Errorf("step %d: d = %v, want %v", k, rec.g, c.want)
		}
		if got := opt.LastCost(); got.Backward != c.passes || got.Serial != c.passes {
			t.Errorf("step %d: cost %+v, want %d passes", k, got, c.passes)
		}
	}
}
