package gemm

import (
	"math/rand/v2"
	"testing"

	"github.com/sdeml/sdeml/internal/cpu"
)

// BenchmarkSgemm times Sgemm on the shapes of BenchmarkDgemm and reports GFLOP/s (2·m·n·k
// flops per product); the kernel level ends the names.
func BenchmarkSgemm(b *testing.B) { benchSgemm(b, benchShapes) }

// f32StepShapes are the Sgemm calls of one nn.Supervised32 step of the MLP 784-256-256-10
// at batch 128 (feature-major activations): forward Zᵀ = W·Aᵀ, weight gradient Δ·A, input
// errors Wᵀ·Δ.
var f32StepShapes = []benchShape{
	{"f32step/fwd/256x128x784", false, false, 256, 128, 784},
	{"f32step/fwd/256x128x256", false, false, 256, 128, 256},
	{"f32step/fwd/10x128x256", false, false, 10, 128, 256},
	{"f32step/dW/10x256x128", false, true, 10, 256, 128},
	{"f32step/dW/256x256x128", false, true, 256, 256, 128},
	{"f32step/dW/256x784x128", false, true, 256, 784, 128},
	{"f32step/dX/256x128x10", true, false, 256, 128, 10},
	{"f32step/dX/256x128x256", true, false, 256, 128, 256},
}

// BenchmarkSgemmStep times Sgemm on the products of one nn.Supervised32 step (their sum
// is the step's product time); run it with -cpu 1,2 to see how they share two threads.
func BenchmarkSgemmStep(b *testing.B) { benchSgemm(b, f32StepShapes) }

// benchSgemm times Sgemm on shapes and reports GFLOP/s (2·m·n·k flops per product); the
// kernel level ends the names.
func benchSgemm(b *testing.B, shapes []benchShape) {
	level := "level=" + cpu.Active().String()
	rng := rand.New(rand.NewPCG(1, 1))
	for _, s := range shapes {
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
