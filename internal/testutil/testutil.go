package testutil

import (
	"math"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/floats"
)

// FDGradient returns the central-difference gradient of f at x (gonum fd.Central with
// its default step 6e-6, truncation error O(h²)·f‴ and rounding error O(ε/h)·|f|).
func FDGradient(f func([]float64) float64, x []float64) []float64 {
	g := make([]float64, len(x))
	fd.Gradient(g, f, x, &fd.Settings{Formula: fd.Central})
	return g
}

// RelErr returns the relative error ‖a−b‖₂/‖b‖₂ of a against the reference b (the
// absolute error ‖a−b‖₂ when b = 0). It panics if the lengths differ.
func RelErr(a, b []float64) float64 {
	if len(a) != len(b) {
		panic("testutil: length mismatch")
	}
	d := 0.0
	for i := range a {
		d += (a[i] - b[i]) * (a[i] - b[i])
	}
	d = math.Sqrt(d)
	if n := floats.Norm(b, 2); n > 0 {
		return d / n
	}
	return d
}
