package sam

import (
	"math"
	"testing"
)

// Weight decay in the ascent and the interior of the unified λ form, against the formulas
// of SAM's doc evaluated here from an independently computed g = ∇f_γ(w):
//
//	AscentWD = a:  u = g + a·w,  ε = ρ u/(‖u‖ + 1e-12) (SAM),  ε = ρ u (USAM);
//	Unified λ:     ε = ρ (1 − λ + λ/(‖g‖ + 1e-12)) g.
func TestPerturbationForms(t *testing.T) {
	obj, w := smallTask(3, 8, 5)
	g := make([]float64, len(w))
	obj.LossGrad(g, w, seq(8))
	const rho, wd, lambda = 0.3, 0.2, 0.4
	u := make([]float64, len(w))
	for i := range u {
		u[i] = g[i] + wd*w[i]
	}
	nu, ng := norm(u), norm(g)
	cases := []struct {
		name string
		opt  *SAM
		want func(i int) float64
	}{
		{"SAM+AscentWD", &SAM{Rho: rho, AscentWD: wd}, func(i int) float64 { return rho * u[i] / (nu + 1e-12) }},
		{"USAM+AscentWD", &SAM{Rho: rho, AscentWD: wd, Norm: Unnormalized}, func(i int) float64 { return rho * u[i] }},
		{"Unified λ=0.4", &SAM{Rho: rho, Norm: Unified, Lambda: lambda},
			func(i int) float64 { return rho * (1 - lambda + lambda/(ng+1e-12)) * g[i] }},
	}
	for _, c := range cases {
		e := perturbationOf(t, c.opt, &spy{obj: obj}, w, seq(8))
		for i := range e {
			// |w| ≤ 0.7·(a few) and |ε| < 1: differencing (w+ε)−w and a different summation
			// order of ‖u‖ cost a few ulp of O(1) numbers; 1e-14 is ~50 ulp.
			if want := c.want(i); math.Abs(e[i]-want) > 1e-14 {
				t.Errorf("%s: ε[%d] = %v, want %v", c.name, i, e[i], want)
			}
		}
	}
	// The ascent weight decay must not leak into the descent: d = ∇f_γ(w + ε) exactly.
	sp := &spy{obj: obj}
	rec := &recorder{}
	if _, err := (&SAM{Base: rec, Rho: rho, AscentWD: wd}).Step(w, sp, seq(8)); err != nil {
		t.Fatal(err)
	}
	d := make([]float64, len(w))
	obj.LossGrad(d, sp.pts[len(sp.pts)-1], seq(8))
	if !bitsEqual(d, rec.g) {
		t.Error("AscentWD changed the descent gradient")
	}
}

// n-SAM with FullDescent descends on all n samples whatever the batch: with the exact ascent
// it is SAM on the whole data bit for bit; with an ascent batch the descent point is
// w + ε(ascent samples) and the descent indices are 0..n-1.
func TestNSAMFullDescent(t *testing.T) {
	obj, w := smallTask(22, 10, 4)
	a, b := &recorder{}, &recorder{}
	if _, err := (&NSAM{Base: a, Rho: 0.3, FullDescent: true}).Step(w, obj, []int{2, 5}); err != nil {
		t.Fatal(err)
	}
	if _, err := (&SAM{Base: b, Rho: 0.3}).Step(w, obj, seq(10)); err != nil {
		t.Fatal(err)
	}
	if !bitsEqual(a.g, b.g) {
		t.Error("FullDescent n-SAM with the exact ascent differs from SAM on all n samples")
	}
	sp := &spy{obj: obj}
	rec := &recorder{}
	opt := &NSAM{Base: rec, Rho: 0.3, FullDescent: true, AscentBatch: 4, Seed: 3}
	if _, err := opt.Step(w, sp, []int{2, 5}); err != nil {
		t.Fatal(err)
	}
	if len(sp.idxs) != 2 || len(sp.idxs[0]) != 4 || len(sp.idxs[1]) != 10 {
		t.Fatalf("LossGrad index sets %v, want 4 ascent samples then all 10", sp.idxs)
	}
	d := make([]float64, len(w))
	obj.LossGrad(d, sp.pts[1], seq(10))
	if !bitsEqual(d, rec.g) {
		t.Error("FullDescent descent gradient is not ∇f(w+ε) over all n samples")
	}
	if c := opt.LastCost(); c.BackwardSamples != 14 {
		t.Errorf("cost counts %d backward samples, want 4 + 10", c.BackwardSamples)
	}
}
