package silu

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestExp checks Exp against math.Exp (itself within 1 ulp, 2⁻⁵², which the
// tolerance adds) on a dense grid of [−708, 709] (step about 1.4·10⁻⁴, every reduction
// interval crossed many times), on both sides of the points k·ln2 ± ln2/2 where |r| is
// largest, and at the clamps, ±Inf and NaN.
func TestExp(t *testing.T) {
	tol := ExpErr + 0x1p-52
	check := func(x float64) {
		got, want := Exp(x), math.Exp(x)
		if d := math.Abs(got - want); d > tol*want {
			t.Fatalf("Exp(%v) = %v, math.Exp %v: relative error %g > %g", x, got, want, d/want, tol)
		}
	}
	const n = 10_000_000
	for i := range n + 1 {
		check(-708 + 1417*float64(i)/n)
	}
	for k := -1021; k <= 1022; k++ {
		for _, d := range []float64{-0.5, 0.5} {
			x := (float64(k) + d) * math.Ln2
			if x < -708 || x > 709 {
				continue
			}
			check(math.Nextafter(x, 0))
			if y := math.Nextafter(x, 2*x); y >= -708 && y <= 709 {
				check(y)
			}
		}
	}
	for _, x := range []float64{0, -0.0, 1e-300, -1e-300, -708, 709, 88.72283935546875, -103.97207641601562} {
		check(x)
	}
	// Beyond the clamps: e^{−708} and e^{709}, as documented.
	for _, c := range []struct{ x, want float64 }{
		{-1000, math.Exp(-708)}, {math.Inf(-1), math.Exp(-708)},
		{1000, math.Exp(709)}, {math.Inf(1), math.Exp(709)},
	} {
		if got := Exp(c.x); math.Abs(got-c.want) > tol*c.want {
			t.Errorf("Exp(%v) = %v, want %v", c.x, got, c.want)
		}
	}
	if got := Exp(math.NaN()); got != Exp(-708) {
		t.Errorf("Exp(NaN) = %v, want Exp(−708) = %v (the clamp)", got, Exp(-708))
	}
}

// TestForwardLevels checks that the AVX2 kernel (where this build has one) and the Go
// version give the same bits, for lengths around the vector width, on values spanning the
// float32 range and its specials, and that y and s are x·σ(x) and σ(x) within ExpErr.
func TestForwardLevels(t *testing.T) {
	if !useAVX2 {
		t.Log("no AVX2 kernel active: the portable version alone")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]float32, 4099)
	for i := range x {
		switch i % 7 {
		case 0:
			x[i] = float32(rng.NormFloat64())
		case 1:
			x[i] = float32(20 * rng.NormFloat64())
		case 2:
			x[i] = float32(math.Exp(80*rng.NormFloat64())) * float32(1-2*(i%2))
		default:
			x[i] = float32(4 * rng.NormFloat64())
		}
	}
	copy(x[:10], []float32{0, float32(math.Copysign(0, -1)), float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), math.MaxFloat32, -math.MaxFloat32, 1e-45, -1e-45, -103.97})
	// The AVX-512 kernel where active, then AVX2 alone: both against the Go loop.
	saved := useAVX512
	defer func() { useAVX512 = saved }()
	for _, z := range []bool{saved, false} {
		useAVX512 = z
		for _, n := range []int{1, 3, 4, 5, 8, 9, 12, 13, 16, 17, 20, 4096, 4099} {
			y0, s0 := make([]float32, n), make([]float64, n)
			y1, s1 := make([]float32, n), make([]float64, n)
			forward(y0, s0, x[:n])
			Forward(y1, s1, x[:n])
			// Apply (no σ kept), kernel and Go: the same y.
			y2, y3 := make([]float32, n), make([]float32, n)
			Apply(y2, x[:n])
			forward(y3, nil, x[:n])
			for i := range n {
				if math.Float32bits(y0[i]) != math.Float32bits(y1[i]) || math.Float64bits(s0[i]) != math.Float64bits(s1[i]) {
					t.Fatalf("n = %d, x[%d] = %v: kernel y, s = %v, %v; Go %v, %v", n, i, x[i], y1[i], s1[i], y0[i], s0[i])
				}
				if math.Float32bits(y2[i]) != math.Float32bits(y0[i]) || math.Float32bits(y3[i]) != math.Float32bits(y0[i]) {
					t.Fatalf("n = %d, x[%d] = %v: Apply %v (Go %v), Forward %v", n, i, x[i], y2[i], y3[i], y0[i])
				}
			}
		}
	}
	useAVX512 = saved
	y, s := make([]float32, len(x)), make([]float64, len(x))
	Forward(y, s, x)
	for i, v32 := range x {
		v := float64(v32)
		if math.IsNaN(v) {
			if !math.IsNaN(float64(y[i])) {
				t.Fatalf("Forward(NaN) = %v", y[i])
			}
			continue
		}
		sg := 1 / (1 + math.Exp(min(-v, 709))) // the clamp

		// δ = ExpErr moves σ by at most δσ; three float64 roundings (3·2⁻⁵³) on top.
		if d := math.Abs(s[i] - sg); d > (ExpErr+3*0x1p-53)*sg {
			t.Fatalf("σ(%v) = %v, want %v", v, s[i], sg)
		}
		want := float32(v * sg)
		// y: the same relative bound, then the float32 rounding (one ulp at most apart).
		if d := math.Abs(float64(y[i]) - v*sg); d > 0x1p-24*math.Abs(v*sg)+(ExpErr+4*0x1p-53)*math.Abs(v*sg) && y[i] != want {
			t.Fatalf("SiLU(%v) = %v, want %v", v, y[i], want)
		}
	}
}

// TestBackwardLevels checks that the AVX2 kernel (where this build has one) and the Go
// version of Backward give the same bits, and that both are the float32 rounding of
// dy·σ·(1 + x(1 − σ)) evaluated in float64 in that order.
func TestBackwardLevels(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const m = 4099
	x, dy := make([]float32, m), make([]float32, m)
	for i := range x {
		x[i] = float32(6 * rng.NormFloat64())
		dy[i] = float32(rng.NormFloat64())
	}
	copy(x[:6], []float32{0, float32(math.NaN()), float32(math.Inf(1)), -math.MaxFloat32, math.MaxFloat32, -120})
	y, s := make([]float32, m), make([]float64, m)
	Forward(y, s, x)
	for _, n := range []int{1, 3, 4, 5, 8, 13, 4096, 4099} {
		d0, d1 := make([]float32, n), make([]float32, n)
		backward(d0, dy[:n], s[:n], x[:n])
		Backward(d1, dy[:n], s[:n], x[:n])
		for i := range n {
			if math.Float32bits(d0[i]) != math.Float32bits(d1[i]) {
				t.Fatalf("n = %d, x[%d] = %v: kernel %v, Go %v", n, i, x[i], d1[i], d0[i])
			}
			v := float64(x[i])
			want := float32(float64(dy[i]) * s[i] * (1 + v*(1-s[i])))
			if d0[i] != want && !(math.IsNaN(float64(want)) && math.IsNaN(float64(d0[i]))) {
				t.Fatalf("x = %v: dx = %v, want %v", v, d0[i], want)
			}
		}
	}
}
