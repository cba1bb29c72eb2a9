package reflected

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/sdeml/sdeml/internal/parallel"
)

// The D-dimensional kernel of standard reflected Brownian motion on [0,1]^D is the product
// of independent 1-D kernels, qₜ(x | y) = Πᵢ pₜ(xᵢ, yᵢ). Everything is computed in log
// space or coordinatewise: raw densities are never multiplied.

// LogDensity returns log qₜ(x | y) = Σᵢ log pₜ(xᵢ, yᵢ) for x, y ∈ [0,1]^D (see
// LogDensity1D for accuracy and argument conventions). It panics if len(x) ≠ len(y).
func LogDensity(x, y []float64, t float64) float64 {
	if len(x) != len(y) {
		panic("reflected: LogDensity: len(x) != len(y)")
	}
	var l float64
	for i, xi := range x {
		l += LogDensity1D(xi, y[i], t)
	}
	return l
}

// Score writes ∇ₓ log qₜ(x | y) into dst: dst[i] = ∂/∂xᵢ log pₜ(xᵢ, yᵢ) (Score1D); the
// conditional score is separable. It panics unless len(dst) = len(x) = len(y).
func Score(dst, x, y []float64, t float64) {
	if len(x) != len(y) || len(dst) != len(x) {
		panic("reflected: Score: need len(dst) = len(x) = len(y)")
	}
	for i, xi := range x {
		dst[i] = Score1D(xi, y[i], t)
	}
}

// LogDensityScore writes ∇ₓ log qₜ(x | y) into dst and returns log qₜ(x | y), with one
// kernel evaluation per coordinate (Kernel1D). It panics unless the lengths agree.
func LogDensityScore(dst, x, y []float64, t float64) float64 {
	if len(x) != len(y) || len(dst) != len(x) {
		panic("reflected: LogDensityScore: need len(dst) = len(x) = len(y)")
	}
	var l float64
	for i, xi := range x {
		li, si := Kernel1D(xi, y[i], t)
		l += li
		dst[i] = si
	}
	return l
}

// Sample writes an exact draw X ~ qₜ(· | y) into dst: dst[i] = Fold(yᵢ + √t·Zᵢ) with
// independent Zᵢ ~ N(0,1) from src, drawn in coordinate order. It panics if
// len(dst) ≠ len(y); t ≤ 0 or NaN gives NaN coordinates.
func Sample(dst []float64, src rand.Source, y []float64, t float64) {
	if len(dst) != len(y) {
		panic("reflected: Sample: len(dst) != len(y)")
	}
	if !(t > 0) || math.IsInf(t, 1) {
		for i := range dst {
			dst[i] = math.NaN()
		}
		return
	}
	r := rand.New(src)
	sd := math.Sqrt(t)
	for i, yi := range y {
		dst[i] = Fold(Fold(yi) + sd*r.NormFloat64())
	}
}

// NoiseDataset pushes every row of the row-major data set data (n points of dim
// coordinates in [0,1]) forward to time t: row i of dst becomes an exact draw from
// qₜ(· | data row i). Row i uses its own random stream parallel.Stream(seed, i), so the
// result is identical for any GOMAXPROCS. It returns an error if t is not a positive finite
// number, dim < 1, data is empty or not a multiple of dim, len(dst) ≠ len(data), or a
// coordinate of data lies outside [0,1] or is NaN (the same check as NewDSM and W1).
func NoiseDataset(dst, data []float64, dim int, t float64, seed uint64) error {
	if !(t > 0) || math.IsInf(t, 1) {
		return fmt.Errorf("reflected: NoiseDataset: t = %v, want a positive finite time", t)
	}
	if err := checkPoints("NoiseDataset", "data", data, dim); err != nil {
		return err
	}
	if len(dst) != len(data) {
		return fmt.Errorf("reflected: NoiseDataset: len(dst) = %d, want len(data) = %d", len(dst), len(data))
	}
	n := len(data) / dim
	pcgs := make([]rand.PCG, parallel.Workers(n)) // one generator per worker, reseeded per row
	parallel.For(n, func(w, i int) {
		src := &pcgs[w]
		src.Seed(parallel.StreamSeeds(seed, i))
		Sample(dst[i*dim:(i+1)*dim], src, data[i*dim:(i+1)*dim], t)
	})
	return nil
}
