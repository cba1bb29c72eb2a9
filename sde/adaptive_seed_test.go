package sde

import (
	"math"
	"runtime"
	"testing"
)

// TestAdaptiveSeedConverges is the regression test of the adaptive default:
// with only Settings.Seed, adaptive Milstein on CubicProblem (X(1) =
// tanh(W(1)/2 + atanh ½)) must solve one Brownian path for every tolerance,
// the BrownianTree of TreeSeed(Seed, 0) on [0, 1]. Over 40 seeds, the RMS
// error against the closed form on that tree's W(1) must fall by at least
// 1.5 per decade of RTol = ATol from 1e-3 to 1e-5 (as in
// TestAdaptiveToleranceSweep) and end below 1e-3. With a query-order
// dependent path (the old default) each tolerance solved another path and
// the RMS error stayed O(0.3) at every tolerance.
func TestAdaptiveSeedConverges(t *testing.T) {
	p := CubicProblem()
	tols := []float64{1e-3, 1e-4, 1e-5}
	const seeds = 40
	rms := make([]float64, len(tols))
	w, want := make([]float64, 1), make([]float64, 1)
	for s := range uint64(seeds) {
		tr, err := NewBrownianTree(TreeSeed(s, 0), 1, 0, 1, 1e-12)
		if err != nil {
			t.Fatal(err)
		}
		tr.At(w, 1)
		p.Exact(want, 1, p.X0, w)
		for j, tol := range tols {
			sol, err := Solve(p.Sys, Milstein{}, p.X0, []float64{0, 1}, &Settings{Adaptive: true, RTol: tol, ATol: tol, Step: 0.1, Seed: s})
			if err != nil {
				t.Fatal(err)
			}
			d := sol.X.At(1, 0) - want[0]
			rms[j] += d * d / seeds
		}
	}
	for j := range rms {
		rms[j] = math.Sqrt(rms[j])
	}
	t.Logf("RMS error of X(1) over %d seeds: %.3g at RTol = ATol = %g", seeds, rms, tols)
	for j := 1; j < len(rms); j++ {
		if !(rms[j] < rms[j-1]/1.5) {
			t.Errorf("RMS error %.3g at tol %g not below %.3g at tol %g / 1.5", rms[j], tols[j], rms[j-1], tols[j-1])
		}
	}
	if last := rms[len(rms)-1]; !(last < 1e-3) {
		t.Errorf("RMS error %.3g at tol %g, want < 1e-3", last, tols[len(tols)-1])
	}
}

// TestAdaptiveEnsembleTree: adaptive SolveEnsemble drives path i by the tree
// of TreeSeed(Seed, i): path 0 equals Solve with the same seed bit for bit,
// every path is within 1e-3 of the closed form on its tree at tol 1e-5 (the
// bound of TestAdaptiveSeedConverges), and the result is bit-identical for
// GOMAXPROCS = 1 and 2.
func TestAdaptiveEnsembleTree(t *testing.T) {
	p := CubicProblem()
	ts := []float64{0, 0.5, 1}
	set := &Settings{Adaptive: true, RTol: 1e-5, ATol: 1e-5, Step: 0.1}
	const paths, seed = 70, 11
	run := func(procs int) *EnsembleSolution {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		sol, err := SolveEnsemble(p.Sys, Milstein{}, &Ensemble{Paths: paths, Seed: seed, X0: p.X0, Store: true}, ts, set)
		if err != nil {
			t.Fatal(err)
		}
		return sol
	}
	a, b := run(1), run(2)
	for k := range ts {
		for i := range paths {
			if a.X[k].At(i, 0) != b.X[k].At(i, 0) {
				t.Fatalf("path %d at t = %v: GOMAXPROCS 1 gives %v, 2 gives %v", i, ts[k], a.X[k].At(i, 0), b.X[k].At(i, 0))
			}
		}
	}
	one := *set
	one.Seed = seed
	sol, err := Solve(p.Sys, Milstein{}, p.X0, ts, &one)
	if err != nil {
		t.Fatal(err)
	}
	if sol.X.At(2, 0) != a.X[2].At(0, 0) {
		t.Errorf("Solve %v differs from ensemble path 0 %v", sol.X.At(2, 0), a.X[2].At(0, 0))
	}
	w, want := make([]float64, 1), make([]float64, 1)
	for i := range paths {
		tr, err := NewBrownianTree(TreeSeed(seed, i), 1, 0, 1, 1e-12)
		if err != nil {
			t.Fatal(err)
		}
		tr.At(w, 1)
		p.Exact(want, 1, p.X0, w)
		if d := math.Abs(a.X[2].At(i, 0) - want[0]); d > 1e-3 {
			t.Errorf("path %d: X(1) = %v, closed form on its tree %v", i, a.X[2].At(i, 0), want[0])
		}
	}
}
