package reflected

import (
	"fmt"
	"math"
	"slices"
)

// W1ToLaw1D returns the exact 1-Wasserstein distance ∫₀¹ |Fₙ(z) − F(z)| dz between the
// empirical law Fₙ of z (values in [0,1]; others are clamped) and the coordinate law
// F(z) = z + C sin(2πz)/(2π) of a one-dimensional Cosine density. On each gap between
// sorted sample points Fₙ is constant and F is increasing, so the integrand changes sign at
// most once; the crossing is found by safeguarded Newton iteration and both pieces are
// integrated in closed form with G(z) = ∫₀ᶻ F = z²/2 + C(1 − cos 2πz)/(4π²). It needs no
// reference sample, so the on-subspace error of a d = 1 target carries no reference noise.
// It returns an error for an empty z or a NaN entry.
func (c Cosine) W1ToLaw1D(z []float64) (float64, error) {
	if len(z) == 0 {
		return 0, fmt.Errorf("reflected: W1ToLaw1D: empty sample")
	}
	if err := c.validate(); err != nil {
		return 0, err
	}
	s := slices.Clone(z)
	for i, v := range s {
		if math.IsNaN(v) {
			return 0, fmt.Errorf("reflected: W1ToLaw1D: z[%d] is NaN", i)
		}
		s[i] = min(max(v, 0), 1)
	}
	slices.Sort(s)
	n := float64(len(s))
	var total float64
	a := 0.0
	for k := 0; k <= len(s); k++ {
		b := 1.0
		if k < len(s) {
			b = s[k]
		}
		if b > a {
			total += c.gapIntegral(a, b, float64(k)/n)
		}
		a = b
	}
	return total, nil
}

// antiCDF returns G(z) = ∫₀ᶻ F(u) du for the Cosine coordinate CDF F.
func (c Cosine) antiCDF(z float64) float64 {
	return z*z/2 + c.C*(1-math.Cos(2*math.Pi*z))/(4*math.Pi*math.Pi)
}

// gapIntegral returns ∫ₐᵇ |level − F(z)| dz for a ≤ b.
func (c Cosine) gapIntegral(a, b, level float64) float64 {
	fa, fb := c.CDF1D(a), c.CDF1D(b)
	ga, gb := c.antiCDF(a), c.antiCDF(b)
	switch {
	case fa >= level:
		return gb - ga - level*(b-a)
	case fb <= level:
		return level*(b-a) - (gb - ga)
	}
	r := c.solveCDF(level, a, b)
	gr := c.antiCDF(r)
	return level*(r-a) - (gr - ga) + (gb - gr) - level*(b-r)
}

// solveCDF returns r ∈ [a, b] with F(r) = level, given F(a) < level < F(b), by Newton steps
// (F' = 1 + C cos 2πz ≥ 1 − |C| > 0) kept inside a shrinking bracket.
func (c Cosine) solveCDF(level, a, b float64) float64 {
	r := (a + b) / 2
	for it := 0; it < 100; it++ {
		f := c.CDF1D(r) - level
		if f > 0 {
			b = r
		} else {
			a = r
		}
		next := r - f/(1+c.C*math.Cos(2*math.Pi*r))
		if !(next > a && next < b) {
			next = (a + b) / 2
		}
		if math.Abs(next-r) <= 1e-16 || b-a <= 1e-16 {
			return next
		}
		r = next
	}
	return r
}
