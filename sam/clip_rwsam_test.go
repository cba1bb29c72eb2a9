package sam

import (
	"math"
	"strings"
	"testing"
)

// RWSAM's AscentClipNorm rescales its whole ascent gradient u (each form's own u) before it
// forms ε. With Eps = 1 the unclipped radius is ρ‖u‖/(‖u‖ + 1), which gives ‖u‖; clipped at
// C < ‖u‖ the same draws give ε·C(‖u‖ + 1)/(‖u‖(C + 1)), the same direction. A clip per
// coordinate would turn ε and fail the direction check.
func TestRWSAMAscentClip(t *testing.T) {
	obj, w := smallTask(53, 8, 5)
	const rho, c = 0.3, 0.05
	for _, form := range []RWForm{VirtualMicro, GibbsAscent, Corrections} {
		eps := func(clip float64) []float64 {
			sp := &spy{obj: obj}
			r := &RWSAM{Form: form, Base: &recorder{}, Rho: rho, Eps: 1, Seed: 4, AscentClipNorm: clip, EquivM: 2}
			if form == Corrections {
				r.EquivM, r.Unit, r.Draws = 0, 2, 1
			}
			if _, err := r.Step(w, sp, seq(8)); err != nil {
				t.Fatalf("%v: %v", form, err)
			}
			for _, pt := range sp.pts {
				if !bitsEqual(pt, w) {
					d := make([]float64, len(w))
					for i := range d {
						d[i] = pt[i] - w[i]
					}
					return d
				}
			}
			t.Fatalf("%v: no perturbed point visited", form)
			return nil
		}
		free, clipped := eps(0), eps(c)
		ratio := norm(free) / rho
		nu := ratio / (1 - ratio) // ‖u‖ from ρ‖u‖/(‖u‖ + 1)
		if nu <= c {
			t.Fatalf("%v: ‖u‖ = %v, the test needs it above the clip %v", form, nu, c)
		}
		f := c * (nu + 1) / (nu * (c + 1))
		for i := range free {
			// A few roundings of ‖u‖ recovered from the radius: 1e-12 relative.
			if want := free[i] * f; math.Abs(clipped[i]-want) > 1e-12*norm(free) {
				t.Fatalf("%v: clipped ε[%d] = %v, want %v (factor %v)", form, i, clipped[i], want, f)
			}
		}
	}
	r := &RWSAM{Base: &SGD{LR: 0.1}, Rho: 0.1, AscentClipNorm: -1}
	if _, err := r.Step(w, obj, seq(8)); err == nil || !strings.Contains(err.Error(), "AscentClipNorm = -1") {
		t.Fatalf("negative AscentClipNorm: %v", err)
	}
}
