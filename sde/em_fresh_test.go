package sde

import (
	"testing"

	"github.com/sdeml/sdeml/internal/parallel"
)

// TestFresh1Identical: the one-dimensional loop of emStepper.fresh
// (fresh1, the per-path GBM benchmark's path), for each callback form, gives bit
// for bit the states of the generic loop (Increments behind a wrapper, so
// Step and Increment are called per step) on the same streams, in Solve
// and in SolveEnsemble, and a path that overflows stops at the same step
// with the same error.
func TestFresh1Identical(t *testing.T) {
	ts := []float64{0, 0.37, 1}
	for _, form := range callbackForms {
		testFresh1Identical(t, gbmBench(form), ts)
	}
	// x' = x² from 1 overflows near t = 1 (x = 1/(1−t)); with h = 0.01 the
	// Euler iterates leave the float64 range before t = 2.
	blow := &System{Dim: 1, DriftDiffusion: func(f, g []float64, _ float64, x []float64) { f[0], g[0] = x[0]*x[0]*1e3, 0.1 }}
	_, e1 := Solve(blow, EulerMaruyama{}, []float64{1}, []float64{0, 2}, &Settings{Step: 0.01, Seed: 1})
	rec := &summing{Brownian: NewIncrements(parallel.Stream(1, 0), 1), sum: make([]float64, 1)}
	_, e2 := Solve(blow, EulerMaruyama{}, []float64{1}, []float64{0, 2}, &Settings{Step: 0.01, Brownian: rec})
	if e1 == nil || e2 == nil || e1.Error() != e2.Error() {
		t.Errorf("overflow: fast loop error %v, generic %v", e1, e2)
	}
}

func testFresh1Identical(t *testing.T, sys *System, ts []float64) {
	ens, err := SolveEnsemble(sys, EulerMaruyama{}, &Ensemble{Paths: 70, Seed: 8, X0: []float64{0.5}, Store: true}, ts, &Settings{Step: 0.003})
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{0, 1, 64, 69} {
		rec := &summing{Brownian: NewIncrements(parallel.Stream(8, i), 1), sum: make([]float64, 1)}
		ref, err := Solve(sys, EulerMaruyama{}, []float64{0.5}, ts, &Settings{Step: 0.003, Brownian: rec})
		if err != nil {
			t.Fatal(err)
		}
		for k := range ts {
			if a, b := ens.X[k].At(i, 0), ref.X.At(k, 0); a != b {
				t.Errorf("path %d, t = %v: fast loop %v, generic %v", i, ts[k], a, b)
			}
		}
	}
}
