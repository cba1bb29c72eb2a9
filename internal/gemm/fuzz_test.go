package gemm

import (
	"math/rand/v2"
	"testing"
)

// FuzzDgemm checks every kernel (also with the few-rows path forced, see forcedSmall) bit
// for bit against refGemm on fuzzed shapes, transposes, strides and scalars. Sizes are kept
// small (m, n < 64, k < 600) so each input runs in milliseconds; k still crosses the
// kc = 256 block boundary.
func FuzzDgemm(f *testing.F) {
	f.Add(uint8(1), uint8(1), uint16(1), uint8(0), uint64(1))
	f.Add(uint8(9), uint8(25), uint16(257), uint8(0xff), uint64(2))
	f.Add(uint8(33), uint8(10), uint16(513), uint8(0x5a), uint64(3))
	f.Add(uint8(8), uint8(24), uint16(256), uint8(0x03), uint64(4))
	f.Fuzz(func(t *testing.T, m8, n8 uint8, k16 uint16, flags uint8, seed uint64) {
		alphas := []float64{1, -2, 0.5, 0}
		betas := []float64{0, 1, -0.5, 3}
		g := gemmCase{
			transA: flags&1 != 0, transB: flags&2 != 0,
			m: int(m8 % 64), n: int(n8 % 64), k: int(k16 % 600),
			alpha: alphas[flags>>2&3], beta: betas[flags>>4&3],
			padA: int(flags >> 6), padB: int(flags>>5) & 1, padC: int(flags>>7) * 3,
		}
		rng := rand.New(rand.NewPCG(seed, 99))
		a, lda, b, ldb, c0, ldc := g.operands(rng)
		want := append([]float64(nil), c0...)
		refGemm(g.transA, g.transB, g.m, g.n, g.k, g.alpha, a, lda, b, ldb, g.beta, want, ldc)
		packAll = seed&1 == 1 // both the in-place and the packed reading of op(A)
		defer func() { packAll = false }()
		for _, kern := range forcedSmall() {
			c := append([]float64(nil), c0...)
			dgemm(kern, g.transA, g.transB, g.m, g.n, g.k, g.alpha, a, lda, b, ldb, g.beta, c, ldc)
			for i := range c {
				if !sameBits(c[i], want[i]) {
					t.Fatalf("kernel %s, %v: c[%d] = %v, want %v", kern.name, g, i, c[i], want[i])
				}
			}
		}
	})
}
