package sde

import (
	"fmt"
	"math"
	"testing"

	"github.com/sdeml/sdeml/internal/parallel"
)

// The solver-overhead measurement (docs/PERFORMANCE.md, "sde: solver
// overhead against a hand-written loop"): Solve and SolveEnsemble with
// Euler–Maruyama against a plain loop that calls the same callbacks and
// draws the same normal variates, for each callback form, on a 1-D and a
// 10-D problem. TestOverheadHandLoop checks that the loops compute the
// solver's values bit for bit, so the benchmarks time the same work.

// callbackForms are the three ways a System can give f and g.
var callbackForms = []string{"separate", "fused", "batch"}

// overheadSys is GBM for d = 1 (dX = 1.01X dt + 0.87X dW, the numpy peer's)
// and for d = 10 a ring of GBMs coupled through the drift,
// f_i = 1.01x_i − 0.1(x_i − x_{i+1 mod d}), g_i = 0.87x_i (diagonal noise),
// given in one callback form.
func overheadSys(d int, form string) *System {
	const mu, sigma, k = 1.01, 0.87, 0.1
	drift := func(f []float64, _ float64, x []float64) {
		if len(x) == 1 {
			f[0] = mu * x[0]
			return
		}
		f = f[:len(x)]
		for i, v := range x {
			j := i + 1
			if j == len(x) {
				j = 0
			}
			f[i] = mu*v - k*(v-x[j])
		}
	}
	diff := func(g []float64, _ float64, x []float64) {
		g = g[:len(x)]
		for i, v := range x {
			g[i] = sigma * v
		}
	}
	sys := &System{Dim: d}
	switch form {
	case "separate":
		sys.Drift, sys.Diffusion = drift, diff
	case "fused":
		if d == 1 {
			sys.DriftDiffusion = func(f, g []float64, _ float64, x []float64) {
				f[0] = mu * x[0]
				g[0] = sigma * x[0]
			}
		} else {
			sys.DriftDiffusion = func(f, g []float64, t float64, x []float64) { drift(f, t, x); diff(g, t, x) }
		}
	case "batch":
		sys.BatchDriftDiffusion = func(f, g []float64, t float64, x []float64) {
			for r := 0; r < len(x); r += d {
				drift(f[r:r+d], t, x[r:r+d])
				diff(g[r:r+d], t, x[r:r+d])
			}
		}
	}
	return sys
}

// handEM is the hand-written loop: ns Euler–Maruyama steps of the n = len(x)/d
// states in x (n > 1 only for the batch form) from 0 to T, step times
// j·T/ns (the last exactly T), calling the form's callback and drawing the
// variates of state r from gens[r] (a PCG), component by component, with
// the ziggurat's common case inlined as the solver's fast loop does. It is
// the loop a user would write for this method and these random numbers.
func handEM(sys *System, form string, x, f, g []float64, gens []normalGen, T float64, ns int) bool {
	dt := T / float64(ns)
	t0, hPrev, sq := 0.0, math.NaN(), math.NaN()
	d := sys.Dim
	sep, fused := form == "separate", form == "fused"
	for j := 1; j <= ns; j++ {
		t1 := float64(j) * dt
		if j == ns {
			t1 = T
		}
		h := t1 - t0
		if h != hPrev {
			hPrev, sq = h, math.Sqrt(h)
		}
		if sep {
			sys.Drift(f, t0, x)
			sys.Diffusion(g, t0, x)
		} else if fused {
			sys.DriftDiffusion(f, g, t0, x)
		} else {
			sys.BatchDriftDiffusion(f, g, t0, x)
		}
		var bad float64
		for r := range gens {
			gen := &gens[r]
			for i := r * d; i < r*d+d; i++ {
				u := gen.pcg.Uint64()
				z, ok := zigFast(u)
				if !ok {
					z = gen.slowFrom(u)
				}
				v := x[i] + h*f[i] + g[i]*(sq*z)
				x[i] = v
				bad += v - v
			}
		}
		if bad != 0 {
			return false
		}
		t0 = t1
	}
	return true
}

// handEnsemble runs paths hand loops from x0 (path i on
// parallel.Stream(seed, i)), the batch form in blocks of ensembleChunk
// paths, and writes the final states into out (paths×d).
func handEnsemble(sys *System, form string, x0 []float64, paths int, seed uint64, T float64, ns int, out []float64) {
	d := sys.Dim
	blk := 1
	if form == "batch" {
		blk = ensembleChunk
	}
	x, f, g := make([]float64, blk*d), make([]float64, blk*d), make([]float64, blk*d)
	gens := make([]normalGen, blk)
	for lo := 0; lo < paths; lo += blk {
		n := min(blk, paths-lo)
		for p := range n {
			gens[p] = newNormalGen(parallel.Stream(seed, lo+p))
			copy(x[p*d:(p+1)*d], x0)
		}
		handEM(sys, form, x[:n*d], f[:n*d], g[:n*d], gens[:n], T, ns)
		copy(out[lo*d:(lo+n)*d], x[:n*d])
	}
}

// TestOverheadHandLoop: the hand loops compute Solve's and SolveEnsemble's
// final states bit for bit, for every callback form, d = 1 and 10.
func TestOverheadHandLoop(t *testing.T) {
	const T, ns, paths = 1.0, 200, 150
	for _, d := range []int{1, 10} {
		x0 := make([]float64, d)
		for i := range x0 {
			x0[i] = 0.5 + 0.01*float64(i)
		}
		for _, form := range callbackForms {
			sys := overheadSys(d, form)
			sol, err := Solve(sys, EulerMaruyama{}, x0, []float64{0, T}, &Settings{Step: T / ns, Seed: 3})
			if err != nil {
				t.Fatal(err)
			}
			x := append([]float64(nil), x0...)
			gens := []normalGen{newNormalGen(parallel.Stream(3, 0))}
			handEM(sys, form, x, make([]float64, d), make([]float64, d), gens, T, ns)
			for i := range x {
				if got := sol.X.At(1, i); got != x[i] {
					t.Fatalf("d = %d, %s: Solve X[%d] = %v, hand loop %v", d, form, i, got, x[i])
				}
			}
			ens, err := SolveEnsemble(sys, EulerMaruyama{}, &Ensemble{Paths: paths, Seed: 3, X0: x0, Store: true}, []float64{0, T}, &Settings{Step: T / ns})
			if err != nil {
				t.Fatal(err)
			}
			out := make([]float64, paths*d)
			handEnsemble(sys, form, x0, paths, 3, T, ns, out)
			for p := range paths {
				for i := range d {
					if got := ens.X[1].At(p, i); got != out[p*d+i] {
						t.Fatalf("d = %d, %s: SolveEnsemble path %d X[%d] = %v, hand loop %v", d, form, p, i, got, out[p*d+i])
					}
				}
			}
		}
	}
}

// BenchmarkOverhead: Solve (one path, 10⁶ steps) and SolveEnsemble (1000
// paths × 1000 steps) against the hand loops, per callback form, d = 1 and
// 10. Reports CPU ns per path-step (all threads), the figure to compare on
// a shared machine; the ensemble runs on all cores, the hand loop on one.
func BenchmarkOverhead(b *testing.B) {
	const T = 1.0
	for _, d := range []int{1, 10} {
		x0 := make([]float64, d)
		for i := range x0 {
			x0[i] = 0.5
		}
		for _, form := range callbackForms {
			sys := overheadSys(d, form)
			const ns = 1000000
			b.Run(fmt.Sprintf("solve/d=%d/%s/hand", d, form), func(b *testing.B) {
				x, f, g := make([]float64, d), make([]float64, d), make([]float64, d)
				gens := make([]normalGen, 1)
				cpu0 := cpuTime()
				for b.Loop() {
					copy(x, x0)
					gens[0] = newNormalGen(parallel.Stream(1, 0))
					handEM(sys, form, x, f, g, gens, T, ns)
				}
				reportCPU(b, cpu0, ns)
			})
			b.Run(fmt.Sprintf("solve/d=%d/%s/sde", d, form), func(b *testing.B) {
				set := &Settings{Step: T / ns, Seed: 1}
				ts := []float64{0, T}
				cpu0 := cpuTime()
				for b.Loop() {
					if _, err := Solve(sys, EulerMaruyama{}, x0, ts, set); err != nil {
						b.Fatal(err)
					}
				}
				reportCPU(b, cpu0, ns)
			})
			const paths, steps = 1000, 1000
			b.Run(fmt.Sprintf("ensemble/d=%d/%s/hand", d, form), func(b *testing.B) {
				out := make([]float64, paths*d)
				cpu0 := cpuTime()
				for b.Loop() {
					handEnsemble(sys, form, x0, paths, 1, T, steps, out)
				}
				reportCPU(b, cpu0, paths*steps)
			})
			b.Run(fmt.Sprintf("ensemble/d=%d/%s/sde", d, form), func(b *testing.B) {
				e := &Ensemble{Paths: paths, Seed: 1, X0: x0, Store: true}
				set := &Settings{Step: T / steps}
				ts := []float64{0, T}
				cpu0 := cpuTime()
				for b.Loop() {
					if _, err := SolveEnsemble(sys, EulerMaruyama{}, e, ts, set); err != nil {
						b.Fatal(err)
					}
				}
				reportCPU(b, cpu0, paths*steps)
			})
		}
	}
}

// TestSeparateFormFastPath: a one-dimensional ensemble with separate Drift
// and Diffusion callbacks takes the same two-paths-at-a-time loop as the
// fused form (before, only DriftDiffusion did, and the separate form ran at
// about half the speed; BenchmarkOverhead measures it). The values are
// those of the generic loop bit for bit (TestEnsemblePair, TestFresh1Identical).
func TestSeparateFormFastPath(t *testing.T) {
	for _, form := range callbackForms {
		sv, err := newSolver(gbmBench(form), EulerMaruyama{}, []float64{0, 1}, &Settings{Step: 0.01})
		if err != nil {
			t.Fatal(err)
		}
		pair, blk := emPairable(sv), emBlockable(sv)
		if form == "batch" && !blk || form != "batch" && !pair {
			t.Errorf("%s: emPairable %v, emBlockable %v", form, pair, blk)
		}
	}
}
