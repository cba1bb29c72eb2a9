package sam

import (
	"math"
	"testing"
)

// GSAM by hand on f = ½(w₁² + 3w₂²) at w = (1, 1): g = (1, 3), ‖g‖ = √10, and with
// ρ = 0.1·√10 (Eps < 0: no epsilon) ε = (0.1, 0.3), so g_p = ∇f(1.1, 1.3) = (1.1, 3.9).
// ⟨g, g_p⟩ = 12.8, ‖g_p‖² = 16.42, g⊥ = g − (12.8/16.42) g_p, d = g_p − α g⊥.
func TestGSAMHand(t *testing.T) {
	const alpha = 0.3
	c := 12.8 / 16.42
	gperp := []float64{1 - c*1.1, 3 - c*3.9}
	want := []float64{1.1 - alpha*gperp[0], 3.9 - alpha*gperp[1]}
	rec := &recorder{}
	opt := &GSAM{Base: rec, Rho: 0.1 * math.Sqrt(10), Alpha: alpha, Eps: -1}
	if _, err := opt.Step([]float64{1, 1}, &quad{a: []float64{1, 3}}, []int{0}); err != nil {
		t.Fatal(err)
	}
	// The optimizer forms ε = ρ g/‖g‖ with ρ = 0.1√10 (w + ε exact to a few ulps) and the
	// projection with a few roundings of O(1) numbers: 1e-14 absolute.
	if dist(rec.g, want) > 1e-14 {
		t.Errorf("d = %v, want %v", rec.g, want)
	}
	// ⟨d, g_p⟩ = ‖g_p‖²: the correction is orthogonal to the perturbed gradient.
	if got := rec.g[0]*1.1 + rec.g[1]*3.9; math.Abs(got-16.42) > 1e-13 {
		t.Errorf("⟨d, g_p⟩ = %v, want ‖g_p‖² = 16.42", got)
	}
	if c := opt.LastCost(); c.Backward != 2 || c.BackwardSamples != 2 || c.Serial != 2 {
		t.Errorf("cost %+v, want 2 passes", c)
	}
	// Alpha = 0 is the default 0.4.
	rec0 := &recorder{}
	if _, err := (&GSAM{Base: rec0, Rho: 0.1 * math.Sqrt(10), Eps: -1}).Step([]float64{1, 1}, &quad{a: []float64{1, 3}}, []int{0}); err != nil {
		t.Fatal(err)
	}
	if want0 := 1.1 - 0.4*gperp[0]; math.Abs(rec0.g[0]-want0) > 1e-14 {
		t.Errorf("default α: d₁ = %v, want %v", rec0.g[0], want0)
	}
}

// The radius follows the learning-rate factor: with Cosine{Total: 8} (f from 1 to 0),
// ρ_t = ρ_min + (ρ_max − ρ_min)·f(t), and ‖ε‖ = ρ_t exactly (no epsilon).
func TestGSAMRhoSchedule(t *testing.T) {
	sched := Cosine{Total: 8}
	sp := &spy{obj: &quad{a: []float64{2, 1, 0.5}}}
	opt := &GSAM{Base: &recorder{}, Rho: 0.3, RhoMin: 0.1, Schedule: sched, Eps: -1}
	w := []float64{1, -2, 0.5}
	for k := range 10 {
		sp.pts = nil
		if _, err := opt.Step(w, sp, []int{0}); err != nil {
			t.Fatal(err)
		}
		want := 0.1 + 0.2*sched.Factor(k)
		// ‖(w + ε) − w‖ = ρ_t up to the rounding of w + ε: 1e-15 for |w| ≤ 2.
		if got := norm(sub(sp.pts[1], w)); math.Abs(got-want) > 1e-15 {
			t.Errorf("step %d: ‖ε‖ = %v, want ρ_t = %v", k, got, want)
		}
	}
}
