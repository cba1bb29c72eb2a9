package ot

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// randomCost fills an m×m matrix of one of several kinds: real Gaussian, small integers
// (many ties), |a_i − b_j| for integers on a line (the degenerate W1 structure: every pair
// inside a run of one orientation is tight), or Euclidean costs of points on a curve with
// duplicates.
func randomCost(rng *rand.Rand, m int, kind int) []float64 {
	c := make([]float64, m*m)
	a, b := make([]float64, m), make([]float64, m)
	for i := range a {
		a[i], b[i] = float64(rng.IntN(3*m)), float64(rng.IntN(3*m))
	}
	x, y := make([]float64, 2*m), make([]float64, 2*m)
	for i := 0; i < m; i++ {
		t, s := float64(rng.IntN(m/2+1))/float64(m), rng.Float64()
		x[2*i], x[2*i+1] = t, math.Sin(6*t)
		y[2*i], y[2*i+1] = s, math.Sin(6*s)
	}
	for i := 0; i < m; i++ {
		for j := 0; j < m; j++ {
			switch kind {
			case 0:
				c[i*m+j] = rng.NormFloat64() * 10
			case 1:
				c[i*m+j] = float64(rng.IntN(4))
			case 2:
				c[i*m+j] = math.Abs(a[i] - b[j])
			default:
				c[i*m+j] = math.Hypot(x[2*i]-y[2*j], x[2*i+1]-y[2*j+1])
			}
		}
	}
	return c
}

// TestSolveLazyBruteForce compares the lazy solver (candidate lists of 1 and 2 columns, so
// that row expansions and the switch to the dense search both happen at m ≤ 8) with
// enumeration, and checks its dual certificate. Tolerance as in TestSolveBruteForce.
func TestSolveLazyBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 1))
	var s Solver
	for m := 1; m <= 8; m++ {
		for rep := 0; rep < 40; rep++ {
			cost := randomCost(rng, m, rep%4)
			want := bruteForce(cost, m)
			for _, k := range []int{1, 2} {
				perm := make([]int, m)
				got, err := s.solveLazy(perm, cost, m, k)
				if err != nil {
					t.Fatal(err)
				}
				if math.Abs(got-want) > 1e-12*float64(m)*30 {
					t.Fatalf("m=%d rep=%d k=%d: lazy %v, brute force %v", m, rep, k, got, want)
				}
				checkCertificate(t, &s, perm, cost, m, got)
			}
		}
	}
	if s.expansions == 0 {
		t.Error("no row expansion happened: the test does not reach the lazy bound")
	}
}

// TestSolveIntegerExact solves integer-cost problems, where every dual value is an integer
// and all arithmetic is exact, and demands exact optimality: the same total from the dense
// and the lazy solver, u_i + v_j ≤ c_ij on every pair and equality on the assignment with
// no tolerance, and Σu + Σv equal to the total. Kinds: small integers with many ties, and
// |a_i − b_j| (W1 on a line of integers).
func TestSolveIntegerExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	var dense, lazy Solver
	for _, m := range []int{60, 250} {
		for _, kind := range []int{1, 2} {
			cost := randomCost(rng, m, kind)
			p1, p2 := make([]int, m), make([]int, m)
			want, err := dense.Solve(p1, cost, m)
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range []int{1, 3, 8} {
				got, err := lazy.solveLazy(p2, cost, m, k)
				if err != nil {
					t.Fatal(err)
				}
				if got != want {
					t.Fatalf("m=%d kind=%d k=%d: lazy %v, dense %v", m, kind, k, got, want)
				}
				u, v := lazy.Duals()
				var dual float64
				for i := 0; i < m; i++ {
					dual += u[i] + v[i]
					for j := 0; j < m; j++ {
						if u[i]+v[j] > cost[i*m+j] {
							t.Fatalf("m=%d kind=%d k=%d: u[%d]+v[%d] = %v > c = %v", m, kind, k, i, j, u[i]+v[j], cost[i*m+j])
						}
					}
					if u[i]+v[p2[i]] != cost[i*m+p2[i]] {
						t.Fatalf("m=%d kind=%d k=%d: assigned pair (%d,%d) not tight", m, kind, k, i, p2[i])
					}
				}
				if dual != got {
					t.Fatalf("m=%d kind=%d k=%d: dual %v ≠ primal %v", m, kind, k, dual, got)
				}
			}
		}
	}
}

// TestSolveSparseCases runs the lazy solver (SolveSparse's path for m ≥ minSparse on
// data that is not low-dimensional) on every benchmark family at m = 300 with the W1
// candidate count and with 4 candidates, against the dense Solve, with the certificate check.
// Tolerance 1e-12·m·max|c| as in TestSolveSparseMatchesDense.
func TestSolveSparseCases(t *testing.T) {
	const m = 300
	var dense, sparse Solver
	for idx, c := range otCases {
		x, y := caseSamples(c, idx, m)
		cost := costMatrix(x, y, c.dim)
		p1, p2 := make([]int, m), make([]int, m)
		want, err := dense.Solve(p1, cost, m)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range []int{4, candidates} {
			got, err := sparse.solveLazy(p2, cost, m, k)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(got-want) > 1e-12*m*2 {
				t.Errorf("%s k=%d: sparse %v, dense %v", c.name, k, got, want)
			}
			checkCertificate(t, &sparse, p2, cost, m, got)
		}
	}
}

// TestSolveSparseErrors checks the lazy solver's errors: NaN and −Inf entries are named by
// index, and a row of +Inf is infeasible.
func TestSolveSparseErrors(t *testing.T) {
	const m = 200
	rng := rand.New(rand.NewPCG(5, 5))
	var s Solver
	perm := make([]int, m)
	for _, bad := range []float64{math.NaN(), math.Inf(-1)} {
		cost := randomCost(rng, m, 0)
		cost[37*m+5] = bad
		if _, err := s.solveLazy(perm, cost, m, candidates); err == nil || !strings.Contains(err.Error(), "cost[7405]") {
			t.Errorf("entry %v: err = %v, want one naming cost[7405]", bad, err)
		}
	}
	cost := randomCost(rng, m, 0)
	for j := 0; j < m; j++ {
		cost[9*m+j] = math.Inf(1)
	}
	if _, err := s.solveLazy(perm, cost, m, candidates); err != errInfeasible {
		t.Errorf("row of +Inf: err = %v, want %v", err, errInfeasible)
	}
	// +Inf on many entries but a finite perfect matching (the diagonal band): solvable, and
	// the lazy total equals the dense one.
	cost = randomCost(rng, m, 0)
	for i := 0; i < m; i++ {
		for j := 0; j < m; j++ {
			if d := i - j; d > 2 || d < -2 {
				cost[i*m+j] = math.Inf(1)
			}
		}
	}
	want, err := new(Solver).Solve(make([]int, m), cost, m)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.solveLazy(perm, cost, m, candidates)
	if err != nil || math.Abs(got-want) > 1e-9 {
		t.Errorf("banded +Inf: sparse %v (err %v), dense %v", got, err, want)
	}
}

// TestLowDimensional checks the dispatch of SolveSparse at m = 1000: samples on a curve, a
// segment, a line in ℝ⁸ and a 5×5 grid (duplicates) are low-dimensional (nearest-column
// distance ratio d₃₂/d₈ ≈ 4 or d₈ = 0), so is a 20×20 grid (2.5 points per cell: about
// 71% of the rows have d₂ = 0, by Poisson(2.5)), uniform samples in the square and in ℝ⁸ and a plane
// in ℝ⁸ are not (ratio ≈ 4^{1/d} ≤ 2).
func TestLowDimensional(t *testing.T) {
	const m = 1000
	want := map[string]bool{"curve": true, "segment2": true, "line8": true, "grid5": true,
		"grid20": true, "uniform2": false, "uniform8": false, "plane8": false, "cube3in10": false}
	var s Solver
	for idx, c := range otCases {
		w, ok := want[c.name]
		if !ok {
			continue
		}
		x, y := caseSamples(c, idx, m)
		if got := lowDimensional(&s, costMatrix(x, y, c.dim), m); got != w {
			t.Errorf("%s: lowDimensional = %v, want %v", c.name, got, w)
		}
	}
}

// TestSolveSparseDispatch runs the public SolveSparse at m = 1000, where it takes the lazy
// phases on uniform samples and Solve on a curve, against Solve, with the certificate check
// (tolerance as in TestSolveSparseCases).
func TestSolveSparseDispatch(t *testing.T) {
	const m = 1000
	var dense, sparse Solver
	for idx, c := range otCases {
		if c.name != "uniform2" && c.name != "curve" {
			continue
		}
		x, y := caseSamples(c, idx, m)
		cost := costMatrix(x, y, c.dim)
		p1, p2 := make([]int, m), make([]int, m)
		want, err := dense.Solve(p1, cost, m)
		if err != nil {
			t.Fatal(err)
		}
		got, err := sparse.SolveSparse(p2, cost, m, candidates)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(got-want) > 1e-12*m*2 {
			t.Errorf("%s: SolveSparse %v, Solve %v", c.name, got, want)
		}
		checkCertificate(t, &sparse, p2, cost, m, got)
	}
}
