package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// gemmCase is one product configuration.
type gemmCase struct {
	transA, transB bool
	m, n, k        int
	alpha, beta    float64
	padA, padB     int
	padC           int
}

func (g gemmCase) String() string {
	return fmt.Sprintf("tA=%v tB=%v m=%d n=%d k=%d α=%g β=%g pads=%d,%d,%d",
		g.transA, g.transB, g.m, g.n, g.k, g.alpha, g.beta, g.padA, g.padB, g.padC)
}

// operands draws A, B and C for g.
func (g gemmCase) operands(rng *rand.Rand) (a []float64, lda int, b []float64, ldb int, c []float64, ldc int) {
	ar, ac := g.m, g.k
	if g.transA {
		ar, ac = g.k, g.m
	}
	br, bc := g.k, g.n
	if g.transB {
		br, bc = g.n, g.k
	}
	a, lda = randMatrix(rng, ar, ac, g.padA)
	b, ldb = randMatrix(rng, br, bc, g.padB)
	c, ldc = randMatrix(rng, g.m, g.n, g.padC)
	return
}

// sizes covers 1, odd sizes, both sides of every kernel's tile sizes (4, 8, 12, 24), of the
// task split (32, 96) and of the kc = 256 block.
var sizes = []int{1, 2, 3, 4, 5, 7, 8, 9, 11, 12, 13, 23, 24, 25, 31, 33, 47, 97, 255, 256, 257}

func randomCases(rng *rand.Rand, count int) []gemmCase {
	alphas := []float64{1, -1, 0.5, 2.5, -0.3}
	betas := []float64{0, 1, -1, 0.5, math.Copysign(0, -1)}
	var cs []gemmCase
	for i := 0; i < count; i++ {
		g := gemmCase{
			transA: rng.IntN(2) == 1, transB: rng.IntN(2) == 1,
			m: sizes[rng.IntN(len(sizes))], n: sizes[rng.IntN(len(sizes))], k: sizes[rng.IntN(len(sizes))],
			alpha: alphas[rng.IntN(len(alphas))], beta: betas[rng.IntN(len(betas))],
			padA: rng.IntN(3), padB: rng.IntN(3), padC: rng.IntN(3),
		}
		if i%7 == 0 {
			g.k = 300 + rng.IntN(300) // several kc blocks
		}
		cs = append(cs, g)
	}
	return cs
}

// allKernels lists the kernels available on this machine and their narrow variants (a
// narrow kernel passed to dgemm is used for every width, having no narrow variant itself).
func allKernels() []kernel {
	var all []kernel
	for _, k := range kernels {
		all = append(all, k)
		if k.narrow != nil {
			all = append(all, *k.narrow)
		}
	}
	return all
}

// TestKernelsMatchReference checks every kernel available on this machine, and its narrow
// variant, bit for bit against refGemm, the slow statement of the rounding order,
// including the NaN padding between rows (never read) and every transpose combination.
func TestKernelsMatchReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	cases := randomCases(rng, 150)
	defer func() { packAll = false }()
	for _, kern := range allKernels() {
		for ci, g := range cases {
			packAll = ci%2 == 1 // both the in-place and the packed reading of op(A)
			a, lda, b, ldb, c, ldc := g.operands(rng)
			want := append([]float64(nil), c...)
			refGemm(g.transA, g.transB, g.m, g.n, g.k, g.alpha, a, lda, b, ldb, g.beta, want, ldc)
			dgemm(kern, g.transA, g.transB, g.m, g.n, g.k, g.alpha, a, lda, b, ldb, g.beta, c, ldc)
			for i := range c {
				if !sameBits(c[i], want[i]) {
					t.Fatalf("kernel %s, packAll=%v, %v: c[%d] = %v, want %v", kern.name, packAll, g, i, c[i], want[i])
				}
			}
		}
	}
}

// TestMatchesGonum compares Dgemm with gonum's blas64.Gemm, which sums in another order.
// Both are backward stable: each result differs from the exact α·Σ a·b + β·c by at most
// γ_{k+2}·(|α|·Σ|a||b| + |β||c|) with γ_n = n·u/(1-n·u), u = 2^-53 (Higham, Accuracy and
// Stability, §3.5). Their difference is thus bounded by twice that; we allow 2(k+2)·2^-52
// times the magnitude, which covers the γ factor with margin.
func TestMatchesGonum(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	tr := map[bool]blas.Transpose{false: blas.NoTrans, true: blas.Trans}
	for _, g := range randomCases(rng, 200) {
		a, lda, b, ldb, c, ldc := g.operands(rng)
		want := append([]float64(nil), c...)
		mag := absGemm(g.transA, g.transB, g.m, g.n, g.k, g.alpha, a, lda, b, ldb, g.beta, c, ldc)
		ar, ac := g.m, g.k
		if g.transA {
			ar, ac = g.k, g.m
		}
		br, bc := g.k, g.n
		if g.transB {
			br, bc = g.n, g.k
		}
		blas64.Gemm(tr[g.transA], tr[g.transB], g.alpha,
			blas64.General{Rows: ar, Cols: ac, Stride: lda, Data: a},
			blas64.General{Rows: br, Cols: bc, Stride: ldb, Data: b},
			g.beta, blas64.General{Rows: g.m, Cols: g.n, Stride: ldc, Data: want})
		Dgemm(g.transA, g.transB, g.m, g.n, g.k, g.alpha, a, lda, b, ldb, g.beta, c, ldc)
		tol := 2 * float64(g.k+2) * 0x1p-52
		for i := 0; i < g.m; i++ {
			for j := 0; j < g.n; j++ {
				x, y := c[i*ldc+j], want[i*ldc+j]
				if math.Abs(x-y) > tol*mag[i*ldc+j] {
					t.Fatalf("%v: c[%d,%d] = %v, gonum %v (magnitude %v)", g, i, j, x, y, mag[i*ldc+j])
				}
			}
			// The row padding must be untouched.
			for j := g.n; j < ldc && i < g.m-1; j++ {
				if !math.IsNaN(c[i*ldc+j]) {
					t.Fatalf("%v: padding c[%d,%d] written", g, i, j)
				}
			}
		}
	}
}

// TestDeterministicAcrossProcs checks the same bits for GOMAXPROCS 1, 2 and 3 on products
// large enough to be split into tasks.
func TestDeterministicAcrossProcs(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	cases := []gemmCase{
		{m: 128, n: 256, k: 784, alpha: 1},
		{transA: true, m: 256, n: 784, k: 128, alpha: 1, beta: 1},
		{transB: true, m: 128, n: 784, k: 256, alpha: -0.5, beta: 0.5, padA: 1, padB: 2, padC: 3},
		{transA: true, transB: true, m: 201, n: 77, k: 300, alpha: 2},
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, g := range cases {
		a, lda, b, ldb, c0, ldc := g.operands(rng)
		var first []float64
		for _, procs := range []int{1, 2, 3} {
			runtime.GOMAXPROCS(procs)
			c := append([]float64(nil), c0...)
			Dgemm(g.transA, g.transB, g.m, g.n, g.k, g.alpha, a, lda, b, ldb, g.beta, c, ldc)
			if first == nil {
				first = c
				continue
			}
			for i := range c {
				if !sameBits(c[i], first[i]) {
					t.Fatalf("%v: GOMAXPROCS=%d differs at %d: %v vs %v", g, procs, i, c[i], first[i])
				}
			}
		}
	}
}

// TestSpecialScalars checks the BLAS rules for α and β: β = 0 overwrites C without reading
// it (NaN in C disappears), α = 0 or k = 0 only scales C and never reads A or B (NaN there
// is ignored), β = 1 with α = 0 leaves C unchanged bit for bit.
func TestSpecialScalars(t *testing.T) {
	nan := math.NaN()
	for _, kern := range allKernels() {
		m, n, k := 9, 26, 5
		a := make([]float64, m*k)
		b := make([]float64, k*n)
		for i := range a {
			a[i] = float64(i%5) - 2
		}
		for i := range b {
			b[i] = float64(i%3) + 0.5
		}
		// β = 0: C full of NaN is overwritten by α·A·B.
		c := make([]float64, m*n)
		for i := range c {
			c[i] = nan
		}
		want := make([]float64, m*n)
		refGemm(false, false, m, n, k, 2, a, k, b, n, 0, want, n)
		dgemm(kern, false, false, m, n, k, 2, a, k, b, n, 0, c, n)
		for i := range c {
			if c[i] != want[i] {
				t.Fatalf("%s β=0: c[%d] = %v, want %v", kern.name, i, c[i], want[i])
			}
		}
		// α = 0: A and B full of NaN are not read; C = β·C.
		an := make([]float64, m*k)
		bn := make([]float64, k*n)
		for i := range an {
			an[i] = nan
		}
		for i := range bn {
			bn[i] = nan
		}
		for _, beta := range []float64{0, 1, -3} {
			for i := range c {
				c[i] = float64(i)
			}
			dgemm(kern, false, false, m, n, k, 0, an, k, bn, n, beta, c, n)
			for i := range c {
				if c[i] != beta*float64(i) {
					t.Fatalf("%s α=0 β=%v: c[%d] = %v, want %v", kern.name, beta, i, c[i], beta*float64(i))
				}
			}
		}
		// k = 0: C = β·C.
		for i := range c {
			c[i] = nan
		}
		dgemm(kern, false, false, m, n, 0, 1, nil, 1, nil, n, 0, c, n)
		for i := range c {
			if c[i] != 0 {
				t.Fatalf("%s k=0 β=0: c[%d] = %v, want 0", kern.name, i, c[i])
			}
		}
	}
}

// TestNonFinitePropagation puts NaN and ±Inf into A, B and C and checks the class of every
// result (NaN, +Inf, -Inf, finite) against refGemm: IEEE rules, including 0·Inf = NaN.
func TestNonFinitePropagation(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	class := func(x float64) int {
		switch {
		case math.IsNaN(x):
			return 0
		case math.IsInf(x, 1):
			return 1
		case math.IsInf(x, -1):
			return 2
		}
		return 3
	}
	specials := []float64{math.NaN(), math.Inf(1), math.Inf(-1), 0}
	for _, kern := range allKernels() {
		for trial := 0; trial < 40; trial++ {
			g := gemmCase{transA: trial%2 == 1, transB: trial%4 >= 2, m: 1 + rng.IntN(30), n: 1 + rng.IntN(40),
				k: 1 + rng.IntN(20), alpha: 1.5, beta: []float64{0, 1, 2}[trial%3]}
			a, lda, b, ldb, c, ldc := g.operands(rng)
			for _, x := range [][]float64{a, b, c} {
				for r := 0; r < 3; r++ {
					x[rng.IntN(len(x))] = specials[rng.IntN(len(specials))]
				}
			}
			want := append([]float64(nil), c...)
			refGemm(g.transA, g.transB, g.m, g.n, g.k, g.alpha, a, lda, b, ldb, g.beta, want, ldc)
			dgemm(kern, g.transA, g.transB, g.m, g.n, g.k, g.alpha, a, lda, b, ldb, g.beta, c, ldc)
			for i := 0; i < g.m; i++ {
				for j := 0; j < g.n; j++ {
					if x, y := c[i*ldc+j], want[i*ldc+j]; class(x) != class(y) || (class(x) == 3 && x != y) {
						t.Fatalf("%s %v: c[%d,%d] = %v, want %v", kern.name, g, i, j, x, y)
					}
				}
			}
		}
	}
}

// TestPanics checks that inconsistent arguments panic with a "gemm: " message.
func TestPanics(t *testing.T) {
	s := make([]float64, 100)
	for _, tc := range []struct {
		name string
		f    func()
	}{
		{"negative m", func() { Dgemm(false, false, -1, 2, 2, 1, s, 2, s, 2, 0, s, 2) }},
		{"lda", func() { Dgemm(false, false, 3, 3, 4, 1, s, 3, s, 3, 0, s, 3) }},
		{"ldb trans", func() { Dgemm(false, true, 3, 3, 4, 1, s, 4, s, 3, 0, s, 3) }},
		{"ldc", func() { Dgemm(false, false, 3, 5, 4, 1, s, 4, s, 5, 0, s, 4) }},
		{"short a", func() { Dgemm(false, false, 30, 3, 4, 1, s, 4, s, 3, 0, s[:90], 3) }},
		{"short c", func() { Dgemm(false, false, 3, 3, 4, 1, s, 4, s, 3, 0, s[:8], 3) }},
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

// TestNoAllocs checks that parallel products (the blocked and the few-rows path) allocate
// nothing in steady state, even with a garbage collection before every call: the scratch
// lives in free lists that collections do not empty (with sync.Pools, which they do, every
// call after a collection allocated).
func TestNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector counts allocations of its own")
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	rng := rand.New(rand.NewPCG(9, 10))
	for _, g := range []gemmCase{{m: 128, n: 256, k: 300, alpha: 1}, {m: 3, n: 512, k: 400, alpha: 1}} {
		a, lda, b, ldb, c, ldc := g.operands(rng)
		f := func() { Dgemm(false, false, g.m, g.n, g.k, 1, a, lda, b, ldb, 0, c, ldc) }
		f()
		if avg := testing.AllocsPerRun(20, func() { runtime.GC(); f() }); avg != 0 {
			t.Errorf("%d×%d×%d: %.2f allocations per call", g.m, g.n, g.k, avg)
		}
	}
}

// TestConcurrentCalls runs products from several goroutines at once (as parallel
// micro-batches in sam do), sharing the helper goroutines and pools, and checks each
// against refGemm bit for bit.
func TestConcurrentCalls(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	rng := rand.New(rand.NewPCG(11, 12))
	type item struct {
		g          gemmCase
		a, b, c, w []float64
		lda, ldb   int
		ldc        int
	}
	items := make([]item, 12)
	for i := range items {
		g := gemmCase{transA: i%2 == 1, transB: i%3 == 1, m: 40 + 13*i, n: 30 + 17*i, k: 100 + 37*i, alpha: 1.5, beta: 0.5}
		a, lda, b, ldb, c, ldc := g.operands(rng)
		w := append([]float64(nil), c...)
		refGemm(g.transA, g.transB, g.m, g.n, g.k, g.alpha, a, lda, b, ldb, g.beta, w, ldc)
		items[i] = item{g, a, b, c, w, lda, ldb, ldc}
	}
	done := make(chan int)
	for i := range items {
		go func(it *item) {
			g := it.g
			for r := 0; r < 3; r++ { // C ← α·A·B + β·C three times: check only the first
				if r == 0 {
					Dgemm(g.transA, g.transB, g.m, g.n, g.k, g.alpha, it.a, it.lda, it.b, it.ldb, g.beta, it.c, it.ldc)
					continue
				}
				x := make([]float64, len(it.c))
				Dgemm(g.transA, g.transB, g.m, g.n, g.k, g.alpha, it.a, it.lda, it.b, it.ldb, 0, x, it.ldc)
			}
			done <- 0
		}(&items[i])
	}
	for range items {
		<-done
	}
	for _, it := range items {
		for i := range it.c {
			if !sameBits(it.c[i], it.w[i]) {
				t.Fatalf("%v: c[%d] = %v, want %v", it.g, i, it.c[i], it.w[i])
			}
		}
	}
}
