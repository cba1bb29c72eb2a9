package sam

import (
	"math"
	"testing"
)

// SAM every 3 steps by hand on f = ½(w₁² + 3w₂²) at w = (1, 1), ρ = 0.1√10 (no epsilon):
// steps 0 and 3 are SAM steps, d = ∇f(1.1, 1.3) = (1.1, 3.9), with 2 passes; steps 1 and 2
// are plain, d = g = (1, 3), with 1 pass.
func TestIntervalSAMHand(t *testing.T) {
	rec := &recorder{}
	opt := &IntervalSAM{Base: rec, Rho: 0.1 * math.Sqrt(10), Every: 3, Eps: -1}
	for k := range 5 {
		if _, err := opt.Step([]float64{1, 1}, &quad{a: []float64{1, 3}}, []int{0}); err != nil {
			t.Fatal(err)
		}
		want, passes := []float64{1, 3}, 1
		if k%3 == 0 {
			want, passes = []float64{1.1, 3.9}, 2
		}
		// ε exact to a few ulps: 1e-14.
		if dist(rec.g, want) > 1e-14 || opt.LastCost().Backward != passes {
			t.Errorf("step %d: d = %v with %d passes, want %v with %d", k, rec.g, opt.LastCost().Backward, want, passes)
		}
	}
}
