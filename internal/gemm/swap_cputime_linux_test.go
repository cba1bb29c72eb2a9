package gemm

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/sdeml/sdeml/internal/testutil"
)

// TestSwapCPUTime measures the transposed product (swap.go) against the direct packed
// product on one thread in thread CPU time (see TestCPUTime), for every kernel, on products
// with few rows and many columns (all transposes, though Dgemm takes it only for op(A) = A,
// op(B) = Bᵀ); best of 5 batches of about 4·10⁸ flops. Both sides run the packed driver
// (not the few-rows path). Run with
//
//	go test -run TestSwapCPUTime -v ./internal/gemm/ -args -gemm.cputime
func TestSwapCPUTime(t *testing.T) {
	if !*cpuTime {
		t.Skip("needs -gemm.cputime")
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	rng := rand.New(rand.NewPCG(1, 1))
	type shape struct {
		op             string
		transA, transB bool
		m, n, k        int
	}
	var shapes []shape
	for _, r := range []int{4, 8, 10, 12, 16, 24, 32, 48} {
		shapes = append(shapes, shape{"fwd", false, true, r, 256, 784}, shape{"fwd", false, true, r, 256, 256},
			shape{"dX", false, false, r, 784, 256}, shape{"dW", true, false, r, 256, 128})
	}
	for _, s := range shapes {
		g := gemmCase{transA: s.transA, transB: s.transB, m: s.m, n: s.n, k: s.k, alpha: 1}
		a, lda, bb, ldb, c, ldc := g.operands(rng)
		flops := 2 * float64(s.m*s.n*s.k)
		reps := int(4e8/flops) + 1
		for _, base := range kernels {
			line := fmt.Sprintf("%-8s %s/%dx%dx%d", base.name, s.op, s.m, s.k, s.n)
			for _, impl := range []string{"swap", "direct"} {
				best := time.Hour
				for batch := 0; batch < 5; batch++ {
					t0 := testutil.ThreadCPU()
					for i := 0; i < reps; i++ {
						if impl == "swap" {
							runSwapped(base, s.transA, s.transB, s.m, s.n, s.k, 1, a, lda, bb, ldb, 0, c, ldc)
						} else {
							run(base, s.transA, s.transB, s.m, s.n, s.k, 1, a, lda, bb, ldb, 0, c, ldc)
						}
					}
					best = min(best, (testutil.ThreadCPU()-t0)/time.Duration(reps))
				}
				line += fmt.Sprintf("  %s %7.1f us %6.1f GFLOP/s", impl, float64(best)/1e3, flops/float64(best))
			}
			t.Log(line)
		}
	}
}
