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
// workload of ../shared/bench/numpy_peers.py lsap at m = 2000.
func BenchmarkW1(b *testing.B) {
	for _, m := range []int{100, 500, 2000} {
		b.Run(fmt.Sprintf("m=%d", m), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 2))
			x, y := uniformSample(rng, m, 2), uniformSample(rng, m, 2)
			var ws Workspace
			for b.Loop() {
				if _, err := W1(x, y, 2, &ws); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
