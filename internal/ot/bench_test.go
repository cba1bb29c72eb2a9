package ot

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// uniformSample returns m points uniform in [0,1]^dim, row-major.
func uniformSample(rng *rand.Rand, m, dim int) []float64 {
	x := make([]float64, m*dim)
	for i := range x {
		x[i] = rng.Float64()
	}
	return x
}

// BenchmarkW1 times exact W1 (cost matrix + LSAP) between two uniform samples in 2-D, the
// workload of docs/bench/peers/numpy_peers.py lsap at m = 2000.
func BenchmarkW1(b *testing.B) {
	for _, m := range []int{100, 500, 2000} {
		b.Run(fmt.Sprintf("m=%d", m), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 2))
			x, y := uniformSample(rng, m, 2), uniformSample(rng, m, 2)
			var ws Workspace
			if _, err := W1(x, y, 2, &ws); err != nil { // size the workspace
				b.Fatal(err)
			}
			for b.Loop() {
				if _, err := W1(x, y, 2, &ws); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSolve compares the dense shortest-augmenting-path solver with SolveSparse on the
// Euclidean cost matrix of two uniform 2-D samples (cost matrix built outside the loop).
func BenchmarkSolve(b *testing.B) {
	for _, m := range []int{500, 2000} {
		rng := rand.New(rand.NewPCG(1, 2))
		x, y := uniformSample(rng, m, 2), uniformSample(rng, m, 2)
		var ws Workspace
		if _, err := W1(x, y, 2, &ws); err != nil {
			b.Fatal(err)
		}
		cost := ws.cost[:m*m]
		perm := make([]int, m)
		b.Run(fmt.Sprintf("dense/m=%d", m), func(b *testing.B) {
			var s Solver
			s.Solve(perm, cost, m)
			for b.Loop() {
				s.Solve(perm, cost, m)
			}
		})
		b.Run(fmt.Sprintf("sparse/m=%d", m), func(b *testing.B) {
			var s Solver
			s.SolveSparse(perm, cost, m, candidates)
			for b.Loop() {
				s.SolveSparse(perm, cost, m, candidates)
			}
		})
	}
}

// BenchmarkW1Cases times exact W1 (cost matrix + solver) on the families of cases_test.go:
// uniform samples, curves, segments, low-dimensional pieces of ℝ^D and grids with
// duplicate points, at m = 500 and 2000 (docs/bench/ot_bench.sh runs the scipy peer on the
// same instances). The metric W1 is the computed distance.
func BenchmarkW1Cases(b *testing.B) {
	for _, m := range []int{500, 2000} {
		for idx, c := range otCases {
			b.Run(fmt.Sprintf("%s/m=%d", c.name, m), func(b *testing.B) {
				x, y := caseSamples(c, idx, m)
				var ws Workspace
				w, err := W1(x, y, c.dim, &ws)
				if err != nil {
					b.Fatal(err)
				}
				for b.Loop() {
					if _, err := W1(x, y, c.dim, &ws); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(w, "W1")
			})
		}
	}
}
