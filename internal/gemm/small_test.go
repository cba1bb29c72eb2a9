package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
)

// forcedSmall returns every kernel twice: with its own few-rows limits, and with the
// few-rows path forced up to m = 40 (k = 16 for op(A) = Aᵀ), so that the path's code is
// tested on every kernel whatever limits BenchmarkSmall chose.
func forcedSmall() []kernel {
	ks := append([]kernel(nil), kernels...)
	for _, k := range kernels {
		k.name += "/forced"
		k.smallNT, k.smallNN, k.smallTN = 40, 40, 16
		ks = append(ks, k)
	}
	return ks
}

// TestSmallMatchesReference checks the few-rows path bit for bit against refGemm on every
// kernel, for m = 1…17, 23, 32, 33, 40, 41 (past every kernel's limits, so the packed
// driver's answer at the boundaries is checked too, and every remainder of the row chunks
// of 8), both transposes of B (and of A, which
// falls back to the packed driver), column counts on both sides of the kernel widths 16 and
// 24, depths on both sides of the 8-deep transposed blocks and of kc = 256, padded leading
// dimensions and the α/β special values (β = 0 must not read C, which holds NaN padding).
func TestSmallMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	ns := []int{1, 5, 15, 16, 17, 24, 25, 33, 48, 49, 70}
	ks := []int{1, 3, 7, 8, 9, 16, 31, 255, 256, 257, 264, 521}
	alphas := []float64{1, -1, 0.5, 2.5}
	betas := []float64{0, 1, -1, 0.5, math.Copysign(0, -1)}
	for _, kern := range forcedSmall() {
		for _, m := range []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 23, 32, 33, 40, 41} {
			for trial := 0; trial < 24; trial++ {
				g := gemmCase{transA: trial%8 == 7, transB: trial%2 == 0,
					m: m, n: ns[rng.IntN(len(ns))], k: ks[rng.IntN(len(ks))],
					alpha: alphas[rng.IntN(len(alphas))], beta: betas[rng.IntN(len(betas))],
					padA: rng.IntN(3), padB: rng.IntN(3), padC: rng.IntN(3)}
				a, lda, b, ldb, c, ldc := g.operands(rng)
				if g.beta == 0 {
					for i := range c {
						c[i] = math.NaN()
					}
				}
				want := append([]float64(nil), c...)
				refGemm(g.transA, g.transB, g.m, g.n, g.k, g.alpha, a, lda, b, ldb, g.beta, want, ldc)
				dgemm(kern, g.transA, g.transB, g.m, g.n, g.k, g.alpha, a, lda, b, ldb, g.beta, c, ldc)
				for i := 0; i < g.m; i++ {
					for j := 0; j < g.n; j++ {
						if x, y := c[i*ldc+j], want[i*ldc+j]; !sameBits(x, y) {
							t.Fatalf("kernel %s, %v: c[%d,%d] = %v, want %v", kern.name, g, i, j, x, y)
						}
					}
				}
			}
		}
	}
}

// TestSmallRankKMatchesReference checks the few-depth case of the path (op(A) = Aᵀ, op(B) =
// B, k ≤ kernel.smallTN: C = α·Σ_p (column p of Aᵀ)(row p of B) + β·C, the weight gradient
// of a micro-batch) bit for bit against refGemm on every kernel, for k = 1…17 (past every
// limit), random row counts 1…40 (every remainder of the row chunks of 8) and 130, and
// padded leading dimensions.
func TestSmallRankKMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	ns := []int{1, 5, 23, 24, 25, 49, 70}
	betas := []float64{0, 1, -1, 0.5}
	for _, kern := range forcedSmall() {
		for k := 1; k <= 17; k++ {
			for trial := 0; trial < 6; trial++ {
				g := gemmCase{transA: true, m: []int{1 + rng.IntN(40), 130}[trial/5], n: ns[rng.IntN(len(ns))], k: k,
					alpha: []float64{1, -0.5}[trial%2], beta: betas[rng.IntN(len(betas))],
					padA: rng.IntN(3), padB: rng.IntN(3), padC: rng.IntN(3)}
				a, lda, b, ldb, c, ldc := g.operands(rng)
				want := append([]float64(nil), c...)
				refGemm(g.transA, g.transB, g.m, g.n, g.k, g.alpha, a, lda, b, ldb, g.beta, want, ldc)
				dgemm(kern, g.transA, g.transB, g.m, g.n, g.k, g.alpha, a, lda, b, ldb, g.beta, c, ldc)
				for i := range c {
					if !sameBits(c[i], want[i]) {
						t.Fatalf("kernel %s, %v: c[%d] = %v, want %v", kern.name, g, i, c[i], want[i])
					}
				}
			}
		}
	}
}

// TestSmallNonFinite puts NaN and ±Inf into A, B and C on the few-rows path and checks every
// result bit for bit against refGemm (IEEE rules, including 0·Inf = NaN; NaN payloads
// compare by class).
func TestSmallNonFinite(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	specials := []float64{math.NaN(), math.Inf(1), math.Inf(-1), 0}
	for _, kern := range forcedSmall() {
		for trial := 0; trial < 60; trial++ {
			g := gemmCase{transB: trial%2 == 0, m: 1 + rng.IntN(8), n: 1 + rng.IntN(60),
				k: 1 + rng.IntN(40), alpha: 1.5, beta: []float64{0, 1, 2}[trial%3]}
			if trial%5 == 4 { // the few-depth case
				g.transA, g.transB, g.m, g.k = true, false, 1+rng.IntN(40), 1+rng.IntN(8)
			}
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
					x, y := c[i*ldc+j], want[i*ldc+j]
					if !(sameBits(x, y) || (math.IsNaN(x) && math.IsNaN(y))) {
						t.Fatalf("%s %v: c[%d,%d] = %v, want %v", kern.name, g, i, j, x, y)
					}
				}
			}
		}
	}
}

// TestSmallParallelSplit checks that a few-rows product large enough to be split into
// column tasks gives the same bits with GOMAXPROCS 1 and 2, and the same as refGemm.
func TestSmallParallelSplit(t *testing.T) {
	rng := rand.New(rand.NewPCG(25, 26))
	for _, transB := range []bool{true, false} {
		g := gemmCase{transB: transB, m: 8, n: 300, k: 784, alpha: 1, beta: 1, padA: 1, padB: 2, padC: 1}
		a, lda, b, ldb, c0, ldc := g.operands(rng)
		want := append([]float64(nil), c0...)
		refGemm(false, transB, g.m, g.n, g.k, 1, a, lda, b, ldb, 1, want, ldc)
		for _, procs := range []int{1, 2} {
			old := runtime.GOMAXPROCS(procs)
			c := append([]float64(nil), c0...)
			Dgemm(false, transB, g.m, g.n, g.k, 1, a, lda, b, ldb, 1, c, ldc)
			runtime.GOMAXPROCS(old)
			for i := range c {
				if !sameBits(c[i], want[i]) {
					t.Fatalf("transB=%v GOMAXPROCS=%d: c[%d] = %v, want %v", transB, procs, i, c[i], want[i])
				}
			}
		}
	}
}

// TestSmallNoAllocs checks that few-rows products (serial and split into tasks) allocate
// nothing in steady state; as in TestNoAllocs, fewer than 0.05 per call on average.
func TestSmallNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop items at random")
	}
	rng := rand.New(rand.NewPCG(27, 28))
	for _, g := range []gemmCase{{transB: true, m: 1, n: 256, k: 784, alpha: 1}, {m: 4, n: 784, k: 256, alpha: 1},
		{transB: true, m: 8, n: 256, k: 784, alpha: 1}, {transA: true, m: 256, n: 784, k: 16, alpha: 1}} {
		a, lda, b, ldb, c, ldc := g.operands(rng)
		f := func() { Dgemm(g.transA, g.transB, g.m, g.n, g.k, 1, a, lda, b, ldb, 1, c, ldc) }
		f()
		if avg := testing.AllocsPerRun(50, f); avg >= 0.05 {
			t.Fatalf("%v: %.2f allocations per call", g, avg)
		}
	}
}

// BenchmarkSmall times the products of one-sample and micro-batch passes of the MLP
// 784-256-256-10 (forward Z = X·Wᵀ and input gradient dX = dZ·W with few rows, weight
// gradient dW = dZᵀ·X with small depth) on every kernel, on the few-rows path (impl=small)
// and on the packed driver (impl=packed), in GFLOP/s. Names are op/m×k×n.
func BenchmarkSmall(b *testing.B) {
	rng := rand.New(rand.NewPCG(29, 30))
	for _, kern := range kernels {
		for _, s := range []struct {
			op     string
			transB bool
			n, k   int
		}{{"fwd", true, 256, 784}, {"fwd", true, 256, 256}, {"fwd", true, 10, 256}, {"dX", false, 256, 256}, {"dX", false, 784, 256},
			{"dW", false, 784, 256}, {"dW", false, 256, 256}} {
			for _, r := range []int{1, 2, 4, 8, 16} {
				// m = r rows, except for dW = dZᵀ·X, which is 256×n with depth k = r.
				transA, m, k := false, r, s.k
				if s.op == "dW" {
					transA, m, k = true, s.k, r
				}
				g := gemmCase{transA: transA, transB: s.transB, m: m, n: s.n, k: k, alpha: 1}
				a, lda, bb, ldb, c, ldc := g.operands(rng)
				flops := 2 * float64(m*s.n*k)
				for _, impl := range []string{"small", "packed"} {
					kn := kern
					kn.smallNT, kn.smallNN, kn.smallTN = 0, 0, 0
					if impl == "small" {
						kn.smallNT, kn.smallNN, kn.smallTN = 16, 16, 16
					}
					b.Run(fmt.Sprintf("%s/%s/%dx%dx%d/impl=%s", kern.name, s.op, m, k, s.n, impl), func(b *testing.B) {
						for b.Loop() {
							dgemm(kn, transA, s.transB, m, s.n, k, 1, a, lda, bb, ldb, 0, c, ldc)
						}
						b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
					})
				}
			}
		}
	}
}
