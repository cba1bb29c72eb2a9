package sde

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
)

// ou2 is a 2-D Ornstein–Uhlenbeck system with general (2×2) noise.
// stratonovich returns sys declared Stratonovich (same callbacks), for
// tests that use a Stratonovich method only for its arithmetic.
func stratonovich(sys *System) *System {
	sys.Calculus = Stratonovich
	return sys
}

func ou2() *System {
	return &System{
		Dim: 2, NoiseDim: 2, Noise: General,
		Drift: func(dst []float64, _ float64, x []float64) {
			dst[0] = -x[0] + 0.5*x[1]
			dst[1] = -2 * x[1]
		},
		Diffusion: func(dst []float64, _ float64, x []float64) {
			dst[0], dst[1], dst[2], dst[3] = 1, 0.3, 0.2*x[0], 0.8
		},
	}
}

// TestEnsembleDeterminism: stored paths and streamed moments are bitwise
// identical for GOMAXPROCS = 1 and 2, and path 0 equals Solve with the same
// seed.
func TestEnsembleDeterminism(t *testing.T) {
	run := func(procs int) *EnsembleSolution {
		old := runtime.GOMAXPROCS(procs)
		defer runtime.GOMAXPROCS(old)
		sol, err := SolveEnsemble(ou2(), EulerMaruyama{}, &Ensemble{
			Paths: 1000, Seed: 77, Store: true, Moments: true,
			Init: func(dst []float64, _ int, src rand.Source) {
				r := rand.New(src)
				dst[0], dst[1] = r.NormFloat64(), 1
			},
		}, []float64{0, 0.5, 1}, &Settings{Step: 0.01})
		if err != nil {
			t.Fatal(err)
		}
		return sol
	}
	a, b := run(1), run(2)
	for k := range a.X {
		if !mat.Equal(a.X[k], b.X[k]) || !mat.Equal(a.Cov[k], b.Cov[k]) {
			t.Errorf("time %d: results differ between GOMAXPROCS 1 and 2", k)
		}
	}
	if !mat.Equal(a.Mean, b.Mean) {
		t.Errorf("means differ between GOMAXPROCS 1 and 2")
	}
	// Path 0 by Solve: same stream, so the same initial draw and increments.
	sys := ou2()
	sol, err := SolveEnsemble(sys, EulerMaruyama{}, &Ensemble{Paths: 3, Seed: 77, X0: []float64{0.1, 1}, Store: true}, []float64{0, 1}, &Settings{Step: 0.01})
	if err != nil {
		t.Fatal(err)
	}
	one, err := Solve(sys, EulerMaruyama{}, []float64{0.1, 1}, []float64{0, 1}, &Settings{Step: 0.01, Seed: 77})
	if err != nil {
		t.Fatal(err)
	}
	if !mat.Equal(sol.X[1].RowView(0), one.X.RowView(1)) {
		t.Errorf("Solve with Seed %v differs from path 0 of SolveEnsemble", 77)
	}
}

// TestEnsembleMoments: the streamed mean and covariance agree with
// stat.Mean and stat.CovarianceMatrix on the stored paths to 1e-12
// (relative; both are O(n) sums of the same values in different orders).
func TestEnsembleMoments(t *testing.T) {
	sol, err := SolveEnsemble(stratonovich(ou2()), Heun{}, &Ensemble{Paths: 777, Seed: 3, X0: []float64{1, 2}, Store: true, Moments: true},
		[]float64{0, 0.25, 1}, &Settings{Step: 0.05})
	if err != nil {
		t.Fatal(err)
	}
	for k := range sol.T {
		var want mat.SymDense
		if k == 0 {
			if sol.Cov[0].At(0, 0) != 0 || sol.Mean.At(0, 1) != 2 {
				t.Errorf("moments at t0: mean %v, cov %v", mat.Formatted(sol.Mean.RowView(0)), mat.Formatted(sol.Cov[0]))
			}
			continue
		}
		stat.CovarianceMatrix(&want, sol.X[k], nil)
		for i := 0; i < 2; i++ {
			col := mat.Col(nil, i, sol.X[k])
			if m := stat.Mean(col, nil); math.Abs(m-sol.Mean.At(k, i)) > 1e-12*math.Max(1, math.Abs(m)) {
				t.Errorf("t=%v mean[%d] = %v, want %v", sol.T[k], i, sol.Mean.At(k, i), m)
			}
			for j := 0; j < 2; j++ {
				if w := want.At(i, j); math.Abs(w-sol.Cov[k].At(i, j)) > 1e-12*math.Abs(want.At(i, i)) {
					t.Errorf("t=%v cov[%d,%d] = %v, want %v", sol.T[k], i, j, sol.Cov[k].At(i, j), w)
				}
			}
		}
	}
}

// TestEnsembleOUMoments: for the scalar OU process dX = −θX dt + σ dW,
// Euler–Maruyama's moments are exact in closed form: E X_n = (1−θh)^n x0,
// Var X_n = σ²h (1 − (1−θh)^{2n})/(1 − (1−θh)²). The streamed mean and
// variance over 40000 paths must match within 4.5 standard errors
// (SE of the variance: v√(2/(n−1)) for Gaussian samples).
func TestEnsembleOUMoments(t *testing.T) {
	const theta, sigma, x0, h, n = 1.5, 0.7, 2.0, 0.02, 50
	sys := &System{Dim: 1, Noise: Additive,
		Drift:     func(dst []float64, _ float64, x []float64) { dst[0] = -theta * x[0] },
		Diffusion: func(dst []float64, _ float64, _ []float64) { dst[0] = sigma },
	}
	const paths = 40000
	sol, err := SolveEnsemble(sys, EulerMaruyama{}, &Ensemble{Paths: paths, Seed: 8, X0: []float64{x0}, Moments: true}, []float64{0, n * h}, &Settings{Step: h})
	if err != nil {
		t.Fatal(err)
	}
	a := 1 - theta*h
	mean := math.Pow(a, n) * x0
	v := sigma * sigma * h * (1 - math.Pow(a, 2*n)) / (1 - a*a)
	if d := sol.Mean.At(1, 0) - mean; math.Abs(d) > 4.5*math.Sqrt(v/paths) {
		t.Errorf("mean %v, want %v", sol.Mean.At(1, 0), mean)
	}
	if d := sol.Cov[1].At(0, 0) - v; math.Abs(d) > 4.5*v*math.Sqrt(2.0/(paths-1)) {
		t.Errorf("variance %v, want %v", sol.Cov[1].At(0, 0), v)
	}
}

// TestEnsembleAdaptive: adaptive ensembles (one BrownianPath per path, reset
// between paths) are identical for GOMAXPROCS 1 and 2, path 0 equals an
// adaptive Solve with the same seed, and Observe sees every (path, time).
func TestEnsembleAdaptive(t *testing.T) {
	p := LinearProblem(true)
	ts := []float64{0, 0.5, 1}
	set := &Settings{Adaptive: true, RTol: 1e-3, ATol: 1e-3, Step: 0.1}
	run := func(procs int) *EnsembleSolution {
		old := runtime.GOMAXPROCS(procs)
		defer runtime.GOMAXPROCS(old)
		seen := make([]int32, 200*len(ts))
		sol, err := SolveEnsemble(p.Sys, Heun{}, &Ensemble{Paths: 200, Seed: 9, X0: p.X0, Store: true,
			Observe: func(path, k int, _ []float64) { seen[path*len(ts)+k]++ }}, ts, set)
		if err != nil {
			t.Fatal(err)
		}
		for i, c := range seen {
			if c != 1 {
				t.Fatalf("Observe saw (path %d, time %d) %d times", i/len(ts), i%len(ts), c)
			}
		}
		return sol
	}
	a, b := run(1), run(2)
	for k := range ts {
		if !mat.Equal(a.X[k], b.X[k]) {
			t.Errorf("time %d: adaptive ensemble differs between GOMAXPROCS 1 and 2", k)
		}
	}
	if a.Steps != b.Steps || a.Rejected != b.Rejected || a.Rejected == 0 {
		t.Errorf("steps %d/%d, rejected %d/%d", a.Steps, b.Steps, a.Rejected, b.Rejected)
	}
	one, err := Solve(p.Sys, Heun{}, p.X0, ts, &Settings{Adaptive: true, RTol: 1e-3, ATol: 1e-3, Step: 0.1, Seed: 9})
	if err != nil {
		t.Fatal(err)
	}
	for k := range ts {
		if one.X.At(k, 0) != a.X[k].At(0, 0) {
			t.Errorf("t = %v: Solve %v, ensemble path 0 %v", ts[k], one.X.At(k, 0), a.X[k].At(0, 0))
		}
	}
}
