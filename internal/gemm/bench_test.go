package gemm

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/sdeml/sdeml/internal/cpu"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// benchShape is one product of the benchmarks: C (m×n) = op(A)·op(B) with depth k.
type benchShape struct {
	name           string
	transA, transB bool
	m, n, k        int
}

// benchShapes are the products of one training step of the MLP 784-256-256-10 at batch 128
// in nn's layout (weights W stored out×in): forward Z = X·Wᵀ, weight gradient dW = dZᵀ·X,
// input gradient dX = dZ·W.
var benchShapes = []benchShape{
	{"fwd/128x784x256", false, true, 128, 256, 784},
	{"fwd/128x256x256", false, true, 128, 256, 256},
	{"fwd/128x256x10", false, true, 128, 10, 256},
	{"dW/256x128x784", true, false, 256, 784, 128},
	{"dW/256x128x256", true, false, 256, 256, 128},
	{"dW/10x128x256", true, false, 10, 256, 128},
	{"dX/128x256x784", false, false, 128, 784, 256},
	{"dX/128x256x256", false, false, 128, 256, 256},
	// micro-batches of m-SAM (m = 16 and m = 4)
	{"fwd/16x784x256", false, true, 16, 256, 784},
	{"dW/256x16x784", true, false, 256, 784, 16},
	{"fwd/4x784x256", false, true, 4, 256, 784},
	{"dW/256x4x784", true, false, 256, 784, 4},
	// the study CNN (nn's BenchmarkCNNStep), one chunk of 8 samples: conv 1→16 (784 pixels
	// per sample, 9 taps), conv 16→32 (196 pixels, 144 taps), dense 1568→10
	{"cnn/conv1-fwd/6272x9x16", false, true, 6272, 16, 9},
	{"cnn/conv1-dW/16x6272x9", true, false, 16, 9, 6272},
	{"cnn/conv2-fwd/1568x144x32", false, true, 1568, 32, 144},
	{"cnn/conv2-dW/144x1568x32", true, false, 144, 32, 1568},
	{"cnn/conv2-dX/1568x32x144", false, false, 1568, 144, 32},
	{"cnn/dense-dW/1568x8x10", true, false, 1568, 10, 8},
}

// BenchmarkDgemm times Dgemm and gonum's blas64.Gemm on the MLP shapes and reports GFLOP/s
// (2·m·n·k flops per product). The kernel level (internal/cpu, SDEML_CPU) ends the names of
// the sdeml rows.
func BenchmarkDgemm(b *testing.B) {
	level := "level=" + cpu.Active().String()
	rng := rand.New(rand.NewPCG(1, 1))
	tr := map[bool]blas.Transpose{false: blas.NoTrans, true: blas.Trans}
	for _, s := range benchShapes {
		g := gemmCase{transA: s.transA, transB: s.transB, m: s.m, n: s.n, k: s.k, alpha: 1}
		a, lda, bb, ldb, c, ldc := g.operands(rng)
		flops := 2 * float64(s.m*s.n*s.k)
		b.Run(s.name+"/impl=gemm/"+level, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Dgemm(s.transA, s.transB, s.m, s.n, s.k, 1, a, lda, bb, ldb, 0, c, ldc)
			}
			b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
		b.Run(s.name+"/impl=gemm-packall/"+level, func(b *testing.B) {
			packAll = true
			defer func() { packAll = false }()
			for b.Loop() {
				Dgemm(s.transA, s.transB, s.m, s.n, s.k, 1, a, lda, bb, ldb, 0, c, ldc)
			}
			b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
		ar, ac := s.m, s.k
		if s.transA {
			ar, ac = s.k, s.m
		}
		br, bc := s.k, s.n
		if s.transB {
			br, bc = s.n, s.k
		}
		A := blas64.General{Rows: ar, Cols: ac, Stride: lda, Data: a}
		B := blas64.General{Rows: br, Cols: bc, Stride: ldb, Data: bb}
		C := blas64.General{Rows: s.m, Cols: s.n, Stride: ldc, Data: c}
		b.Run(s.name+"/impl=gonum", func(b *testing.B) {
			for b.Loop() {
				blas64.Gemm(tr[s.transA], tr[s.transB], 1, A, B, 0, C)
			}
			b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

// BenchmarkKernel times one microkernel call per kernel on a full tile with kc = 256,
// in GFLOP/s of a single core (the packed panels stay in L1/L2).
func BenchmarkKernel(b *testing.B) {
	for _, kern := range allKernels() {
		a := make([]float64, kc*kern.mr)
		bp := make([]float64, kc*kern.nr)
		c := make([]float64, kern.mr*kern.nr)
		for i := range a {
			a[i] = 1e-3 * float64(i%7)
		}
		for i := range bp {
			bp[i] = 1e-3 * float64(i%5)
		}
		b.Run(fmt.Sprintf("%s/%dx%d", kern.name, kern.mr, kern.nr), func(b *testing.B) {
			for b.Loop() {
				kern.fnT(kc, a, kern.mr, bp, c, kern.nr, 1, 1)
			}
			b.ReportMetric(2*float64(kc*kern.mr*kern.nr)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
