package reflected

import "math"

// Cosine (Neumann eigenfunction) series, used for t ≥ SwitchTime.
//
// With q = exp(−π²t/2), cₖ(x) = cos(kπx), sₖ(x) = sin(kπx):
//
//	pₜ(x, y) = 1 + 2 Σ_{k≥1} q^{k²} cₖ(x) cₖ(y),
//	∂ₓ pₜ(x, y) = −2π Σ_{k≥1} k q^{k²} sₖ(x) cₖ(y).
//
// For t ≥ 2/π, q ≤ e^{−π} < 0.044, so p ≥ 1 − 2q/(1−q) > 0.9 and there is no
// cancellation. The sums stop at the first k with k·q^{k²} < e^{−tailExp}; the terms after
// it shrink by at least q^{2k+1}·(k+1)/k < 1e-4 each, so the relative truncation error of
// p and the absolute error of the score (|∂ₓp| / p with p > 0.9) are below 1e-16.
// cₖ, sₖ come from the angle-addition recurrence started at exact sin(πx), cos(πx)
// (sinPi, cosPi), so sₖ(0) = sₖ(1) = 0 exactly and the score vanishes on the boundary.

// cosineSeries returns log pₜ(x, y) and ∂ₓ log pₜ(x, y) from the cosine series.
func cosineSeries(x, y, t float64) (logp, score float64) {
	q := math.Exp(-math.Pi * math.Pi * t / 2)
	if q == 0 {
		return 0, 0
	}
	s1x, c1x := sinCosPi(x)
	c1y := cosPi(y)
	const tail = 4.248354255291589e-18 // e^{-tailExp}
	var sp, sd float64                 // Σ q^{k²} cₖ(x)cₖ(y), Σ k q^{k²} sₖ(x)cₖ(y)
	skx, ckx, cky, ckyPrev := s1x, c1x, c1y, 1.0
	qk, qstep, q2 := q, q, q*q // q^{k²}, q^{2k−1}, q²
	for k := 1; ; k++ {
		fk := float64(k)
		if fk*qk < tail {
			break
		}
		sp += qk * ckx * cky
		sd += fk * qk * skx * cky
		skx, ckx = skx*c1x+ckx*s1x, ckx*c1x-skx*s1x
		cky, ckyPrev = 2*c1y*cky-ckyPrev, cky
		qstep *= q2
		qk *= qstep
	}
	return math.Log1p(2 * sp), -2 * math.Pi * sd / (1 + 2*sp)
}

// sinCosPi returns sin(πx) and cos(πx) for x ∈ [0,1], exact at 0, ½ and 1: for x > ½
// it uses the exactly representable 1 − x and the reflection sin(π−θ) = sin θ,
// cos(π−θ) = −cos θ.
func sinCosPi(x float64) (s, c float64) {
	if x > 0.5 {
		s, c = math.Sincos(math.Pi * (1 - x))
		return s, -c
	}
	if x == 0.5 {
		return 1, 0
	}
	return math.Sincos(math.Pi * x)
}

// cosPi returns cos(πy) for y ∈ [0,1], exact at 0, ½ and 1 (see sinCosPi).
func cosPi(y float64) float64 {
	switch {
	case y > 0.5:
		return -math.Cos(math.Pi * (1 - y))
	case y == 0.5:
		return 0
	}
	return math.Cos(math.Pi * y)
}
