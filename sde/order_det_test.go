package sde

import (
	"runtime"
	"testing"
)

// TestConvergenceStudyDeterminism: ConvergenceStudy reduces the per-path
// errors in path order, so its errors and slopes are bitwise identical for
// GOMAXPROCS 1 and 2 (here with a fine-grid reference solve and a weak φ).
func TestConvergenceStudyDeterminism(t *testing.T) {
	run := func(procs int) *Convergence {
		old := runtime.GOMAXPROCS(procs)
		defer runtime.GOMAXPROCS(old)
		p := NonlinearAdditiveProblem()
		r, err := ConvergenceStudy(p, EulerMaruyama{}, &ConvergenceSettings{
			Steps: []int{4, 8, 16}, FineSteps: 64, Paths: 301, Seed: 8, Reference: SRA1{},
			Phi: func(x []float64) float64 { return x[0] * x[0] },
		})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	a, b := run(1), run(2)
	for l := range a.H {
		if a.Strong[l] != b.Strong[l] || a.StrongSE[l] != b.StrongSE[l] || a.Weak[l] != b.Weak[l] || a.WeakSE[l] != b.WeakSE[l] {
			t.Errorf("level %d: GOMAXPROCS 1 (%v, %v) vs 2 (%v, %v)", l, a.Strong[l], a.Weak[l], b.Strong[l], b.Weak[l])
		}
	}
	if a.StrongOrder != b.StrongOrder || a.WeakOrder != b.WeakOrder {
		t.Errorf("orders differ: %v %v vs %v %v", a.StrongOrder, a.WeakOrder, b.StrongOrder, b.WeakOrder)
	}
}
