package meanfield

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// ulps returns |got − want| in units of the spacing of floats at want.
func ulps(got, want float64) float64 {
	if got == want {
		return 0
	}
	a := math.Abs(want)
	return math.Abs(got-want) / (math.Nextafter(a, math.Inf(1)) - a)
}

// bigTanh returns tanh x to 200 bits: (e^{2x} − 1)/(e^{2x} + 1) with e^{2|x|} from its Taylor
// series (all terms positive, so the series is exactly summed to 200 bits), then rounded.
func bigTanh(x float64) float64 {
	const prec = 200
	y := new(big.Float).SetPrec(prec).SetFloat64(2 * math.Abs(x))
	sum := new(big.Float).SetPrec(prec).SetInt64(1)
	term := new(big.Float).SetPrec(prec).SetInt64(1)
	eps := new(big.Float).SetPrec(prec).SetMantExp(big.NewFloat(1), -prec)
	for i := int64(1); ; i++ {
		term.Mul(term, y)
		term.Quo(term, new(big.Float).SetPrec(prec).SetInt64(i))
		sum.Add(sum, term)
		if new(big.Float).Quo(term, sum).Cmp(eps) < 0 {
			break
		}
	}
	one := new(big.Float).SetPrec(prec).SetInt64(1)
	num := new(big.Float).SetPrec(prec).Sub(sum, one)
	den := new(big.Float).SetPrec(prec).Add(sum, one)
	t, _ := num.Quo(num, den).Float64()
	return math.Copysign(t, x)
}

// TestTanhAccuracy compares tanh with a 200-bit reference (bigTanh) at random points and
// with math.Tanh on a dense grid. The formula's error budget (tanh.go): expm1 within about
// 1.5 ulps (table entries and Taylor truncation below 0.5 ulp, a few roundings), 2 + e exact
// to 0.5 ulp, the quotient 0.5 ulp, and the error of e enters the quotient at most twice:
// at most about 4 ulps; we allow 4 against the exact value. math.Tanh itself is within
// about 1 ulp (Cephes tanh, peak relative error 2.4·10⁻¹⁷ in its domain), so the grid
// comparison allows 5.
func TestTanhAccuracy(t *testing.T) {
	r := rand.New(rand.NewPCG(71, 72))
	worst := 0.0
	for i := range 3000 {
		// log-uniform magnitudes over [1e−6, 25] plus both signs.
		x := math.Exp(math.Log(1e-6) + r.Float64()*(math.Log(25)-math.Log(1e-6)))
		if i%2 == 1 {
			x = -x
		}
		want := bigTanh(x)
		if e := ulps(tanh(x), want); e > worst {
			worst = e
			if e > 4 {
				t.Fatalf("tanh(%v) = %v, 200-bit reference %v: %.1f ulps", x, tanh(x), want, e)
			}
		}
	}
	t.Logf("largest error against the 200-bit reference: %.2f ulps", worst)
	worst = 0
	s := make([]float64, 0, 1<<16)
	xs := make([]float64, 0, 1<<16)
	for x := -25.0; x <= 25; x += 1.0 / 1024 {
		xs = append(xs, x)
	}
	for x := 1e-300; x < 1; x *= 1.01 {
		xs = append(xs, x, -x)
	}
	s = append(s, xs...)
	tanhRowGeneric(s)
	for i, x := range xs {
		if e := ulps(s[i], math.Tanh(x)); e > worst {
			worst = e
			if e > 5 {
				t.Fatalf("tanh(%v) = %v, math.Tanh %v: %.1f ulps", x, s[i], math.Tanh(x), e)
			}
		}
	}
	t.Logf("largest difference from math.Tanh on %d grid points: %.2f ulps", len(xs), worst)
	// Extreme and special values: exact results.
	for _, c := range []struct{ x, want float64 }{
		{0, 0}, {math.Copysign(0, -1), math.Copysign(0, -1)}, {5e-324, 5e-324}, {-5e-324, -5e-324},
		{1e-200, 1e-200}, {30, 1}, {-30, -1}, {1e300, 1}, {-math.MaxFloat64, -1},
		{math.Inf(1), 1}, {math.Inf(-1), -1},
	} {
		if got := tanh(c.x); got != c.want || math.Signbit(got) != math.Signbit(c.want) {
			t.Errorf("tanh(%v) = %v, want %v", c.x, got, c.want)
		}
	}
	if got := tanh(math.NaN()); !math.IsNaN(got) {
		t.Errorf("tanh(NaN) = %v, want NaN", got)
	}
}

// TestTanhPathsAgree checks that the AVX2 kernel and the portable loop give the same bits
// (they perform the same IEEE operations), on the grid of TestTanhAccuracy, random values
// of every magnitude, and the special values, at every offset and length of the slice.
func TestTanhPathsAgree(t *testing.T) {
	if !useAVX2 {
		t.Skip("no AVX2 on this machine")
	}
	r := rand.New(rand.NewPCG(73, 74))
	xs := []float64{0, math.Copysign(0, -1), 5e-324, -5e-324, 1e-200, 30, -30, 1e300,
		-math.MaxFloat64, math.Inf(1), math.Inf(-1), math.NaN(), 19.0615, -0.3465735902799726}
	for x := -25.0; x <= 25; x += 1.0 / 512 {
		xs = append(xs, x)
	}
	for range 20000 {
		xs = append(xs, math.Float64frombits(r.Uint64()), r.NormFloat64()*3)
	}
	for off := range 4 {
		for _, n := range []int{len(xs) - off, 1, 2, 3, 5, 7} {
			a := append([]float64(nil), xs[off:off+n]...)
			b := append([]float64(nil), a...)
			tanhRow(a)
			tanhRowGeneric(b)
			for i := range a {
				if math.Float64bits(a[i]) != math.Float64bits(b[i]) && !(math.IsNaN(a[i]) && math.IsNaN(b[i])) {
					t.Fatalf("tanh(%v): AVX2 %v, portable %v", xs[off+i], a[i], b[i])
				}
			}
		}
	}
}
