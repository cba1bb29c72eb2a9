package gemm

import (
	"flag"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/sdeml/sdeml/internal/testutil"
)

var (
	cpuTime  = flag.Bool("gemm.cputime", false, "run TestCPUTime: single-thread GFLOP/s measured in thread CPU time")
	cpuFlops = flag.Float64("gemm.cpuflops", 4e9, "flops per timed batch of TestCPUTime")
)

// TestCPUTime measures Dgemm on one thread (GOMAXPROCS = 1, goroutine locked to its thread)
// in CPU time of that thread, which, unlike wall-clock time, does not count the time the
// thread waits for a core on a loaded machine. Each figure is the best of 5 batches of about
// 4·10⁹ flops (-gemm.cpuflops). Compare with testdata/torch_matmul.py --threads 1 --cpu-time. Run with
//
//	go test -run TestCPUTime -v ./internal/gemm/ -args -gemm.cputime
func TestCPUTime(t *testing.T) {
	if !*cpuTime {
		t.Skip("needs -gemm.cputime")
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	rng := rand.New(rand.NewPCG(1, 1))
	for _, s := range benchShapes {
		g := gemmCase{transA: s.transA, transB: s.transB, m: s.m, n: s.n, k: s.k, alpha: 1}
		a, lda, bb, ldb, c, ldc := g.operands(rng)
		flops := 2 * float64(s.m*s.n*s.k)
		reps := int(*cpuFlops/flops) + 1
		best := time.Hour
		for batch := 0; batch < 5; batch++ {
			t0 := testutil.ThreadCPU()
			for i := 0; i < reps; i++ {
				Dgemm(s.transA, s.transB, s.m, s.n, s.k, 1, a, lda, bb, ldb, 0, c, ldc)
			}
			best = min(best, (testutil.ThreadCPU()-t0)/time.Duration(reps))
		}
		t.Logf("%-18s %9.1f us %7.1f GFLOP/s (thread CPU time)", s.name, float64(best)/1e3, flops/float64(best))
	}
}

// TestKernelCPUTime is BenchmarkKernel in thread CPU time: one microkernel call per
// kernel on a full tile with kc = 256 (packed panels in L1/L2), best of 5 batches. Run with
//
//	go test -run TestKernelCPUTime -v ./internal/gemm/ -args -gemm.cputime
func TestKernelCPUTime(t *testing.T) {
	if !*cpuTime {
		t.Skip("needs -gemm.cputime")
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
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
		flops := 2 * float64(kc*kern.mr*kern.nr)
		reps := int(2e9/flops) + 1
		best := time.Hour
		for batch := 0; batch < 5; batch++ {
			t0 := testutil.ThreadCPU()
			for i := 0; i < reps; i++ {
				kern.fnT(kc, a, kern.mr, bp, c, kern.nr, 1, 1)
			}
			best = min(best, (testutil.ThreadCPU()-t0)/time.Duration(reps))
		}
		t.Logf("%-14s %dx%-3d %7.1f GFLOP/s (thread CPU time)", kern.name, kern.mr, kern.nr, flops/float64(best))
	}
}

// TestSgemmCPUTime is TestCPUTime for Sgemm (float32), plus the products of one
// nn.Supervised32 step (f32StepShapes) and each float32 kernel alone on a full tile with
// kc = 256 (packed panels in L1/L2). Run with
//
//	go test -run TestSgemmCPUTime -v ./internal/gemm/ -args -gemm.cputime
func TestSgemmCPUTime(t *testing.T) {
	if !*cpuTime {
		t.Skip("needs -gemm.cputime")
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	for _, kern := range allKernels32() {
		a, bp, c := make([]float32, kc*kern.mr), make([]float32, kc*kern.nr), make([]float32, kern.mr*kern.nr)
		for i := range a {
			a[i] = 1e-3 * float32(i%7)
		}
		for i := range bp {
			bp[i] = 1e-3 * float32(i%5)
		}
		flops := 2 * float64(kc*kern.mr*kern.nr)
		reps := int(*cpuFlops/flops) + 1
		best := time.Hour
		for batch := 0; batch < 5; batch++ {
			t0 := testutil.ThreadCPU()
			for i := 0; i < reps; i++ {
				kern.fnT(kc, a, kern.mr, bp, c, kern.nr, 1, 1)
			}
			best = min(best, (testutil.ThreadCPU()-t0)/time.Duration(reps))
		}
		t.Logf("kernel %-8s %dx%-3d %7.1f GFLOP/s (thread CPU time)", kern.name, kern.mr, kern.nr, flops/float64(best))
	}
	rng := rand.New(rand.NewPCG(1, 1))
	for _, s := range slices.Concat(benchShapes, f32StepShapes) {
		g := gemmCase{transA: s.transA, transB: s.transB, m: s.m, n: s.n, k: s.k, alpha: 1}
		a64, lda, b64, ldb, c64, ldc := g.operands(rng)
		a, bb, c := to32(a64), to32(b64), to32(c64)
		flops := 2 * float64(s.m*s.n*s.k)
		reps := int(*cpuFlops/flops) + 1
		best := time.Hour
		for batch := 0; batch < 5; batch++ {
			t0 := testutil.ThreadCPU()
			for i := 0; i < reps; i++ {
				Sgemm(s.transA, s.transB, s.m, s.n, s.k, 1, a, lda, bb, ldb, 0, c, ldc)
			}
			best = min(best, (testutil.ThreadCPU()-t0)/time.Duration(reps))
		}
		t.Logf("%-26s %9.1f us %7.1f GFLOP/s (thread CPU time, float32)", s.name, float64(best)/1e3, flops/float64(best))
	}
}
