package ot

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestSolveSparseMatchesDense compares the lazy solver behind SolveSparse (called directly,
// since SolveSparse uses Solve below m = 1000) with Solve on Euclidean and squared Euclidean
// costs between uniform samples, clustered samples (where the k cheapest entries often miss
// the optimum, exercising the repair pass and the row expansions), and random matrices, and
// checks the dual certificate. Tolerance: 1e-12·m·max|c|, two m-term sums of rounded values.
func TestSolveSparseMatchesDense(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	var dense, sparse Solver
	for _, m := range []int{3, 40, 300, 600} {
		for _, kind := range []string{"euclid", "sq", "clustered", "random"} {
			x, y := uniformSample(rng, m, 2), uniformSample(rng, m, 2)
			if kind == "clustered" {
				for i := 0; i < m; i++ { // x near (0,0), y near (1,1): every row ranks columns alike
					x[2*i] *= 0.1
					x[2*i+1] *= 0.1
					y[2*i] = 1 - 0.1*y[2*i]
					y[2*i+1] = 1 - 0.1*y[2*i+1]
				}
			}
			cost := make([]float64, m*m)
			for i := 0; i < m; i++ {
				for j := 0; j < m; j++ {
					dx, dy := x[2*i]-y[2*j], x[2*i+1]-y[2*j+1]
					switch kind {
					case "sq":
						cost[i*m+j] = dx*dx + dy*dy
					case "random":
						cost[i*m+j] = rng.Float64()
					default:
						cost[i*m+j] = math.Hypot(dx, dy)
					}
				}
			}
			p1, p2 := make([]int, m), make([]int, m)
			want, err := dense.Solve(p1, cost, m)
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range []int{1, 4, 16} {
				got, err := sparse.solveLazy(p2, cost, m, k)
				if err != nil {
					t.Fatal(err)
				}
				if math.Abs(got-want) > 1e-12*float64(m)*2 {
					t.Errorf("m=%d %s k=%d: sparse %v, dense %v", m, kind, k, got, want)
				}
				checkCertificate(t, &sparse, p2, cost, m, got)
			}
		}
	}
}
