package reflected

import "math"

// Images series, used for t < SwitchTime.
//
// The images of y under the reflections at 0 and 1 are 2n ± y, n ∈ ℤ, and
// pₜ(x, y) = Σⱼ φₜ(x − yⱼ). We evaluate it in the frame of the boundary nearer to x:
// x₀ = x, y₀ = y if x ≤ ½, and x₀ = 1 − x, y₀ = 1 − y otherwise (p(x, y) = p(1−x, 1−y),
// and the score changes sign). In that frame the images come in mirror pairs ±μ with
// μ ∈ {y₀} ∪ {2n + y₀, 2n − y₀ : n ≥ 1}; the pair of μ = y₀ holds the image nearest to x₀.
// With h = 1/(2t), δ = x₀ − y₀ and r_μ = exp(−4x₀μh) (the mirror image's weight relative
// to its partner), a pair contributes
//
//	weight    w_μ (1 + r_μ),                            w_μ = exp(−((x₀−μ)² − δ²)h),
//	∂-weight  w_μ [(x₀ − μ) + r_μ(x₀ + μ)] = w_μ [x₀(1 + r_μ) − μ(1 − r_μ)],
//
// and log p = −δ²h + log Σ w(1+r) − ½ log(2πt), ∂ₓ log p = −(Σ ∂-weights)/(t Σ weights)
// (times −1 in the frame at 1). The exponents are formed as exact-factor products,
// (x₀−μ)² − δ² = 4n(n − δ) for μ = 2n + y₀ and 4(n − y₀)(n − x₀) for μ = 2n − y₀, so
// every weight is accurate to a few ulps even when t is tiny, and of the two algebraically
// equal forms of each ∂-weight the one with the smaller sum of absolute terms is used:
// the first is exact when x is near y, the second when x is near the boundary (where the
// two images of a pair nearly cancel). At x₀ = 0 the second form is exactly 0 (Neumann).
//
// Truncation: pairs with exponent e = ((x₀−μ)² − δ²)h > tailExp are dropped; e grows with
// n at least like 4n(n−1)h, so consecutive dropped pairs shrink by e^{−8h} < e^{−6} for
// t < 2/π and the relative error of both sums is below 3·e^{−tailExp} < 1.3e-17. A factor
// r_μ with 4x₀μh > 60 is set to 0: it changes a ∂-weight by at most r(x₀+μ) and the score
// by r(x₀+μ)/t < 1e-20 for x₀μ ≥ 15t, which holds whenever 4x₀μh > 60.

// dropR is the exponent above which the mirror factor r = e^{−z} is treated as 0.
const dropR = 60

// imagesSeries returns log pₜ(x, y) and ∂ₓ log pₜ(x, y) from the images series.
func imagesSeries(x, y, t float64) (logp, score float64) {
	w, d, delta := imagesSums(x, y, t)
	logp = -delta*delta*(0.5/t) + math.Log(w) - 0.5*math.Log(2*math.Pi*t)
	return logp, -d / (w * t)
}

// imagesScore is the score part of imagesSeries.
func imagesScore(x, y, t float64) float64 {
	w, d, _ := imagesSums(x, y, t)
	return -d / (w * t)
}

// imagesSums returns the weight sum W ≥ 1, the signed ∂-weight sum (already multiplied by
// the frame's sign) and δ = x₀ − y₀, for x, y ∈ [0,1] and t > 0.
func imagesSums(x, y, t float64) (w, d, delta float64) {
	x0, y0, y1, sign := x, y, 1-y, 1.0 // y1 = 1 − y₀, the distance of y to the far side
	if x > 0.5 {
		x0, y0, y1, sign = 1-x, 1-y, y, -1
	}
	delta = x - y
	if sign < 0 {
		delta = y - x
	}
	h := 0.5 / t
	w, d = imagesPair(x0, y0, delta, 0, h)
	for n := 1; ; n++ {
		fn := float64(n)
		eP := 4 * fn * (fn - delta) * h           // μ = 2n + y₀
		eM := 4 * ((fn - 1) + y1) * (fn - x0) * h // μ = 2n − y₀
		if eP > tailExp && eM > tailExp {
			break
		}
		if eP <= tailExp {
			wi, di := imagesPair(x0, 2*fn+y0, delta-2*fn, eP, h)
			w += wi
			d += di
		}
		if eM <= tailExp {
			wi, di := imagesPair(x0, 2*fn-y0, (x0+y0)-2*fn, eM, h)
			w += wi
			d += di
		}
	}
	return w, sign * d, delta
}

// imagesPair returns the weight and ∂-weight of the mirror pair ±μ (see the file comment);
// xm = x₀ − μ computed accurately by the caller, e the pair's exponent.
func imagesPair(x0, mu, xm, e, h float64) (w, d float64) {
	z := 4 * x0 * mu * h
	var r, omr float64 // r = e^{−z}, omr = 1 − r, each to full relative accuracy
	switch {
	case z > dropR:
		r, omr = 0, 1
	case z < math.Ln2:
		em := math.Expm1(-z)
		r, omr = 1+em, -em
	default:
		r = math.Exp(-z)
		omr = 1 - r
	}
	numA, bndA := xm+r*(x0+mu), math.Abs(xm)+r*(x0+mu)
	numB, bndB := x0*(1+r)-mu*omr, x0*(1+r)+mu*omr
	num := numA
	if bndB < bndA {
		num = numB
	}
	g := 1.0
	if e > 0 {
		g = math.Exp(-e)
	}
	return g * (1 + r), g * num
}
