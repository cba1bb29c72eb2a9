package sde

import (
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	"github.com/sdeml/sdeml/internal/parallel"
)

// TestEnsemblePair: SolveEnsemble's two-paths-at-a-time Euler–Maruyama loop
// (1-D system, fused or separate callbacks) gives, bit for bit, the states, step counts
// and errors of Solve path by path on the generic loop (Increments behind
// a wrapper) with the same streams, for 67 paths (pairs, and an odd path
// at the end of the second chunk), an Init that draws from the path's
// stream, paths that overflow inside an interval (the partner must go on
// unchanged), and GOMAXPROCS 1 and 2.
func TestEnsemblePair(t *testing.T) {
	// x' = 30 x² (1 + W noise): from x0 ≥ 1 the Euler iterates overflow
	// within the first interval; from x0 ≈ 0.01 they stay finite.
	fused := &System{Dim: 1, DriftDiffusion: func(f, g []float64, _ float64, x []float64) {
		f[0], g[0] = 30*x[0]*x[0], 0.3*x[0]
	}}
	separate := &System{Dim: 1,
		Drift:     func(f []float64, _ float64, x []float64) { f[0] = 30 * x[0] * x[0] },
		Diffusion: func(g []float64, _ float64, x []float64) { g[0] = 0.3 * x[0] },
	}
	for _, sys := range []*System{fused, separate} {
		testEnsemblePair(t, sys)
	}
}

func testEnsemblePair(t *testing.T, sys *System) {
	init := func(dst []float64, path int, src rand.Source) {
		dst[0] = 0.01 * (1 + float64(src.Uint64()>>11)/(1<<53))
		if path == 6 || path == 41 || path == 66 {
			dst[0] = 50
		}
	}
	ts := []float64{0, 0.25, 0.5, 1}
	set := &Settings{Step: 0.01}
	const paths = 67
	run := func(procs int) (*EnsembleSolution, error) {
		old := runtime.GOMAXPROCS(procs)
		defer runtime.GOMAXPROCS(old)
		return SolveEnsemble(sys, EulerMaruyama{}, &Ensemble{Paths: paths, Seed: 12, Init: init, Store: true}, ts, set)
	}
	a, errA := run(1)
	b, errB := run(2)
	if errA == nil || errB == nil || errA.Error() != errB.Error() || !strings.Contains(errA.Error(), "path 6:") {
		t.Fatalf("errors %v / %v, want the same error naming path 6", errA, errB)
	}
	wantSteps := 0
	for i := range paths {
		src := parallel.Stream(12, i)
		x0 := make([]float64, 1)
		init(x0, i, src)
		rec := &summing{Brownian: NewIncrements(src, 1), sum: make([]float64, 1)}
		ref, err := Solve(sys, EulerMaruyama{}, x0, ts, &Settings{Step: 0.01, Brownian: rec})
		fail := i == 6 || i == 41 || i == 66
		if fail != (err != nil) {
			t.Fatalf("path %d: Solve error %v", i, err)
		}
		// Step counts as the path-by-path ensemble reports them: the fast
		// path's, which count the step that overflowed (the generic loop
		// does not).
		src2 := parallel.Stream(12, i)
		init(x0, i, src2)
		fast, _ := Solve(sys, EulerMaruyama{}, x0, ts, &Settings{Step: 0.01, Brownian: NewIncrements(src2, 1)})
		wantSteps += fast.Steps
		for k := range ts {
			r := ref.X.At(k, 0)
			if math.IsNaN(r) {
				continue // not reached by Solve
			}
			if x, y := a.X[k].At(i, 0), b.X[k].At(i, 0); x != r || y != r {
				t.Errorf("path %d, t = %v: ensemble %v (GOMAXPROCS 1) %v (2), Solve %v", i, ts[k], x, y, r)
			}
		}
	}
	if a.Steps != wantSteps || b.Steps != wantSteps {
		t.Errorf("Steps %d / %d, want %d (sum over the fast-path Solves)", a.Steps, b.Steps, wantSteps)
	}
	// The reported error is path 6's, with Solve's text.
	x0 := make([]float64, 1)
	src := parallel.Stream(12, 6)
	init(x0, 6, src)
	_, e6 := Solve(sys, EulerMaruyama{}, x0, ts, &Settings{Step: 0.01, Brownian: NewIncrements(src, 1)})
	if !strings.HasSuffix(errA.Error(), strings.TrimPrefix(e6.Error(), "sde: ")) {
		t.Errorf("ensemble error %q, Solve error %q", errA, e6)
	}
}

// TestEnsemblePairLongInterval: an output interval of more steps than one
// step-time table holds (pairTableMax) is run block by block with the same
// step times: bit-identical to Solve path by path.
func TestEnsemblePairLongInterval(t *testing.T) {
	sys := gbmBench("fused")
	ts := []float64{0, 0.2}
	set := &Settings{Step: 0.2 / (pairTableMax + 777)}
	sol, err := SolveEnsemble(sys, EulerMaruyama{}, &Ensemble{Paths: 4, Seed: 3, X0: []float64{0.5}, Store: true}, ts, set)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		rec := &summing{Brownian: NewIncrements(parallel.Stream(3, i), 1), sum: make([]float64, 1)}
		ref, err := Solve(sys, EulerMaruyama{}, []float64{0.5}, ts, &Settings{Step: set.Step, Brownian: rec})
		if err != nil {
			t.Fatal(err)
		}
		if a, b := sol.X[1].At(i, 0), ref.X.At(1, 0); a != b {
			t.Errorf("path %d: ensemble %v, Solve %v", i, a, b)
		}
	}
	if want := 4 * (pairTableMax + 777); sol.Steps != want {
		t.Errorf("Steps = %d, want %d", sol.Steps, want)
	}
}
