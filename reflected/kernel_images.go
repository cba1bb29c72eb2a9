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
// Evaluation: the pair weights are built by recurrences in n, so that a call needs at most
// seven exponentials however many pairs contribute: along each chain (μ = 2n + y₀ and
// μ = 2n − y₀) the ratio of consecutive w_μ is a fixed exponential times c^{n−1},
// c = e^{−8h}, and consecutive r_μ differ by the factor b = e^{−8x₀h}. The complements
// 1 − r_μ are propagated as (1 − r) + r(1 − b), a sum of positive terms, so they keep full
// relative accuracy when x₀ is near the wall. Products of at most n ≤ 7 factors add a few
// ulps.
//
// Truncation: pairs with exponent e = ((x₀−μ)² − δ²)h > tailExp are dropped; e grows with
// n at least like 4n(n−1)h, so consecutive dropped pairs shrink by e^{−8h} < e^{−6} for
// t < 2/π and the relative error of both sums is below 3·e^{−tailExp} < 1.3e-17. A factor
// r_μ with 4x₀μh > 60 is set to 0: it changes a weight by a relative e^{−60} and a
// ∂-weight by at most e^{−60}(x₀+μ), hence the score by less than e^{−60}·2/t < 2e-18 for
// t ≥ 1e-8 (the leading pair dominates the denominator).

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

// midTime is the time above which imagesSums uses the branch-light evaluation imagesSumsMid.
// There only the second ∂-weight form x₀(1+r) − μ(1−r) is used: its rounding error is a few
// ulps of x₀(1+r) + μ(1−r) ≤ 2μ per pair, below 1e-13 in the score for t ≥ midTime, also
// where the first form would have been the better one (x near y). Below midTime most pairs
// are negligible and imagesSumsSmall, which skips them, is faster.
const midTime = 0.03

// imagesSums returns the weight sum W ≥ 1, the signed ∂-weight sum (already multiplied by
// the frame's sign) and δ = x₀ − y₀, for x, y ∈ [0,1] and t > 0.
func imagesSums(x, y, t float64) (w, d, delta float64) {
	if t >= midTime {
		return imagesSumsMid(x, y, t)
	}
	return imagesSumsSmall(x, y, t)
}

// imagesFrame returns x₀, y₀, y₁ = 1 − y₀, the sign of the frame (see the file comment) and
// δ = x₀ − y₀ computed exactly from x and y.
func imagesFrame(x, y float64) (x0, y0, y1, sign, delta float64) {
	if x > 0.5 {
		return 1 - x, 1 - y, y, -1, y - x
	}
	return x, y, 1 - y, 1, x - y
}

// imagesSumsMid is imagesSums for t ≥ midTime: the same pairs, recurrences and truncation,
// with every mirror factor r = e^{−z} from exp and 1 − r formed by subtraction, and without
// per-pair branches. 1 − r then has an absolute (not relative) error of an ulp, which moves
// the second ∂-form by ≤ μ·ulp and the score by ≤ 2e-16·μ/t < 1e-13 (μ ≤ 15 here).
func imagesSumsMid(x, y, t float64) (w, d, delta float64) {
	x0, y0, y1, sign, delta := imagesFrame(x, y)
	h := 0.5 / t
	u := 4 * x0 * h // z = u·μ for the pair ±μ
	r0 := math.Exp(-u * y0)
	w = 1 + r0
	d = x0*(1+r0) - y0*(1-r0)
	ePlus := 4 * (1 - delta) * h    // exponent of μ = 2 + y₀
	eMinus := 4 * y1 * (1 - x0) * h // exponent of μ = 2 − y₀
	if ePlus > tailExp && eMinus > tailExp {
		return w, sign * d, delta
	}
	b := math.Exp(-2 * u) // e^{−8x₀h}: consecutive r along a chain differ by this factor
	c := -1.0             // e^{−8h}, computed when first needed
	if ePlus <= tailExp {
		g := math.Exp(-ePlus)
		r := r0 * b
		mu := 2 + y0
		w += g * (1 + r)
		d += g * (x0*(1+r) - mu*(1-r))
		ratio := g // the ratio of w_{n+1} to w_n is ratio·cⁿ
		for n := 2.0; 4*n*(n-delta)*h <= tailExp; n++ {
			if c < 0 {
				c = math.Exp(-8 * h)
			}
			ratio *= c
			g *= ratio
			r *= b
			mu += 2
			w += g * (1 + r)
			d += g * (x0*(1+r) - mu*(1-r))
		}
	}
	if eMinus <= tailExp {
		g := math.Exp(-eMinus)
		mu := 2 - y0
		r := math.Exp(-u * mu)
		w += g * (1 + r)
		d += g * (x0*(1+r) - mu*(1-r))
		if n := 2.0; 4*((n-1)+y1)*(n-x0)*h <= tailExp {
			ratio := math.Exp(-4 * h * (3 - x0 - y0)) // then times c^{n−2}
			for {
				g *= ratio
				r *= b
				mu += 2
				w += g * (1 + r)
				d += g * (x0*(1+r) - mu*(1-r))
				n++
				if 4*((n-1)+y1)*(n-x0)*h > tailExp {
					break
				}
				if c < 0 {
					c = math.Exp(-8 * h)
				}
				ratio *= c
			}
		}
	}
	return w, sign * d, delta
}

// imagesSumsSmall is imagesSums for t < midTime, where most pairs and mirror factors are
// negligible and are skipped, and each ∂-weight uses the better-conditioned form.
func imagesSumsSmall(x, y, t float64) (w, d, delta float64) {
	x0, y0, y1, sign, delta := imagesFrame(x, y)
	h := 0.5 / t
	r0, omr0 := mirror(4 * x0 * y0 * h)
	w, d = pairTerms(x0, y0, delta, r0, omr0)

	ePlus := 4 * (1 - delta) * h    // exponent of μ = 2 + y₀
	eMinus := 4 * y1 * (1 - x0) * h // exponent of μ = 2 − y₀
	if ePlus > tailExp && eMinus > tailExp {
		return w, sign * d, delta
	}
	c := -1.0           // e^{−8h}, computed when a chain reaches n = 2
	b, omb := -1.0, 0.0 // e^{−8x₀h} and 1 − b, computed when needed
	getB := func() {
		if b < 0 {
			b, omb = mirror(8 * x0 * h)
		}
	}
	getC := func() {
		if c < 0 {
			c = math.Exp(-8 * h)
		}
	}
	if ePlus <= tailExp { // chain μ = 2n + y₀: e = 4n(n − δ)h, r = r₀bⁿ
		g := math.Exp(-ePlus)
		r, omr := 0.0, 1.0
		if r0 > 0 {
			getB()
			r, omr = r0*b, omr0+r0*omb
		}
		wi, di := pairTerms(x0, 2+y0, delta-2, r, omr)
		w += g * wi
		d += g * di
		ratio := g // e^{−4h(1−δ)}; the ratio of w_{n+1} to w_n is ratio·cⁿ
		for n := 2; ; n++ {
			fn := float64(n)
			if 4*fn*(fn-delta)*h > tailExp {
				break
			}
			getC()
			ratio *= c
			g *= ratio
			if r > 0 {
				getB()
				r, omr = r*b, omr+r*omb
			}
			wi, di := pairTerms(x0, 2*fn+y0, delta-2*fn, r, omr)
			w += g * wi
			d += g * di
		}
	}
	if eMinus <= tailExp { // chain μ = 2n − y₀: e = 4(n − y₀)(n − x₀)h, r = e^{−4x₀μh}
		g := math.Exp(-eMinus)
		var r, omr float64 // r = e^{−4x₀(2−y₀)h} = b/r₀ ≤ 1
		if zb := 8 * x0 * h; r0 == 0 || zb > dropR {
			r, omr = mirror(zb - 4*x0*y0*h)
		} else {
			getB()
			r = b / r0
			if r > 0.5 {
				// 1 − b/r₀ = ((1−b) − (1−r₀))/r₀; here (2−y₀)·4x₀h < ln 2, so the
				// difference loses at most 2 bits.
				omr = (omb - omr0) / r0
			} else {
				omr = 1 - r
			}
		}
		wi, di := pairTerms(x0, 2-y0, (x0+y0)-2, r, omr)
		w += g * wi
		d += g * di
		ratio := 0.0 // the ratio of w_{n+1} to w_n is e^{−4h(3−x₀−y₀)}·c^{n−1}
		for n := 2; ; n++ {
			fn := float64(n)
			if 4*((fn-1)+y1)*(fn-x0)*h > tailExp {
				break
			}
			if n == 2 {
				ratio = math.Exp(-4 * h * (3 - x0 - y0))
			} else {
				getC()
				ratio *= c
			}
			g *= ratio
			if r > 0 {
				getB()
				r, omr = r*b, omr+r*omb
			}
			wi, di := pairTerms(x0, 2*fn-y0, (x0+y0)-2*fn, r, omr)
			w += g * wi
			d += g * di
		}
	}
	return w, sign * d, delta
}

// mirror returns r = e^{−z} and 1 − r, each to full relative accuracy; r = 0 for z > dropR.
func mirror(z float64) (r, omr float64) {
	switch {
	case z > dropR:
		return 0, 1
	case z < math.Ln2:
		em := math.Expm1(-z)
		return 1 + em, -em
	default:
		r = math.Exp(-z)
		return r, 1 - r
	}
}

// pairTerms returns the weight 1 + r and the ∂-weight of the mirror pair ±μ relative to
// its nearer image (see the file comment): xm = x₀ − μ computed accurately by the caller,
// r and omr = 1 − r its mirror factor. Of the two algebraically equal forms of the
// ∂-weight, the one with the smaller sum of absolute terms is returned.
func pairTerms(x0, mu, xm, r, omr float64) (w, d float64) {
	numA, bndA := xm+r*(x0+mu), math.Abs(xm)+r*(x0+mu)
	numB, bndB := x0*(1+r)-mu*omr, x0*(1+r)+mu*omr
	if bndB < bndA {
		return 1 + r, numB
	}
	return 1 + r, numA
}
