package gemm

import (
	"math"
	"math/big"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
)

// refSgemm is the slow statement of Sgemm's rounding: for each element, blocks of kc
// float32 fused multiply-adds (fma32) in increasing index from zero, combined with
// fma(α, s, β·c) (α·s when β = 0), β = 1 from the second block on.
func refSgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			cij := c[i*ldc+j]
			if alpha == 0 || k == 0 {
				switch beta {
				case 0:
					cij = 0
				case 1:
				default:
					cij *= beta
				}
				c[i*ldc+j] = cij
				continue
			}
			bb := beta
			for p0 := 0; p0 < k; p0 += kc {
				var s float32
				for p := p0; p < min(p0+kc, k); p++ {
					var ap, bq float32
					if transA {
						ap = a[p*lda+i]
					} else {
						ap = a[i*lda+p]
					}
					if transB {
						bq = b[j*ldb+p]
					} else {
						bq = b[p*ldb+j]
					}
					s = fma32(ap, bq, s)
				}
				cij = combine32(s, cij, alpha, bb)
				bb = 1
			}
			c[i*ldc+j] = cij
		}
	}
}

// to32 rounds a float64 operand (NaN padding included) to float32.
func to32(x []float64) []float32 {
	y := make([]float32, len(x))
	for i, v := range x {
		y[i] = float32(v)
	}
	return y
}

// to64 widens a float32 slice exactly.
func to64(x []float32) []float64 {
	y := make([]float64, len(x))
	for i, v := range x {
		y[i] = float64(v)
	}
	return y
}

func sameBits32(x, y float32) bool {
	if x != x || y != y {
		return x != x && y != y
	}
	return math.Float32bits(x) == math.Float32bits(y)
}

// TestFMA32 checks fma32 against the exact a·b + c rounded once to float32 by math/big
// (24-bit precision, nearest even), on random operands and on cases built to hit the
// double-rounding trap: a·b + c within a tiny distance of a float32 midpoint.
func TestFMA32(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	exact := func(a, b, c float32) float32 {
		x := new(big.Float).SetPrec(200).SetFloat64(float64(a))
		x.Mul(x, new(big.Float).SetPrec(200).SetFloat64(float64(b)))
		x.Add(x, new(big.Float).SetPrec(200).SetFloat64(float64(c)))
		f, _ := x.Float32() // nearest even
		return f
	}
	check := func(a, b, c float32) {
		if got, want := fma32(a, b, c), exact(a, b, c); !sameBits32(got, want) {
			t.Fatalf("fma32(%g, %g, %g) = %g (%#x), want %g (%#x)", a, b, c, got, math.Float32bits(got), want, math.Float32bits(want))
		}
	}
	for i := 0; i < 200000; i++ {
		a := float32(rng.NormFloat64() * math.Exp2(float64(rng.IntN(40)-20)))
		b := float32(rng.NormFloat64())
		c := float32(rng.NormFloat64() * math.Exp2(float64(rng.IntN(40)-20)))
		check(a, b, c)
		// c = −(a·b rounded to float32 midpoint) ± tiny: the exact sum sits near a
		// midpoint of the float32 grid, where rounding through float64 would round twice.
		p := float64(a) * float64(b)
		mid := float32(p)
		ulp := math.Nextafter32(mid, float32(math.Inf(1))) - mid
		check(1, mid+ulp/2, float32(p-float64(mid))*float32(rng.Float64()))
		check(a, b, -float32(p)+float32(p-float64(float32(p))))
	}
	// The double-rounding trap, built: c with an odd last significand bit, h its half
	// float32 ulp, a·b = h·(1 − 2⁻⁴⁶) (a = h·(1 + 2⁻²³), b = 1 − 2⁻²³). The exact sum lies
	// 2⁻⁴⁶·h below the midpoint c + h, so it rounds to c; rounded to float64 first it lands
	// on the midpoint, which ties to the even neighbour c + 2h. Likewise mirrored.
	for i := 0; i < 1000; i++ {
		c := float32(rng.NormFloat64() * math.Exp2(float64(rng.IntN(40)-20)))
		c = math.Float32frombits(math.Float32bits(c) | 1)
		h := (math.Nextafter32(c, float32(math.Inf(1))) - c) / 2
		if c < 0 {
			h = (c - math.Nextafter32(c, float32(math.Inf(-1)))) / 2
		}
		a := h * (1 + 0x1p-23)
		check(a, 1-0x1p-23, c)
		check(-a, 1-0x1p-23, -c)
		check(a, -(1 - 0x1p-23), c)
	}
	check(0x1p-24*(1+0x1p-23), 1-0x1p-23, 1+0x1p-23)
	check(1+0x1p-23, 1+0x1p-23, -1)
	check(0x1p-149, 0.5, 0)
	check(float32(math.MaxFloat32), 2, -float32(math.MaxFloat32))
}

// allKernels32 returns the float32 kernels of this machine and their narrow variants
// (a narrow kernel passed to sgemm serves every width, having no narrow variant itself).
func allKernels32() []kernel32 {
	var all []kernel32
	for _, k := range kernels32 {
		all = append(all, k)
		if k.narrow != nil {
			all = append(all, *k.narrow)
		}
	}
	return all
}

// TestSgemmKernelsMatchReference checks every float32 kernel of this machine bit for bit
// against refSgemm on the random products of TestKernelsMatchReference (every transpose,
// NaN padding that must never be read, several kc blocks, α and β special values).
func TestSgemmKernelsMatchReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	cases := randomCases(rng, 150)
	defer func() { packAll = false }()
	for _, kern := range allKernels32() {
		for ci, g := range cases {
			if kern.name == "generic" && testing.Short() && ci >= 40 {
				break // the portable kernel runs at 0.4 GFLOP/s: a subset under -short (-race)
			}
			packAll = ci%2 == 1 // both the in-place and the packed reading of op(A) and B
			a64, lda, b64, ldb, c64, ldc := g.operands(rng)
			a, b, c := to32(a64), to32(b64), to32(c64)
			want := append([]float32(nil), c...)
			refSgemm(g.transA, g.transB, g.m, g.n, g.k, float32(g.alpha), a, lda, b, ldb, float32(g.beta), want, ldc)
			sgemm(&kern, g.transA, g.transB, g.m, g.n, g.k, float32(g.alpha), a, lda, b, ldb, float32(g.beta), c, ldc)
			for i := range c {
				if !sameBits32(c[i], want[i]) {
					t.Fatalf("kernel %s, %v: c[%d] = %v, want %v", kern.name, g, i, c[i], want[i])
				}
			}
		}
	}
}

// TestSgemmAccuracy compares Sgemm with the float64 product of the same float32 operands.
// Sgemm's error is at most γ_{k+2}·M, M = |α|·Σ|a||b| + |β||c|, γ_n = n·u/(1 − n·u) with
// u = 2⁻²⁴ (each element is k + 2 float32 roundings: the FMA chain, β·c and the final
// FMA; Higham §3.5); Dgemm on the widened operands is exact up to γ_{k+2} with u = 2⁻⁵³,
// and rounding α and β to float32 is avoided by choosing them representable. The test
// allows (k+2)·2⁻²⁴·(1 + 2⁻¹⁰)·M + (k+2)·2⁻⁵²·M, which covers both γ factors (n·u < 2⁻¹⁰
// here).
func TestSgemmAccuracy(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, g := range randomCases(rng, 150) {
		a64, lda, b64, ldb, c64, ldc := g.operands(rng)
		a, b, c := to32(a64), to32(b64), to32(c64)
		aw, bw, cw := to64(a), to64(b), to64(c)
		mag := absGemm(g.transA, g.transB, g.m, g.n, g.k, g.alpha, aw, lda, bw, ldb, g.beta, cw, ldc)
		Dgemm(g.transA, g.transB, g.m, g.n, g.k, g.alpha, aw, lda, bw, ldb, g.beta, cw, ldc)
		Sgemm(g.transA, g.transB, g.m, g.n, g.k, float32(g.alpha), a, lda, b, ldb, float32(g.beta), c, ldc)
		n := float64(g.k + 2)
		tol := n*0x1p-24*(1+0x1p-10) + n*0x1p-52
		worst := 0.0
		for i := 0; i < g.m; i++ {
			for j := 0; j < g.n; j++ {
				x, y, m := float64(c[i*ldc+j]), cw[i*ldc+j], mag[i*ldc+j]
				if math.Abs(x-y) > tol*m {
					t.Fatalf("%v: c[%d,%d] = %v, float64 %v (magnitude %v, bound %v)", g, i, j, x, y, m, tol*m)
				}
				if m > 0 {
					worst = max(worst, math.Abs(x-y)/(0x1p-24*m))
				}
			}
			for j := g.n; j < ldc && i < g.m-1; j++ {
				if c[i*ldc+j] == c[i*ldc+j] {
					t.Fatalf("%v: padding c[%d,%d] written", g, i, j)
				}
			}
		}
		_ = worst
	}
}

// TestSgemmDeterministicAcrossProcs checks the same bits for GOMAXPROCS 1, 2 and 3 on
// products large enough to be split into tasks.
func TestSgemmDeterministicAcrossProcs(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	cases := []gemmCase{
		{transB: true, m: 128, n: 256, k: 784, alpha: 1},
		{transA: true, m: 256, n: 784, k: 128, alpha: 1, beta: 1},
		{m: 128, n: 784, k: 256, alpha: -0.5, beta: 0.5, padA: 1, padB: 2, padC: 3},
		{transA: true, transB: true, m: 201, n: 77, k: 300, alpha: 2},
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, g := range cases {
		a64, lda, b64, ldb, c64, ldc := g.operands(rng)
		a, b, c0 := to32(a64), to32(b64), to32(c64)
		var first []float32
		for _, procs := range []int{1, 2, 3} {
			runtime.GOMAXPROCS(procs)
			c := append([]float32(nil), c0...)
			Sgemm(g.transA, g.transB, g.m, g.n, g.k, float32(g.alpha), a, lda, b, ldb, float32(g.beta), c, ldc)
			if first == nil {
				first = c
				continue
			}
			for i := range c {
				if !sameBits32(c[i], first[i]) {
					t.Fatalf("%v: GOMAXPROCS=%d differs at %d: %v vs %v", g, procs, i, c[i], first[i])
				}
			}
		}
	}
}

// TestSgemmPanics checks that inconsistent arguments panic with a "gemm: " message.
func TestSgemmPanics(t *testing.T) {
	s := make([]float32, 100)
	for _, tc := range []struct {
		name string
		f    func()
	}{
		{"negative m", func() { Sgemm(false, false, -1, 2, 2, 1, s, 2, s, 2, 0, s, 2) }},
		{"lda", func() { Sgemm(false, false, 3, 3, 4, 1, s, 3, s, 3, 0, s, 3) }},
		{"ldc", func() { Sgemm(false, false, 3, 5, 4, 1, s, 4, s, 5, 0, s, 4) }},
		{"short c", func() { Sgemm(false, false, 3, 3, 4, 1, s, 4, s, 3, 0, s[:8], 3) }},
	} {
		func() {
			defer func() {
				r := recover()
				if msg, ok := r.(string); !ok || !strings.HasPrefix(msg, "gemm: ") {
					t.Errorf("%s: recovered %v, want a \"gemm: \" panic", tc.name, r)
				}
			}()
			tc.f()
		}()
	}
}

// TestSgemmNoAllocs checks that a parallel float32 product allocates nothing in steady
// state, even with a garbage collection before every call (its scratch lives in free lists
// that collections do not empty, as TestNoAllocs checks for Dgemm).
func TestSgemmNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector counts allocations of its own")
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	rng := rand.New(rand.NewPCG(9, 10))
	g := gemmCase{m: 128, n: 256, k: 300, alpha: 1}
	a64, lda, b64, ldb, c64, ldc := g.operands(rng)
	a, b, c := to32(a64), to32(b64), to32(c64)
	f := func() { Sgemm(false, false, g.m, g.n, g.k, 1, a, lda, b, ldb, 0, c, ldc) }
	f()
	if avg := testing.AllocsPerRun(20, func() { runtime.GC(); f() }); avg != 0 {
		t.Fatalf("%.2f allocations per call", avg)
	}
}
