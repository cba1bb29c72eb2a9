package ot

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestMeanNearest checks MeanNearest on a case solved by hand and against a brute-force
// search without the early exit on random rows.
func TestMeanNearest(t *testing.T) {
	// Rows (0, 0) and (6, 4) against (0, 1) and (6, 8): nearest distances 1 (the other is
	// 10) and 4 (the other is √45), mean 2.5, exact in floating point.
	if got := MeanNearest([]float64{0, 0, 6, 4}, []float64{0, 1, 6, 8}, 2); got != 2.5 {
		t.Errorf("hand case: MeanNearest = %v, want 2.5", got)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	const D, m, n = 5, 37, 23
	x, y := make([]float64, m*D), make([]float64, n*D)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	for i := range y {
		y[i] = rng.NormFloat64()
	}
	want := 0.0
	for i := range m {
		best := math.Inf(1)
		for j := range n {
			s := 0.0
			for k := range D {
				e := x[i*D+k] - y[j*D+k]
				s += e * e
			}
			best = min(best, s)
		}
		want += math.Sqrt(best)
	}
	want /= m
	// The early exit only skips candidates that cannot win: the same minimum, the same
	// bits, so the sums agree to the rounding of the final mean (a few ulps).
	if got := MeanNearest(x, y, D); math.Abs(got-want) > 1e-14*want {
		t.Errorf("MeanNearest = %v, brute force %v", got, want)
	}
}
