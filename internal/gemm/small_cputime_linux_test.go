package gemm

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/sdeml/sdeml/internal/testutil"
)

// TestSmallCPUTime measures the few-rows path (forced up to m = 32) against the packed
// driver on one thread in thread CPU time (see TestCPUTime), on the one-sample and
// micro-batch products of the MLP 784-256-256-10, for every assembly kernel; best of 5
// batches of about 4·10⁸ flops. Run with
//
//	go test -run TestSmallCPUTime -v ./internal/gemm/ -args -gemm.cputime
func TestSmallCPUTime(t *testing.T) {
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
	for _, r := range []int{1, 2, 4, 8, 16, 32} {
		shapes = append(shapes, shape{"fwd", false, true, r, 256, 784}, shape{"fwd", false, true, r, 256, 256},
			shape{"fwd", false, true, r, 10, 256}, shape{"dX", false, false, r, 256, 256})
	}
	for _, s := range shapes {
		g := gemmCase{transA: s.transA, transB: s.transB, m: s.m, n: s.n, k: s.k, alpha: 1}
		a, lda, bb, ldb, c, ldc := g.operands(rng)
		flops := 2 * float64(s.m*s.n*s.k)
		reps := int(4e8/flops) + 1
		for _, base := range kernels {
			if base.name == "generic" {
				continue
			}
			line := fmt.Sprintf("%-7s %s/%dx%dx%d", base.name, s.op, s.m, s.k, s.n)
			for _, impl := range []string{"small", "packed"} {
				kern := base
				kern.smallNT, kern.smallNN, kern.smallTN = 32, 32, 0
				if impl == "packed" {
					kern.smallNT, kern.smallNN = 0, 0
				}
				best := time.Hour
				for batch := 0; batch < 5; batch++ {
					t0 := testutil.ThreadCPU()
					for i := 0; i < reps; i++ {
						dgemm(kern, s.transA, s.transB, s.m, s.n, s.k, 1, a, lda, bb, ldb, 0, c, ldc)
					}
					best = min(best, (testutil.ThreadCPU()-t0)/time.Duration(reps))
				}
				line += fmt.Sprintf("  %s %7.1f us %6.1f GFLOP/s", impl, float64(best)/1e3, flops/float64(best))
			}
			t.Log(line)
		}
	}
}
