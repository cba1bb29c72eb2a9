package sam

import (
	"math"
	"testing"
)

// family returns every optimizer of the SAM family except RWSAM (its ascent gradient is
// reweighted: TestRWSAMAscentClip), configured with the
// given clip norms on the final direction (clip) and on the ascent gradient (asc), Eps =
// eps, and a recorder as Base (so w does not move). ESAM keeps every sample and every
// coordinate here, so its ascent is deterministic.
func family(clip, asc, eps float64) []struct {
	name string
	opt  Optimizer
} {
	r := func() Updater { return &recorder{} }
	return []struct {
		name string
		opt  Optimizer
	}{
		{"SAM", &SAM{Base: r(), Rho: 0.3, Eps: eps, ClipNorm: clip, AscentClipNorm: asc}},
		{"m-SAM", &SAM{Base: r(), Rho: 0.3, Micro: 2, Eps: eps, ClipNorm: clip, AscentClipNorm: asc}},
		{"USAM", &SAM{Base: r(), Rho: 0.3, Norm: Unnormalized, ClipNorm: clip, AscentClipNorm: asc}},
		{"ASAM", &SAM{Base: r(), Rho: 0.3, Adaptive: true, Eta: 0.1, Eps: eps, ClipNorm: clip, AscentClipNorm: asc}},
		{"NSAM", &NSAM{Base: r(), Rho: 0.3, Eps: eps, ClipNorm: clip, AscentClipNorm: asc}},
		{"GSAM", &GSAM{Base: r(), Rho: 0.3, Eps: eps, ClipNorm: clip, AscentClipNorm: asc}},
		{"WSAM", &WSAM{Base: r(), Rho: 0.3, Eps: eps, ClipNorm: clip, AscentClipNorm: asc}},
		{"ESAM", &ESAM{Base: r(), Rho: 0.3, Beta: 1, Keep: 1, Eps: eps, ClipNorm: clip, AscentClipNorm: asc}},
		{"LookSAM", &LookSAM{Base: r(), Rho: 0.3, Eps: eps, ClipNorm: clip, AscentClipNorm: asc}},
		{"FriendlySAM", &FriendlySAM{Base: r(), Rho: 0.3, Eps: eps, ClipNorm: clip, AscentClipNorm: asc}},
		{"IntervalSAM", &IntervalSAM{Base: r(), Rho: 0.3, Eps: eps, ClipNorm: clip, AscentClipNorm: asc}},
	}
}

func baseOf(o Optimizer) *recorder {
	switch o := o.(type) {
	case *SAM:
		return o.Base.(*recorder)
	case *NSAM:
		return o.Base.(*recorder)
	case *GSAM:
		return o.Base.(*recorder)
	case *WSAM:
		return o.Base.(*recorder)
	case *ESAM:
		return o.Base.(*recorder)
	case *LookSAM:
		return o.Base.(*recorder)
	case *FriendlySAM:
		return o.Base.(*recorder)
	case *IntervalSAM:
		return o.Base.(*recorder)
	}
	panic("unknown optimizer")
}

// ClipNorm rescales the whole final direction: with C = ‖d‖/4 the base receives d·C/‖d‖
// (same direction, norm C); with C = 4‖d‖ it receives d bit for bit.
func TestClipFinalDirection(t *testing.T) {
	obj, w := smallTask(51, 8, 5)
	free := family(0, 0, 0)
	for i := range free {
		if _, err := free[i].opt.Step(w, obj, seq(8)); err != nil {
			t.Fatal(err)
		}
		d := baseOf(free[i].opt).g
		n := norm(d)
		for _, c := range []float64{n / 4, 4 * n} {
			opt := family(c, 0, 0)[i].opt
			if _, err := opt.Step(w, obj, seq(8)); err != nil {
				t.Fatal(err)
			}
			got := baseOf(opt).g
			if c > n {
				if !bitsEqual(got, d) {
					t.Errorf("%s: a clip above ‖d‖ changed d", free[i].name)
				}
				continue
			}
			// One scaling by C/‖d‖: a few ulps of each coordinate.
			for k := range d {
				if want := d[k] * c / n; math.Abs(got[k]-want) > 1e-15*n {
					t.Errorf("%s: clipped d[%d] = %v, want d·C/‖d‖ = %v", free[i].name, k, got[k], want)
				}
			}
		}
	}
}

// AscentClipNorm rescales the whole ascent gradient u before it forms ε: with Eps = 1
// (so the normalisation does not undo the clip) and C < ‖u‖,
//
//	ε = ρ s(C) (C/‖u‖) T²u,  s(n) = 1/(n + 1) (Normalized), 1 (USAM),
//
// with T² = diag(t²) for ASAM (the clip acts on u, the scaled norm ‖Tu‖ shrinks by the
// same factor). Every perturbed point the optimizer visits is checked against u on its own
// samples (each micro-batch for m-SAM). A per-coordinate clip would turn ε and fail.
func TestClipAscentGradient(t *testing.T) {
	obj, w := smallTask(52, 8, 5)
	const c = 0.05
	for _, f := range family(0, c, 1) {
		sp := &spy{obj: obj}
		if _, err := f.opt.Step(w, sp, seq(8)); err != nil {
			t.Fatal(err)
		}
		checked := 0
		for k, pt := range sp.pts {
			if bitsEqual(pt, w) {
				continue
			}
			u := make([]float64, len(w))
			obj.LossGrad(u, w, sp.idxs[k])
			nu := norm(u)
			if nu <= c {
				t.Fatalf("%s: ‖u‖ = %v, the test needs it above the clip %v", f.name, nu, c)
			}
			var tn float64 // ‖T u_c‖ for ASAM
			scale := make([]float64, len(w))
			for i := range w {
				scale[i] = 1
				if s, ok := f.opt.(*SAM); ok && s.Adaptive {
					scale[i] = math.Abs(w[i]) + s.Eta
				}
				tn += (scale[i] * u[i] * c / nu) * (scale[i] * u[i] * c / nu)
			}
			s := 1 / (math.Sqrt(tn) + 1)
			if sm, ok := f.opt.(*SAM); ok && sm.Norm == Unnormalized {
				s = 1
			}
			for i := range w {
				want := 0.3 * s * (c / nu) * scale[i] * scale[i] * u[i]
				// (w + ε) − w loses up to ulp(|w|) ≈ 2e-16; the rest is a few roundings.
				if got := pt[i] - w[i]; math.Abs(got-want) > 1e-15 {
					t.Errorf("%s: ε[%d] = %v, want %v", f.name, i, got, want)
				}
			}
			checked++
		}
		if checked == 0 {
			t.Errorf("%s: no perturbed point visited", f.name)
		}
	}
}
