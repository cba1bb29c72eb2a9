package gemm

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
)

// TestSwapMatchesReference checks the transposed product (swap.go) bit for bit against
// refGemm on every kernel and its narrow variant, for all four transposes (Dgemm takes it
// only for op(A) = A, op(B) = Bᵀ, but runSwapped is correct for any), m on both sides of the
// tile heights, n on both sides of the tile widths, k on both sides of kc = 256, padded
// leading dimensions and the α/β special values (β = ±0 must not read C, which holds NaN).
func TestSwapMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 42))
	ms := []int{1, 3, 4, 5, 8, 10, 12, 16, 17, 32}
	ns := []int{1, 7, 13, 64, 100, 256}
	ks := []int{1, 9, 255, 256, 257, 600}
	alphas := []float64{1, -1, 0.5, 2.5}
	betas := []float64{0, 1, -1, 0.5, math.Copysign(0, -1)}
	defer func() { packAll = false }()
	for _, kern := range allKernels() {
		for trial := 0; trial < 80; trial++ {
			g := gemmCase{transA: trial%4 >= 2, transB: trial%2 == 1,
				m: ms[rng.IntN(len(ms))], n: ns[rng.IntN(len(ns))], k: ks[rng.IntN(len(ks))],
				alpha: alphas[rng.IntN(len(alphas))], beta: betas[rng.IntN(len(betas))],
				padA: rng.IntN(3), padB: rng.IntN(3), padC: rng.IntN(3)}
			packAll = trial%3 == 0
			a, lda, b, ldb, c, ldc := g.operands(rng)
			if g.beta == 0 {
				for i := range c {
					c[i] = math.NaN()
				}
			}
			want := append([]float64(nil), c...)
			refGemm(g.transA, g.transB, g.m, g.n, g.k, g.alpha, a, lda, b, ldb, g.beta, want, ldc)
			runSwapped(kern, g.transA, g.transB, g.m, g.n, g.k, g.alpha, a, lda, b, ldb, g.beta, c, ldc)
			for i := 0; i < g.m; i++ {
				for j := 0; j < ldc && (j < g.n || i < g.m-1); j++ {
					if x, y := c[i*ldc+j], want[i*ldc+j]; !sameBits(x, y) {
						t.Fatalf("kernel %s, packAll=%v, %v: c[%d,%d] = %v, want %v", kern.name, packAll, g, i, j, x, y)
					}
				}
			}
		}
	}
}

// TestSwapTaken checks that Dgemm takes the transposed product on the m-SAM micro-batch
// forward product (fwd/16x784x256, the case it is for) and gives there the same bits as
// refGemm and as the direct packed product, for GOMAXPROCS 1 and 2 and β = 0 and 0.5.
func TestSwapTaken(t *testing.T) {
	if !useSwap(false, true, 16, 256, 784) || useSwap(false, false, 16, 256, 784) || useSwap(false, true, 128, 256, 784) {
		t.Fatal("useSwap: want the transposed product for fwd/16x784x256 only")
	}
	rng := rand.New(rand.NewPCG(43, 44))
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, beta := range []float64{0, 0.5} {
		g := gemmCase{transB: true, m: 16, n: 256, k: 784, alpha: 1, beta: beta, padC: 1}
		a, lda, b, ldb, c0, ldc := g.operands(rng)
		want := append([]float64(nil), c0...)
		refGemm(false, true, g.m, g.n, g.k, 1, a, lda, b, ldb, beta, want, ldc)
		direct := append([]float64(nil), c0...)
		run(active, false, true, g.m, g.n, g.k, 1, a, lda, b, ldb, beta, direct, ldc)
		for _, procs := range []int{1, 2} {
			runtime.GOMAXPROCS(procs)
			c := append([]float64(nil), c0...)
			Dgemm(false, true, g.m, g.n, g.k, 1, a, lda, b, ldb, beta, c, ldc)
			for i := range c {
				if !sameBits(c[i], want[i]) || !sameBits(c[i], direct[i]) {
					t.Fatalf("β=%v GOMAXPROCS=%d: c[%d] = %v, reference %v, direct %v", beta, procs, i, c[i], want[i], direct[i])
				}
			}
		}
	}
}
