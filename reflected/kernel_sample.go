package reflected

import (
	"math"
	"math/rand/v2"
)

// Sample1D draws X ~ pₜ(·, y) exactly, as Fold(y + √t·Z) with Z ~ N(0,1) drawn from src
// (the method of images read backwards: the push-forward of N(y, t) under Fold is the
// images series). y outside [0,1] is folded first; t ≤ 0 or NaN gives NaN.
func Sample1D(src rand.Source, y, t float64) float64 {
	if !(t > 0) || math.IsInf(t, 1) {
		return math.NaN()
	}
	return Fold(Fold(y) + math.Sqrt(t)*normal(src))
}

// normal draws a standard normal variate from src.
func normal(src rand.Source) float64 {
	r := rand.New(src)
	return r.NormFloat64()
}
