package sde

import (
	"math"
	"strings"
	"testing"

	"github.com/sdeml/sdeml/internal/parallel"
)

// TestConvergenceStudyCountsFailures: Euler–Maruyama on dX = −X³ dt + 2 dW
// from X₀ = 1.5 to T = 4, with a drift that is NaN outside (−4, 4) (a model
// valid in a box), fails on many paths at the coarse steps (x − h x³
// overshoots once x² > 2/h: |x| > 2 at h = ½) and on none at the fine
// h = 1/32 (|X| ≥ 4 has stationary probability below e⁻³⁰). The strict default stops with the
// failing path's error; CountFailures keeps the table. Every number is
// checked against a hand-written replay of the study: path i's fine
// increments come from NewIncrements(parallel.Stream(Seed, i), 1), a level
// sums them in groups, Euler–Maruyama runs on the sums (the reference on
// the fine grid itself), and a path fails at a level when its state stops
// being finite (its drift is evaluated at |x| ≥ 4). The counts must match exactly and the strong errors of the
// surviving paths to 1e-12 relative (the same arithmetic in a different
// order of summation only in the RMS).
func TestConvergenceStudyCountsFailures(t *testing.T) {
	const sigma, x0, paths, fine, T, bound = 2.0, 1.5, 400, 128, 4.0, 4.0
	steps := []int{8, 16, 32, 128}
	p := &Problem{Name: "cubic", T: T, X0: []float64{x0}, Sys: &System{Dim: 1, Noise: Additive,
		Drift: func(d []float64, _ float64, x []float64) {
			d[0] = -x[0] * x[0] * x[0]
			if math.Abs(x[0]) >= bound {
				d[0] = math.NaN() // a model valid in (−4, 4) only
			}
		},
		Diffusion: func(d []float64, _ float64, _ []float64) { d[0] = sigma }}}
	set := &ConvergenceSettings{Steps: steps, FineSteps: fine, Paths: paths, Seed: 5, Reference: EulerMaruyama{}}
	if _, err := ConvergenceStudy(p, EulerMaruyama{}, set); err == nil || !strings.Contains(err.Error(), "non-finite state") {
		t.Fatalf("strict study: error %v, want a non-finite state", err)
	}
	set.CountFailures = true
	res, err := ConvergenceStudy(p, EulerMaruyama{}, set)
	if err != nil {
		t.Fatal(err)
	}
	// The replay.
	em := func(dw []float64, n int) (float64, bool) {
		h, x, r := T/float64(n), x0, fine/n
		for k := range n {
			var w float64
			for q := k * r; q < (k+1)*r; q++ {
				w += dw[q]
			}
			if math.Abs(x) >= bound {
				return x, false
			}
			x = x - h*x*x*x + sigma*w
		}
		return x, true
	}
	failed := make([]int, len(steps))
	sum := make([]float64, len(steps))
	dw := make([]float64, fine)
	for i := range paths {
		inc := NewIncrements(parallel.Stream(5, i), 1)
		for k := range dw {
			inc.Increment(dw[k:k+1], nil, 0, T/fine)
		}
		ref, ok := em(dw, fine)
		if !ok {
			t.Fatalf("path %d: the fine reference fails", i)
		}
		for l, n := range steps {
			x, ok := em(dw, n)
			if !ok {
				failed[l]++
				continue
			}
			sum[l] += (x - ref) * (x - ref)
		}
	}
	t.Logf("failed paths per level (n = %v): %v of %d; strong errors %.4g", steps, res.Failed, paths, res.Strong)
	if failed[0] == 0 || failed[len(steps)-1] != 0 {
		t.Fatalf("replay: failures per level %v: the problem does not exercise the counting", failed)
	}
	if res.ReferenceFailed != 0 {
		t.Errorf("ReferenceFailed = %d, want 0", res.ReferenceFailed)
	}
	for l := range steps {
		if res.Failed[l] != failed[l] {
			t.Errorf("level %d (n = %d): Failed = %d, replay %d", l, steps[l], res.Failed[l], failed[l])
		}
		if (res.FirstFailure[l] != nil) != (failed[l] > 0) {
			t.Errorf("level %d: FirstFailure = %v with %d failures", l, res.FirstFailure[l], failed[l])
		}
		want := math.Sqrt(sum[l] / float64(paths-failed[l]))
		if got := res.Strong[l]; !(math.Abs(got-want) <= 1e-12*want) && !(want == 0 && got == 0) {
			t.Errorf("level %d (n = %d): Strong = %v, replay %v", l, steps[l], got, want)
		}
	}
}
