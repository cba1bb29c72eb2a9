package reflected

import (
	"math"
	"testing"
)

// imagesSumsDirect is the straightforward evaluation of imagesSums (one or two exponentials
// per pair, no recurrences), kept as a test reference; it returns the weight sum W ≥ 1, the signed ∂-weight sum (already multiplied by
// the frame's sign) and δ = x₀ − y₀, for x, y ∈ [0,1] and t > 0.
func imagesSumsDirect(x, y, t float64) (w, d, delta float64) {
	x0, y0, y1, sign := x, y, 1-y, 1.0 // y1 = 1 − y₀, the distance of y to the far side
	if x > 0.5 {
		x0, y0, y1, sign = 1-x, 1-y, y, -1
	}
	delta = x - y
	if sign < 0 {
		delta = y - x
	}
	h := 0.5 / t
	w, d = imagesPairDirect(x0, y0, delta, 0, h)
	for n := 1; ; n++ {
		fn := float64(n)
		eP := 4 * fn * (fn - delta) * h           // μ = 2n + y₀
		eM := 4 * ((fn - 1) + y1) * (fn - x0) * h // μ = 2n − y₀
		if eP > tailExp && eM > tailExp {
			break
		}
		if eP <= tailExp {
			wi, di := imagesPairDirect(x0, 2*fn+y0, delta-2*fn, eP, h)
			w += wi
			d += di
		}
		if eM <= tailExp {
			wi, di := imagesPairDirect(x0, 2*fn-y0, (x0+y0)-2*fn, eM, h)
			w += wi
			d += di
		}
	}
	return w, sign * d, delta
}

// imagesPair returns the weight and ∂-weight of the mirror pair ±μ (see the file comment);
// xm = x₀ − μ computed accurately by the caller, e the pair's exponent.
func imagesPairDirect(x0, mu, xm, e, h float64) (w, d float64) {
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

// TestImagesRecurrence compares the recurrence evaluation with the direct one at random
// points with t log-uniform on [1e-6, 2] (up to 7 pairs per chain). Both sums consist of
// positive weights (W) or well-conditioned pair terms (the ∂-sum is compared relative to
// Σ|terms| ≤ W·2): products of ≤ 7 rounded factors give ≤ 1e-14.
func TestImagesRecurrence(t *testing.T) {
	rng := kernelRand(17)
	for i := 0; i < 200000; i++ {
		x, y := rng.Float64(), rng.Float64()
		if i%3 == 1 {
			x = math.Pow(10, -10*rng.Float64())
		}
		tt := math.Exp(math.Log(1e-6) + rng.Float64()*(math.Log(2)-math.Log(1e-6)))
		w1, d1, e1 := imagesSums(x, y, tt)
		w2, d2, e2 := imagesSumsDirect(x, y, tt)
		if e1 != e2 || math.Abs(w1-w2) > 1e-14*w2 || math.Abs(d1-d2) > 1e-14*2*w2 {
			t.Fatalf("x=%v y=%v t=%v: recurrence (%v, %v), direct (%v, %v)", x, y, tt, w1, d1, w2, d2)
		}
	}
}

// TestSinCosPi compares sinCosPi with math.Sincos(π·x) at random x, to 1e-15 absolute: the
// reference's argument π·x ≤ π is rounded by up to 2.2e-16, and each side adds a few ulps of
// values ≤ 1. It also checks the exact values at 0, ½, 1 and relative accuracy at the walls.
func TestSinCosPi(t *testing.T) {
	rng := kernelRand(23)
	for i := 0; i < 1000000; i++ {
		x := rng.Float64()
		s, c := sinCosPi(x)
		rs, rc := math.Sincos(math.Pi * x)
		if math.Abs(s-rs) > 1e-15 || math.Abs(c-rc) > 1e-15 {
			t.Fatalf("x=%v: (%v, %v), math (%v, %v)", x, s, c, rs, rc)
		}
	}
	for _, v := range [][3]float64{{0, 0, 1}, {0.5, 1, 0}, {1, 0, -1}} {
		if s, c := sinCosPi(v[0]); s != v[1] || c != v[2] {
			t.Errorf("sinCosPi(%v) = (%v, %v), want (%v, %v)", v[0], s, c, v[1], v[2])
		}
	}
	// Near the walls sin(πx) must be relatively accurate: sin θ = θ − θ³/6 + O(θ⁵), θ = πx,
	// with θ⁵/120 < 3e-30·θ for θ ≤ 4e-6.
	for _, x := range []float64{1e-300, 1e-12, 1e-6} {
		sinRef := func(x float64) float64 { th := math.Pi * x; return th - th*th*th/6 }
		if s, _ := sinCosPi(x); math.Abs(s/sinRef(x)-1) > 1e-15 {
			t.Errorf("sinCosPi(%v) = %v", x, s)
		}
		if s, _ := sinCosPi(1 - x); math.Abs(s/sinRef(1-(1-x))-1) > 1e-15 {
			t.Errorf("sinCosPi(1−%v) = %v", x, s)
		}
	}
}
