package ot

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// bruteForce returns the minimal assignment total by enumerating all m! permutations
// (Heap's algorithm), an independent reference for m ≤ 8.
func bruteForce(cost []float64, m int) float64 {
	p := make([]int, m)
	for i := range p {
		p[i] = i
	}
	eval := func() float64 {
		var s float64
		for i, j := range p {
			s += cost[i*m+j]
		}
		return s
	}
	best := eval()
	c := make([]int, m)
	for i := 0; i < m; {
		if c[i] < i {
			if i%2 == 0 {
				p[0], p[i] = p[i], p[0]
			} else {
				p[c[i]], p[i] = p[i], p[c[i]]
			}
			best = math.Min(best, eval())
			c[i]++
			i = 0
		} else {
			c[i] = 0
			i++
		}
	}
	return best
}

// checkCertificate verifies optimality through the duals: u_i + v_j ≤ c_ij + tol for all
// pairs, equality on the assignment, and perm a permutation. By LP duality
// Σ c_{i,π(i)} = Σu + Σv ≤ any assignment's total + m·tol, so this proves optimality up to
// rounding. tol = 1e-12·max|c|·(1 + log₂ m): dual updates add and subtract O(max|c|) numbers
// along augmenting paths.
func checkCertificate(t *testing.T, s *Solver, perm []int, cost []float64, m int, total float64) {
	t.Helper()
	u, v := s.Duals()
	var maxc float64
	for _, c := range cost {
		maxc = math.Max(maxc, math.Abs(c))
	}
	tol := 1e-12 * math.Max(maxc, 1) * (1 + math.Log2(float64(m)+1))
	seen := make([]bool, m)
	var dual float64
	for i := 0; i < m; i++ {
		if perm[i] < 0 || perm[i] >= m || seen[perm[i]] {
			t.Fatalf("perm %v is not a permutation", perm)
		}
		seen[perm[i]] = true
		dual += u[i] + v[i]
		for j := 0; j < m; j++ {
			if r := cost[i*m+j] - u[i] - v[j]; r < -tol {
				t.Fatalf("reduced cost c[%d,%d] − u − v = %v < 0", i, j, r)
			}
		}
		if r := cost[i*m+perm[i]] - u[i] - v[perm[i]]; math.Abs(r) > tol {
			t.Fatalf("assigned pair (%d,%d) not tight: %v", i, perm[i], r)
		}
	}
	if math.Abs(dual-total) > float64(m)*tol {
		t.Fatalf("duality gap: primal %v dual %v", total, dual)
	}
}

// TestSolveBruteForce compares Solve with enumeration for m ≤ 8 on random real costs,
// integer costs with many ties, and Euclidean costs. Tolerance 1e-12·m·max|c| (rounding of
// two m-term sums of values ≤ max|c|).
func TestSolveBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	var s Solver
	for m := 1; m <= 8; m++ {
		for rep := 0; rep < 30; rep++ {
			cost := make([]float64, m*m)
			for k := range cost {
				switch rep % 3 {
				case 0:
					cost[k] = rng.NormFloat64() * 10
				case 1:
					cost[k] = float64(rng.IntN(4))
				default:
					cost[k] = rng.Float64()
				}
			}
			perm := make([]int, m)
			got, err := s.Solve(perm, cost, m)
			if err != nil {
				t.Fatal(err)
			}
			want := bruteForce(cost, m)
			if math.Abs(got-want) > 1e-12*float64(m)*30 {
				t.Fatalf("m=%d rep=%d: Solve %v, brute force %v", m, rep, got, want)
			}
			checkCertificate(t, &s, perm, cost, m, got)
		}
	}
}

// TestSolveCertificateLarge checks the dual certificate on larger random problems,
// including a reused Solver with shrinking and growing sizes.
func TestSolveCertificateLarge(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	var s Solver
	for _, m := range []int{50, 300, 17, 400} {
		for _, kind := range []string{"uniform", "euclid", "ints"} {
			cost := make([]float64, m*m)
			x, y := uniformSample(rng, m, 2), uniformSample(rng, m, 2)
			for i := 0; i < m; i++ {
				for j := 0; j < m; j++ {
					switch kind {
					case "uniform":
						cost[i*m+j] = rng.Float64()
					case "euclid":
						cost[i*m+j] = math.Hypot(x[2*i]-y[2*j], x[2*i+1]-y[2*j+1])
					default:
						cost[i*m+j] = float64(rng.IntN(10))
					}
				}
			}
			perm := make([]int, m)
			total, err := s.Solve(perm, cost, m)
			if err != nil {
				t.Fatal(err)
			}
			checkCertificate(t, &s, perm, cost, m, total)
		}
	}
}

func TestSolveErrors(t *testing.T) {
	var s Solver
	perm := make([]int, 2)
	if _, err := s.Solve(perm, []float64{1, math.NaN(), 0, 1}, 2); err == nil {
		t.Error("NaN cost: no error")
	}
	if _, err := s.Solve(perm, []float64{1, math.Inf(-1), 0, 1}, 2); err == nil {
		t.Error("−Inf cost: no error")
	}
	inf := math.Inf(1)
	if _, err := s.Solve(perm, []float64{inf, inf, 0, 1}, 2); err == nil {
		t.Error("infeasible: no error")
	}
	// A forbidden pair that still leaves a finite assignment.
	if got, err := s.Solve(perm, []float64{inf, 1, 2, 5}, 2); err != nil || got != 3 || !slices.Equal(perm, []int{1, 0}) {
		t.Errorf("forbidden pair: total %v perm %v err %v", got, perm, err)
	}
	func() {
		defer func() {
			if r := recover(); r == nil {
				t.Error("length mismatch: no panic")
			}
		}()
		s.Solve(perm, []float64{1, 2, 3}, 2)
	}()
}
