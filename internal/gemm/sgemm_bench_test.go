package gemm

import (
	"math/rand/v2"
	"testing"

	"github.com/sdeml/sdeml/internal/cpu"
)

// BenchmarkSgemm times Sgemm on the shapes of BenchmarkDgemm and reports GFLOP/s (2·m·n·k
// flops per product); the kernel level ends the names.
func BenchmarkSgemm(b *testing.B) {
	level := "level=" + cpu.Active().String()
	rng := rand.New(rand.NewPCG(1, 1))
	for _, s := range benchShapes {
		g := gemmCase{transA: s.transA, transB: s.transB, m: s.m, n: s.n, k: s.k, alpha: 1}
		a64, lda, b64, ldb, c64, ldc := g.operands(rng)
		a, bb, c := to32(a64), to32(b64), to32(c64)
		flops := 2 * float64(s.m*s.n*s.k)
		b.Run(s.name+"/"+level, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Sgemm(s.transA, s.transB, s.m, s.n, s.k, 1, a, lda, bb, ldb, 0, c, ldc)
			}
			b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
