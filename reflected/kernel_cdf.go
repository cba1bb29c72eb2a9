package reflected

import "math"

// CDF1D returns Fₜ(x | y) = P(Xₜ ≤ x | X₀ = y) = ∫₀ˣ pₜ(z, y) dz for standard reflected
// Brownian motion on [0,1]. Below SwitchTime it sums the images form
//
//	Fₜ(x | y) = Σₙ [Φ((2n + x − y)/√t) − Φ((2n − x − y)/√t)]
//
// (the mass that N(y, t) puts on the intervals [2n − x, 2n + x], which Fold maps to [0, x]),
// over the n whose interval lies within 9.5 standard deviations of y (each omitted tail is
// below Φ(−9.5) < 1.1e-21); above it the cosine form
//
//	Fₜ(x | y) = x + 2 Σ_{k≥1} e^{−k²π²t/2} cos(kπy) sin(kπx)/(kπ),
//
// truncated like the density. The absolute error is a few ulps (below 1e-15). x and y are
// folded into [0,1]; t ≤ 0, +Inf or NaN gives NaN.
func CDF1D(x, y, t float64) float64 {
	if !(t > 0) || math.IsInf(t, 1) {
		return math.NaN()
	}
	x, y = Fold(x), Fold(y)
	if t >= SwitchTime {
		return cosineCDF(x, y, t)
	}
	return cdfImages(x, y, t)
}

// cdfImages sums the images form of CDF1D.
func cdfImages(x, y, t float64) float64 {
	sd := math.Sqrt(t)
	const reach = 9.5 // standard deviations kept on each side of y
	lo := int(math.Floor((y - reach*sd - x) / 2))
	hi := int(math.Ceil((y + reach*sd + x) / 2))
	var f float64
	for n := lo; n <= hi; n++ {
		c := 2 * float64(n)
		f += normalMass((c-x-y)/sd, (c+x-y)/sd)
	}
	return math.Min(f, 1)
}

// normalMass returns Φ(b) − Φ(a) for a ≤ b, subtracting upper-tail or lower-tail
// probabilities so that no O(1) term cancels in a tail.
func normalMass(a, b float64) float64 {
	switch {
	case a >= 0:
		return upperTail(a) - upperTail(b)
	case b <= 0:
		return upperTail(-b) - upperTail(-a)
	default:
		return 1 - upperTail(b) - upperTail(-a)
	}
}

// upperTail returns 1 − Φ(z) = ½ erfc(z/√2).
func upperTail(z float64) float64 { return 0.5 * math.Erfc(z/math.Sqrt2) }

// normalPDF returns φ(z) = e^{−z²/2}/√(2π).
func normalPDF(z float64) float64 { return math.Exp(-0.5*z*z) / math.Sqrt(2*math.Pi) }

// cosineCDF sums the cosine form of CDF1D for t ≥ SwitchTime.
func cosineCDF(x, y, t float64) float64 {
	q := math.Exp(-math.Pi * math.Pi * t / 2)
	s1x, c1x := sinCosPi(x)
	_, c1y := sinCosPi(y)
	const tail = 4.248354255291589e-18 // e^{-tailExp}
	var f float64
	skx, ckx, cky, ckyPrev := s1x, c1x, c1y, 1.0
	qk, qstep, q2 := q, q, q*q
	for k := 1; qk >= tail; k++ {
		f += qk * cky * skx / float64(k)
		skx, ckx = skx*c1x+ckx*s1x, ckx*c1x-skx*s1x
		cky, ckyPrev = 2*c1y*cky-ckyPrev, cky
		qstep *= q2
		qk *= qstep
	}
	return x + 2*f/math.Pi
}

// Mean1D returns E[Xₜ | X₀ = y] for standard reflected Brownian motion on [0,1]. Below
// SwitchTime it uses the images form: Xₜ = Fold(Y), Y ~ N(y, t), and Fold(Y) = Y − 2n on
// [2n, 2n+1] and 2n − Y on [2n−1, 2n], with
//
//	E[(Y − c)·1{a ≤ Y ≤ b}] = (y − c)(Φ(β) − Φ(α)) + √t (φ(α) − φ(β)),  α, β = (a−y)/√t, (b−y)/√t,
//
// over the unit intervals within 9.5 standard deviations of y. Above it uses the cosine form
//
//	E[Xₜ] = ½ − 4 Σ_{k odd} e^{−k²π²t/2} cos(kπy)/(k²π²).
//
// The absolute error is a few ulps. y is folded into [0,1]; t ≤ 0, +Inf or NaN gives NaN.
func Mean1D(y, t float64) float64 {
	if !(t > 0) || math.IsInf(t, 1) {
		return math.NaN()
	}
	y = Fold(y)
	if t >= SwitchTime {
		return meanCosine(y, t)
	}
	return meanImages(y, t)
}

// meanCosine sums the cosine form of Mean1D.
func meanCosine(y, t float64) float64 {
	q := math.Exp(-math.Pi * math.Pi * t / 2)
	var s float64
	for k := 1; ; k += 2 {
		fk := float64(k)
		qk := math.Pow(q, fk*fk)
		if qk < 4.248354255291589e-18 { // e^{-tailExp}; later terms are smaller still
			break
		}
		_, ck := sinCosPi(Fold(fk * y))
		s += qk * ck / (fk * fk)
	}
	return 0.5 - 4*s/(math.Pi*math.Pi)
}

// meanImages sums the images form of Mean1D.
func meanImages(y, t float64) float64 {
	sd := math.Sqrt(t)
	const reach = 9.5
	lo := int(math.Floor(y - reach*sd))
	hi := int(math.Ceil(y + reach*sd))
	var m float64
	for j := lo; j < hi; j++ { // unit interval [j, j+1]
		a, b := float64(j), float64(j+1)
		alpha, beta := (a-y)/sd, (b-y)/sd
		mass := normalMass(alpha, beta)
		tail := sd * (normalPDF(alpha) - normalPDF(beta))
		if j%2 == 0 { // [2n, 2n+1]: Fold(Y) = Y − j
			m += (y-a)*mass + tail
		} else { // [2n−1, 2n]: Fold(Y) = (j+1) − Y
			m -= (y-b)*mass + tail
		}
	}
	return m
}
