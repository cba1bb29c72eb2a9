package sam

import (
	"math"
	"testing"
)

// WSAM by hand on f = ½(w₁² + 3w₂²) at w = (1, 1) with ρ = 0.1√10 (no epsilon):
// g = (1, 3), ε = (0.1, 0.3), g_p = (1.1, 3.9), g_p − g = (0.1, 0.9); γ = 0.8 gives the
// weight 4 and d = (1.4, 6.6); the default γ = 0.9 the weight 9 and d = (1.9, 11.1).
func TestWSAMHand(t *testing.T) {
	for _, c := range []struct {
		gamma float64
		want  []float64
	}{{0.8, []float64{1.4, 6.6}}, {0, []float64{1.9, 11.1}}, {0.5, []float64{1.1, 3.9}}} {
		rec := &recorder{}
		opt := &WSAM{Base: rec, Rho: 0.1 * math.Sqrt(10), Gamma: c.gamma, Eps: -1}
		if _, err := opt.Step([]float64{1, 1}, &quad{a: []float64{1, 3}}, []int{0}); err != nil {
			t.Fatal(err)
		}
		// ε to a few ulps, amplified by the weight ≤ 9 and the curvature ≤ 3: 1e-13.
		if dist(rec.g, c.want) > 1e-13 {
			t.Errorf("γ = %v: d = %v, want %v", c.gamma, rec.g, c.want)
		}
		if c := opt.LastCost(); c.Backward != 2 || c.Serial != 2 {
			t.Errorf("cost %+v, want 2 passes", c)
		}
	}
}
