package reflected

import (
	"math"
	"testing"
)

var integralTimes = []float64{1e-8, 1e-6, 1e-3, 0.02, 0.2, SwitchTime, 2, 6}

// TestNormalisation checks ∫₀¹ pₜ(x, y) dx = 1 by composite Gauss–Legendre quadrature (exact
// to rounding, see kernelIntegrate). Tolerance 1e-12: the contract's relative accuracy of p
// integrates to at most 1e-12, and the quadrature sum of ≤ 2000 terms adds < 1e-13.
func TestNormalisation(t *testing.T) {
	for _, tt := range integralTimes {
		for _, y := range []float64{0, 1e-7, 0.3, 0.5, 1 - 1e-9, 1} {
			a, b := kernelSupport(y, tt)
			m := kernelIntegrate(func(x float64) float64 { return Density1D(x, y, tt) }, a, b, kernelPanel(tt))
			if math.Abs(m-1) > 1e-12 {
				t.Errorf("t=%g y=%g: ∫p = %.16g", tt, y, m)
			}
		}
	}
}

// TestCDFAndMeanAgainstQuadrature checks CDF1D(x | y) = ∫₀ˣ p and Mean1D(y) = ∫₀¹ x p by
// the same quadrature; tolerance 1e-13 absolute (rounding of a ≤ 2000-term sum of values
// ≤ 1, plus the ~1e-15 error of CDF1D/Mean1D).
func TestCDFAndMeanAgainstQuadrature(t *testing.T) {
	for _, tt := range integralTimes {
		for _, y := range []float64{0, 1e-7, 0.3, 0.5, 1 - 1e-9, 1} {
			a, b := kernelSupport(y, tt)
			w := kernelPanel(tt)
			for _, x := range []float64{0, 1e-9, 0.1, 0.3 + 1e-4, 0.5, 0.77, 1} {
				want := kernelIntegrate(func(z float64) float64 { return Density1D(z, y, tt) }, a, math.Min(b, x), w)
				if x >= b {
					want = kernelIntegrate(func(z float64) float64 { return Density1D(z, y, tt) }, a, b, w)
				}
				if got := CDF1D(x, y, tt); math.Abs(got-want) > 1e-13 {
					t.Errorf("t=%g y=%g x=%g: CDF %.16g, quadrature %.16g", tt, y, x, got, want)
				}
			}
			want := kernelIntegrate(func(z float64) float64 { return z * Density1D(z, y, tt) }, a, b, w)
			if got := Mean1D(y, tt); math.Abs(got-want) > 1e-13 {
				t.Errorf("t=%g y=%g: mean %.16g, quadrature %.16g", tt, y, got, want)
			}
		}
	}
}

// TestCDFAndMeanFormsAgree compares the images and cosine forms of CDF1D and Mean1D where
// both converge (t ∈ [0.05, 3]); each is a sum of O(1) terms good to a few ulps, so 1e-14.
func TestCDFAndMeanFormsAgree(t *testing.T) {
	for _, tt := range []float64{0.05, 0.2, SwitchTime * 0.999, 1, 3} {
		for i := 0; i <= 10; i++ {
			y := float64(i) / 10
			for j := 0; j <= 10; j++ {
				x := float64(j) / 10
				img := cdfImages(x, y, tt)
				cos := cosineCDF(x, y, tt)
				if math.Abs(img-cos) > 1e-14 {
					t.Errorf("t=%g x=%g y=%g: CDF images %.17g cosine %.17g", tt, x, y, img, cos)
				}
			}
			mi, mc := meanImages(y, tt), meanCosine(y, tt)
			if math.Abs(mi-mc) > 1e-14 {
				t.Errorf("t=%g y=%g: mean images %.17g cosine %.17g", tt, y, mi, mc)
			}
		}
	}
}

// TestChapmanKolmogorov checks ∫₀¹ p_s(x, z) p_r(z, y) dz = p_{s+r}(x, y) by quadrature, for
// pairs of times on both sides of SwitchTime; tolerance 1e-12 relative (contract).
func TestChapmanKolmogorov(t *testing.T) {
	pairs := [][2]float64{{1e-3, 2e-3}, {0.01, 0.3}, {0.3, 0.5}, {0.7, 1.1}}
	for _, sr := range pairs {
		s, r := sr[0], sr[1]
		w := math.Min(kernelPanel(s), kernelPanel(r))
		for _, x := range []float64{0, 0.2, 0.55, 1} {
			for _, y := range []float64{0, 0.25, 0.6, 1} {
				got := kernelIntegrate(func(z float64) float64 { return Density1D(x, z, s) * Density1D(z, y, r) }, 0, 1, w)
				want := Density1D(x, y, s+r)
				if math.Abs(got-want) > 1e-12*want {
					t.Errorf("s=%g r=%g x=%g y=%g: ∫ = %.16g, p_{s+r} = %.16g", s, r, x, y, got, want)
				}
			}
		}
	}
}

// TestHeatEquation checks ∂ₜp = ½∂ₓₓp with central differences in t (step k) and x (step h).
// Central differences have truncation error (k²/6)|∂ₜ³p| and (h²/12)|∂ₓ⁴p|; with the
// Gaussian scaling ∂ₓ ~ 1/√t, ∂ₜ ~ 1/t these are ~ (k/t)²·p/t and (h²/t)·p/t, and rounding
// adds ~ 4ε p/h² and ε p/k. With k = 1e-4·t and h = 2e-4·√t all are below 1e-6·p/t, the
// tolerance used.
func TestHeatEquation(t *testing.T) {
	for _, tt := range []float64{1e-4, 0.01, 0.3, SwitchTime * 1.01, 1.5} {
		k, h := 1e-4*tt, 2e-4*math.Sqrt(tt)
		for _, x := range []float64{0.1, 0.45, 0.9} {
			for _, y := range []float64{0, 0.4, 1} {
				if math.Abs(x-y) > 3*math.Sqrt(tt) {
					continue // far tail: derivatives grow like ((x−y)/t)^k and the scaling above fails
				}
				p := Density1D(x, y, tt)
				dt := (Density1D(x, y, tt+k) - Density1D(x, y, tt-k)) / (2 * k)
				dxx := (Density1D(x+h, y, tt) - 2*p + Density1D(x-h, y, tt)) / (h * h)
				if math.Abs(dt-0.5*dxx) > 1e-6*p/tt {
					t.Errorf("t=%g x=%g y=%g: ∂ₜp = %v, ½∂ₓₓp = %v", tt, x, y, dt, 0.5*dxx)
				}
			}
		}
	}
}

// TestScoreFiniteDifference checks Score1D against the central difference of LogDensity1D.
// D(h) has truncation error (h²/6)|∂³ log p|; |D(h) − D(h/2)| estimates 3/4 of D(h)'s, so
// the check is |score − D(h/2)| ≤ |D(h) − D(h/2)| + rounding 4ε·|log p|/h + 1e-9·max(1,|s|)
// (D divides by the exact spacing of the rounded points x ± h, so input rounding cancels).
// h = 1e-3·min(t, √t) keeps h·|∂ₓ log p| small even next to the walls.
func TestScoreFiniteDifference(t *testing.T) {
	rng := kernelRand(5)
	for i := 0; i < 3000; i++ {
		tt := math.Exp(math.Log(1e-6) + rng.Float64()*(math.Log(10)-math.Log(1e-6)))
		h := 1e-3 * math.Min(tt, math.Sqrt(tt))
		x := h + rng.Float64()*(1-2*h)
		y := rng.Float64()
		d := func(h float64) float64 {
			// Divide by the exact spacing of the rounded points x ± h.
			xp, xm := x+h, x-h
			return (LogDensity1D(xp, y, tt) - LogDensity1D(xm, y, tt)) / (xp - xm)
		}
		d1, d2 := d(h), d(h/2)
		s := Score1D(x, y, tt)
		lp := math.Abs(LogDensity1D(x, y, tt))
		tol := math.Abs(d1-d2) + 4*2.2e-16*math.Max(1, lp)/(h/2) + 1e-9*math.Max(1, math.Abs(s))
		if math.Abs(s-d2) > tol {
			t.Errorf("t=%g x=%v y=%v: score %v, FD %v (tol %.2e)", tt, x, y, s, d2, tol)
		}
	}
}

// TestLimits checks the small-t Gaussian and large-t uniform limits.
//   - Small t: p/φₜ(x−y) − 1 = Σ_{images yⱼ ≠ y} exp(−(dⱼ² − (x−y)²)/(2t)) ≥ 0, where the two
//     nearest mirror images −y and 2−y sit at dⱼ = x+y and 2−x−y and all others at
//     dⱼ ≥ 2 − |x−y| (their terms are below e^{−1000} for t ≤ 1e-3); twice the two nearest
//     terms is an upper bound.
//   - Large t: |p − 1| ≤ 2q/(1−q) with q = e^{−π²t/2}, and p − 1 differs from the leading
//     mode 2q cos(πx)cos(πy) by at most 2q⁴/(1−q).
func TestLimits(t *testing.T) {
	for _, tt := range []float64{1e-6, 1e-4, 1e-3} {
		for _, xy := range [][2]float64{{0.5, 0.5}, {0.3, 0.32}, {0.9, 0.88}, {0.6, 0.55}} {
			x, y := xy[0], xy[1]
			logG := -(x-y)*(x-y)/(2*tt) - 0.5*math.Log(2*math.Pi*tt)
			rel := math.Expm1(LogDensity1D(x, y, tt) - logG)
			// nearest mirror images: −y (distance x+y) and 2−y (distance 2−x−y)
			bound := 0.0
			for _, dj := range []float64{x + y, 2 - x - y} {
				bound += 2 * math.Exp(-(dj*dj-(x-y)*(x-y))/(2*tt))
			}
			if rel < -1e-13 || rel > bound+1e-13 {
				t.Errorf("t=%g x=%g y=%g: p/φ − 1 = %v, bound [0, %v]", tt, x, y, rel, bound)
			}
		}
	}
	for _, tt := range []float64{2, 4, 8} {
		q := math.Exp(-math.Pi * math.Pi * tt / 2)
		for _, xy := range [][2]float64{{0, 0}, {0, 1}, {0.3, 0.8}, {0.5, 0.5}} {
			x, y := xy[0], xy[1]
			d := Density1D(x, y, tt) - 1
			lead := 2 * q * math.Cos(math.Pi*x) * math.Cos(math.Pi*y)
			if math.Abs(d) > 2*q/(1-q)+1e-15 || math.Abs(d-lead) > 2*math.Pow(q, 4)/(1-q)+1e-15 {
				t.Errorf("t=%g x=%g y=%g: p − 1 = %v, leading mode %v", tt, x, y, d, lead)
			}
		}
	}
}
