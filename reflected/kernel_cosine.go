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
// (sinCosPi), so sₖ(0) = sₖ(1) = 0 exactly and the score vanishes on the boundary.

// cosineSeries returns log pₜ(x, y) and ∂ₓ log pₜ(x, y) from the cosine series.
func cosineSeries(x, y, t float64) (logp, score float64) {
	sp, sd := cosineSums(x, y, t)
	return math.Log1p(2 * sp), -2 * math.Pi * sd / (1 + 2*sp)
}

// cosineScore is the score part of cosineSeries.
func cosineScore(x, y, t float64) float64 {
	sp, sd := cosineSums(x, y, t)
	return -2 * math.Pi * sd / (1 + 2*sp)
}

// cosineSums returns Σ q^{k²} cₖ(x)cₖ(y) and Σ k q^{k²} sₖ(x)cₖ(y), truncated as described
// in the file comment.
func cosineSums(x, y, t float64) (sp, sd float64) {
	q := math.Exp(-math.Pi * math.Pi * t / 2)
	const tail = 4.248354255291589e-18 // e^{-tailExp}
	if q < tail {
		return 0, 0
	}
	s1x, c1x := sinCosPi(x)
	_, c1y := sinCosPi(y)
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
	return sp, sd
}

// sinCosPi returns sin(πx) and cos(πx) for x ∈ [0,1], exact at 0, ¼ (to rounding), ½ and
// 1. It reflects x into [0, ¼] with the exact operations 1 − x (x > ½) and ½ − x (x > ¼),
// sin(π − θ) = sin θ, cos(π − θ) = −cos θ, sin(π/2 − θ) = cos θ, and evaluates the Taylor
// series of sin and cos at θ = πx ∈ [0, π/4] to degree 17 and 16 (the first omitted terms
// are below θ^18/18! < 3e-18), which is accurate to a few ulps.
func sinCosPi(x float64) (s, c float64) {
	neg := false
	if x > 0.5 {
		x = 1 - x
		neg = true
	}
	if x > 0.25 {
		c, s = sinCosSmall(math.Pi * (0.5 - x))
	} else {
		s, c = sinCosSmall(math.Pi * x)
	}
	if neg {
		c = -c
	}
	return s, c
}

// sinCosSmall returns sin θ and cos θ for |θ| ≤ π/4 by Taylor polynomials in θ² (Horner).
func sinCosSmall(theta float64) (s, c float64) {
	z := theta * theta
	s = theta * (1 + z*(-1.0/6+z*(1.0/120+z*(-1.0/5040+z*(1.0/362880+z*(-1.0/39916800+
		z*(1.0/6227020800+z*(-1.0/1307674368000+z*(1.0/355687428096000)))))))))
	c = 1 + z*(-0.5+z*(1.0/24+z*(-1.0/720+z*(1.0/40320+z*(-1.0/3628800+
		z*(1.0/479001600+z*(-1.0/87178291200+z*(1.0/20922789888000))))))))
	return s, c
}
