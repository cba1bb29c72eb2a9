package main

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// ci95 returns the mean of v and the half-width of its two-sided 95% Student-t confidence
// interval, t_{0.975, n−1}·s/√n with s the sample standard deviation (n − 1 denominator).
// The interval assumes the n values are independent draws (one per seed) from a normal
// distribution. With n = 1 the half-width is NaN (no spread can be estimated); with n = 0
// both are NaN.
func ci95(v []float64) (mean, half float64) {
	n := len(v)
	if n == 0 {
		return math.NaN(), math.NaN()
	}
	mean, sd := meanSD(v)
	if n == 1 {
		return mean, math.NaN()
	}
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(n - 1)}.Quantile(0.975)
	return mean, t * sd / math.Sqrt(float64(n))
}
