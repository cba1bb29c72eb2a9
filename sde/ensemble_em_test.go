package sde

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	"github.com/sdeml/sdeml/internal/parallel"
)

// gbm2 is a 2-D diagonal-noise GBM-like system in three equivalent forms:
// separate callbacks, fused callback, batch callback only.
//
// The products are rounded explicitly (float64(…)): where Go fuses x*y+z into one FMA (arm64;
// amd64 with GOAMD64=v3), f1 inlined into the batch callback and f1 called through the split
// one may be fused differently and differ in the last bit; rounding makes the three forms
// compute the same values on every architecture, which is what the tests assume.
func gbm2(form string) *System {
	f1 := func(f []float64, t float64, x []float64) {
		f[0] = float64(1.01*x[0]) - float64(float64(0.3*x[1])*t)
		f[1] = -0.5 * x[1]
	}
	g1 := func(g []float64, _ float64, x []float64) {
		g[0] = 0.87 * x[0]
		g[1] = 0.4 + float64(0.1*x[1])
	}
	sys := &System{Dim: 2}
	switch form {
	case "split":
		sys.Drift, sys.Diffusion = f1, g1
	case "fused":
		sys.DriftDiffusion = func(f, g []float64, t float64, x []float64) { f1(f, t, x); g1(g, t, x) }
	case "batch":
		sys.BatchDriftDiffusion = func(f, g []float64, t float64, x []float64) {
			if len(f) != len(x) || len(g) != len(x) || len(x)%2 != 0 {
				panic("gbm2: batch shapes")
			}
			for r := 0; r < len(x); r += 2 {
				f1(f[r:r+2], t, x[r:r+2])
				g1(g[r:r+2], t, x[r:r+2])
			}
		}
	}
	return sys
}

// TestEnsembleEMBlock: SolveEnsemble's chunk-at-a-time Euler–Maruyama path
// gives, bit for bit, what Solve gives path by path on the same stream
// parallel.Stream(seed, i), with split, fused and batch callbacks, with
// and without a Domain, with uneven output intervals and a final partial
// chunk; and the same for GOMAXPROCS 1 and 2.
func TestEnsembleEMBlock(t *testing.T) {
	ts := []float64{0, 0.3, 0.35, 1}
	const paths = 150 // two full chunks of 64 and a partial one
	for _, dom := range []Domain{nil, FoldBox{Lo: -1, Hi: 1.5}} {
		set := &Settings{Step: 0.01, Domain: dom}
		var ref *EnsembleSolution
		for _, form := range []string{"split", "fused", "batch"} {
			for _, procs := range []int{1, 2} {
				old := runtime.GOMAXPROCS(procs)
				sol, err := SolveEnsemble(gbm2(form), EulerMaruyama{}, &Ensemble{Paths: paths, Seed: 9, X0: []float64{0.5, 1}, Store: true, Moments: true}, ts, set)
				runtime.GOMAXPROCS(old)
				if err != nil {
					t.Fatal(err)
				}
				if ref == nil {
					ref = sol
					continue
				}
				for k := range ts {
					for i := range paths {
						for j := range 2 {
							if a, b := sol.X[k].At(i, j), ref.X[k].At(i, j); a != b {
								t.Fatalf("domain %v, %s, procs %d: X[%d][%d,%d] = %v, first run %v", dom, form, procs, k, i, j, a, b)
							}
						}
					}
				}
				if sol.Steps != ref.Steps {
					t.Errorf("%s procs %d: Steps %d, want %d", form, procs, sol.Steps, ref.Steps)
				}
			}
		}
		if want := paths * 100; ref.Steps != want {
			t.Errorf("Steps = %d, want %d (paths × ⌈span/step⌉ per interval)", ref.Steps, want)
		}
		for _, i := range []int{0, 1, 63, 64, 127, 128, 149} {
			one, err := Solve(gbm2("split"), EulerMaruyama{}, []float64{0.5, 1}, ts,
				&Settings{Step: 0.01, Domain: dom, Brownian: NewIncrements(parallel.Stream(9, i), 2)})
			if err != nil {
				t.Fatal(err)
			}
			for k := range ts {
				for j := range 2 {
					if a, b := ref.X[k].At(i, j), one.X.At(k, j); a != b {
						t.Fatalf("domain %v: path %d, X[%d][%d] = %v, Solve gives %v", dom, i, k, j, a, b)
					}
				}
			}
		}
	}
}

// TestEnsembleEMBlockFailure: a path that leaves the finite numbers (the
// explosive ODE x' = x³ from x0 = 3, blown up near t = 1/18) reports the
// same error and step count as Solve, other paths finish, and MaxSteps
// errors are reported per path.
func TestEnsembleEMBlockFailure(t *testing.T) {
	sys := &System{
		Dim: 1,
		BatchDriftDiffusion: func(f, g []float64, _ float64, x []float64) {
			for i, v := range x {
				f[i], g[i] = v*v*v, 0.1
			}
		},
	}
	init := func(dst []float64, path int, _ rand.Source) {
		dst[0] = 0.1
		if path == 70 {
			dst[0] = 3
		}
	}
	ts := []float64{0, 0.5, 1}
	sol, err := SolveEnsemble(sys, EulerMaruyama{}, &Ensemble{Paths: 100, Seed: 4, Init: init, Store: true}, ts, &Settings{Step: 0.01})
	if err == nil || !strings.Contains(err.Error(), "path 70:") {
		t.Fatalf("error %v, want one naming path 70", err)
	}
	_, err1 := Solve(sys, EulerMaruyama{}, []float64{3}, ts, &Settings{Step: 0.01, Brownian: NewIncrements(parallel.Stream(4, 70), 1)})
	if err1 == nil || !strings.HasSuffix(err.Error(), ": "+strings.TrimPrefix(err1.Error(), "sde: ")) {
		t.Errorf("ensemble error %q, Solve error %q", err, err1)
	}
	// The 99 other paths take 100 steps each; path 70 stops at the step
	// reported in its error.
	var step int
	if _, e := fmt.Sscanf(err1.Error()[strings.LastIndex(err1.Error(), "(step"):], "(step %d)", &step); e != nil {
		t.Fatal(e)
	}
	if want := 99*100 + step; sol.Steps != want {
		t.Errorf("Steps = %d, want %d", sol.Steps, want)
	}
	if v := sol.X[2].At(71, 0); v == 0 || math.IsNaN(v) {
		t.Errorf("path 71 final state %v, want a finite nonzero value", v)
	}
	_, err = SolveEnsemble(sys, EulerMaruyama{}, &Ensemble{Paths: 3, Seed: 4, X0: []float64{0.1}, Moments: true}, ts, &Settings{Step: 0.01, MaxSteps: 60})
	if err == nil || !strings.Contains(err.Error(), "path 0:") || !strings.Contains(err.Error(), "MaxSteps = 60") {
		t.Errorf("MaxSteps error %v", err)
	}
	_, err = SolveEnsemble(sys, EulerMaruyama{}, &Ensemble{Paths: 3, Seed: 4, X0: []float64{math.NaN()}, Moments: true}, ts, nil)
	if err == nil || !strings.Contains(err.Error(), "x0 is not finite") {
		t.Errorf("non-finite x0: error %v", err)
	}
}

// TestBatchOnlySystem: a System with only BatchDriftDiffusion is valid and
// every method sees it row by row (n = 1): Milstein, Heun, SRID2 and
// Euler–Maruyama give the same bits with the split Drift/Diffusion, the
// fused DriftDiffusion and the batch callback.
func TestBatchOnlySystem(t *testing.T) {
	for _, m := range []Method{Milstein{DerivativeFree: true}, Heun{}, SRID2{}, EulerMaruyama{}} {
		var sols [3]*Solution
		for k, form := range []string{"split", "fused", "batch"} {
			sys := gbm2(form)
			sys.Calculus = m.Calculus() // only the bits of the three forms are compared
			sol, err := Solve(sys, m, []float64{0.5, 1}, []float64{0, 1}, &Settings{Step: 0.01, Seed: 3})
			if err != nil {
				t.Fatalf("%s %s: %v", m.Name(), form, err)
			}
			sols[k] = sol
		}
		for j := range 2 {
			a, b, c := sols[0].X.At(1, j), sols[1].X.At(1, j), sols[2].X.At(1, j)
			if a != b || a != c {
				t.Errorf("%s: split %v, fused %v, batch %v", m.Name(), a, b, c)
			}
		}
	}
}

// TestEnsembleEMBlock1D: the one-dimensional loop of emBlock (the GBM of the
// benchmark, batch form) equals Solve path by path, bit for bit, and the
// same for GOMAXPROCS 1 and 2.
func TestEnsembleEMBlock1D(t *testing.T) {
	ts := []float64{0, 0.5, 1}
	run := func(procs int) *EnsembleSolution {
		old := runtime.GOMAXPROCS(procs)
		defer runtime.GOMAXPROCS(old)
		sol, err := SolveEnsemble(gbmBench("batch"), EulerMaruyama{}, &Ensemble{Paths: 100, Seed: 5, X0: []float64{0.5}, Store: true}, ts, &Settings{Step: 0.01})
		if err != nil {
			t.Fatal(err)
		}
		return sol
	}
	a, b := run(1), run(2)
	for _, i := range []int{0, 5, 63, 64, 99} {
		one, err := Solve(gbmBench("fused"), EulerMaruyama{}, []float64{0.5}, ts,
			&Settings{Step: 0.01, Brownian: NewIncrements(parallel.Stream(5, i), 1)})
		if err != nil {
			t.Fatal(err)
		}
		for k := range ts {
			if x, y, z := a.X[k].At(i, 0), b.X[k].At(i, 0), one.X.At(k, 0); x != z || y != z {
				t.Errorf("path %d, X[%d]: GOMAXPROCS 1 %v, 2 %v, Solve %v", i, k, x, y, z)
			}
		}
	}
}
