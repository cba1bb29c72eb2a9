package reflected

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Cosine is the product density ρ(z) = Πₖ (1 + C·cos 2πzₖ) on [0,1]^d (docs/derivations/reflected.md
// §8): smooth, periodic, normalised (∫₀¹ cos 2πz dz = 0), and bounded below by (1 − |C|)^d.
// C = 0 is the uniform law. |C| < 1 is required.
type Cosine struct {
	C float64
}

func (c Cosine) validate() error {
	if !(math.Abs(c.C) < 1) {
		return fmt.Errorf("reflected: Cosine.C = %v, need |C| < 1", c.C)
	}
	return nil
}

// LogDensity returns log ρ(z) = Σₖ log(1 + C·cos 2πzₖ) for z ∈ [0,1]^d.
func (c Cosine) LogDensity(z []float64) float64 {
	var l float64
	for _, v := range z {
		l += math.Log1p(c.C * math.Cos(2*math.Pi*v))
	}
	return l
}

// CDF1D returns the one-coordinate distribution function F(z) = z + C·sin(2πz)/(2π), z ∈ [0,1].
func (c Cosine) CDF1D(z float64) float64 {
	return z + c.C*math.Sin(2*math.Pi*z)/(2*math.Pi)
}

// Sample fills z with independent coordinates drawn by rejection from the uniform proposal,
// accepting u with probability (1 + C cos 2πu)/(1 + |C|).
func (c Cosine) Sample(z []float64, rnd *rand.Rand) {
	bound := 1 + math.Abs(c.C)
	for k := range z {
		for {
			u := rnd.Float64()
			if rnd.Float64()*bound <= 1+c.C*math.Cos(2*math.Pi*u) {
				z[k] = u
				break
			}
		}
	}
}
