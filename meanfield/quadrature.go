package meanfield

import (
	"math"

	"gonum.org/v1/gonum/integrate/quad"
)

// gaussLegendre fills the Gauss–Legendre nodes and weights for ∫_lo^hi.
func gaussLegendre(x, w []float64, lo, hi float64) {
	quad.Legendre{}.FixedLocations(x, w, lo, hi)
}

// gaussHermiteStd fills nodes and probability weights of the n-point Gauss–Hermite rule
// for the standard normal law: ∫ g dN(0,1) ≈ Σ w_i g(x_i), Σ w_i = 1.
func gaussHermiteStd(x, w []float64) {
	quad.Hermite{}.FixedLocations(x, w, math.Inf(-1), math.Inf(1))
	for i := range x {
		x[i] *= math.Sqrt2
		w[i] /= math.SqrtPi
	}
}
