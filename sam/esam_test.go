package sam

import (
	"math"
	"testing"
)

// Sharpness-sensitive data selection by hand: ℓᵢ = ½‖w − cᵢ‖² at w = 0 with
// c = (1, 0), (0, 1), (−1, 0), (2, 2). g = −mean c = −(0.5, 0.75); with
// ρ = 0.2‖(0.5, 0.75)‖ (no epsilon) ε = (−0.1, −0.15). The loss increase
// ½‖ε − cᵢ‖² − ½‖cᵢ‖² = ½‖ε‖² − ⟨ε, cᵢ⟩ is largest for c₄ (⟨ε, c₄⟩ = −0.5) and next for c₂
// (−0.15), so Keep = 0.5 selects samples 3 and 1 and d = ε − mean(c₂, c₄) = (−1.1, −1.65).
func TestESAMSelectionHand(t *testing.T) {
	obj := &quads{a: []float64{1, 1}, c: [][]float64{{1, 0}, {0, 1}, {-1, 0}, {2, 2}}}
	rec := &recorder{}
	opt := &ESAM{Base: rec, Rho: 0.2 * math.Sqrt(0.8125), Beta: 1, Keep: 0.5, Eps: -1}
	sp := &spy{obj: obj}
	if _, err := opt.Step([]float64{0, 0}, sp, []int{0, 1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	// ε to a few ulps of 0.15, then one subtraction: 1e-15.
	if want := []float64{-1.1, -1.65}; dist(rec.g, want) > 1e-15 {
		t.Errorf("d = %v, want %v", rec.g, want)
	}
	if last := sp.idxs[len(sp.idxs)-1]; len(last) != 2 || last[0] != 1 || last[1] != 3 {
		t.Errorf("descent samples %v, want [1 3]", last)
	}
	want := Cost{Forward: 4, Backward: 2, ForwardSamples: 14, BackwardSamples: 6, Serial: 4, Depth: 4}
	if c := opt.LastCost(); c != want {
		t.Errorf("cost %+v, want %+v", c, want)
	}
}

// Stochastic weight perturbation: each coordinate of ε is 0 or SAM's ε_i/β, and about a
// β-fraction is perturbed. With Keep = 1 the descent is the batch gradient at w + ε.
func TestESAMWeightPerturbation(t *testing.T) {
	const n, beta, rho = 10000, 0.3, 0.5
	a := make([]float64, n)
	w := make([]float64, n)
	for i := range a {
		a[i], w[i] = 1+float64(i%7), 1+float64(i%5)/4 // no zero gradient
	}
	sp := &spy{obj: &quad{a: a}}
	opt := &ESAM{Base: &recorder{}, Rho: rho, Beta: beta, Keep: 1, Seed: 9}
	if _, err := opt.Step(w, sp, []int{0}); err != nil {
		t.Fatal(err)
	}
	g := make([]float64, n)
	(&quad{a: a}).LossGrad(g, w, nil)
	scale := rho / (beta * (norm(g) + 1e-12))
	kept := 0
	for i, x := range sub(sp.pts[1], w) {
		switch full := scale * g[i]; {
		case x == 0 && full != 0:
		case math.Abs(x-full) <= 1e-15*(1+math.Abs(w[i])): // one rounding of w + ε
			kept++
		default:
			t.Fatalf("ε[%d] = %v, want 0 or %v", i, x, full)
		}
	}
	// kept ~ Binomial(n, β): sd = √(nβ(1−β)) ≈ 46; 6 sd is 275.
	if math.Abs(float64(kept)-n*beta) > 275 {
		t.Errorf("%d of %d coordinates perturbed, want about %v", kept, n, n*beta)
	}
	if c := opt.LastCost(); c.Forward != 2 || c.BackwardSamples != 2 {
		t.Errorf("Keep = 1: cost %+v, want 2 passes", c)
	}
}
