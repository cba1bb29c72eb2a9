package reflected

import (
	"math"
	"testing"
)

// naiveLogDensity is a third, independent float64 form: a plain log-sum-exp over the images
// 2n ± y, |n| ≤ 40 (enough for t ≤ 3: the first omitted image is ≥ 79 away, e^{−79²/6} ≈ 0).
// Its log p is accurate to a few ulps of max(1, |log p|) (log-sum-exp is well conditioned);
// its score is not used because it cancels near the walls.
func naiveLogDensity(x, y, t float64) float64 {
	m := math.Inf(-1)
	var es [162]float64
	k := 0
	for n := -40; n <= 40; n++ {
		for _, img := range [2]float64{2*float64(n) + y, 2*float64(n) - y} {
			d := x - img
			es[k] = -d * d / (2 * t)
			m = math.Max(m, es[k])
			k++
		}
	}
	var s float64
	for _, e := range es[:k] {
		s += math.Exp(e - m)
	}
	return m + math.Log(s) - 0.5*math.Log(2*math.Pi*t)
}

// fuzzArgs maps arbitrary floats to x, y ∈ [0,1] and t ∈ [1e-8, 1e4] (log scale).
func fuzzArgs(x, y, t float64) (float64, float64, float64, bool) {
	if math.IsNaN(x) || math.IsInf(x, 0) || math.IsNaN(y) || math.IsInf(y, 0) || math.IsNaN(t) || math.IsInf(t, 0) {
		return 0, 0, 0, false
	}
	x, y = Fold(x), Fold(y)
	f := math.Abs(t)
	f -= math.Floor(f) // fractional part ∈ [0,1)
	return x, y, 1e-8 * math.Pow(1e12, f), true
}

// FuzzKernel checks, at arbitrary (x, y, t): finite results; the exact Neumann zero;
// symmetry; agreement of Kernel1D with the images form (t ≤ 3), the cosine form (t ≥ 0.1)
// and the plain log-sum-exp (t ≤ 3), all to the 1e-12 contract tolerance; a CDF in [0,1].
func FuzzKernel(f *testing.F) {
	for _, s := range [][3]float64{{0, 0, 0}, {1, 0, 0.5}, {0.5, 0.5, 0.3}, {1e-9, 0.25, 0.17}, {0.999, 0.001, 0.99}, {0.3, 0.7, 0.6}} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, x, y, tt float64) {
		x, y, tt, ok := fuzzArgs(x, y, tt)
		if !ok {
			return
		}
		l, s := Kernel1D(x, y, tt)
		if math.IsNaN(l) || math.IsInf(l, 0) || math.IsNaN(s) || math.IsInf(s, 0) {
			t.Fatalf("x=%v y=%v t=%v: non-finite (%v, %v)", x, y, tt, l, s)
		}
		if (x == 0 || x == 1) && s != 0 {
			t.Fatalf("x=%v y=%v t=%v: boundary score %v", x, y, tt, s)
		}
		tolL := 1e-12 * math.Max(1, math.Abs(l))
		tolS := 1e-12 * math.Max(1, math.Abs(s))
		if l2 := LogDensity1D(y, x, tt); math.Abs(l2-l) > tolL {
			t.Fatalf("x=%v y=%v t=%v: asymmetric %v vs %v", x, y, tt, l, l2)
		}
		if tt <= 3 {
			li, si := imagesSeries(x, y, tt)
			if x == 0 || x == 1 {
				si = 0
			}
			if math.Abs(li-l) > tolL || math.Abs(si-s) > tolS {
				t.Fatalf("x=%v y=%v t=%v: images (%v, %v) vs (%v, %v)", x, y, tt, li, si, l, s)
			}
			if ln := naiveLogDensity(x, y, tt); math.Abs(ln-l) > tolL {
				t.Fatalf("x=%v y=%v t=%v: plain LSE %v vs %v", x, y, tt, ln, l)
			}
		}
		if tt >= 0.1 {
			lc, sc := cosineSeries(x, y, tt)
			if math.Abs(lc-l) > tolL || math.Abs(sc-s) > tolS {
				t.Fatalf("x=%v y=%v t=%v: cosine (%v, %v) vs (%v, %v)", x, y, tt, lc, sc, l, s)
			}
		}
		if c := CDF1D(x, y, tt); !(c >= 0 && c <= 1) {
			t.Fatalf("x=%v y=%v t=%v: CDF %v", x, y, tt, c)
		}
	})
}
