package reflected

import (
	"flag"
	"runtime"
	"testing"
	"time"

	"github.com/sdeml/sdeml/internal/testutil"
)

var kernelCPUTime = flag.Bool("kernel.cputime", false, "measure Score1D in CPU time of the thread (TestKernelCPUTime)")

// TestKernelCPUTime reports Score1D's cost in CPU time of the working thread, which on a
// shared machine is steadier than wall-clock time: best of 5 passes of 100 × 16384
// evaluations, on the BenchmarkScore1D workload and by time range. Run with
//
//	go test -run TestKernelCPUTime -v ./reflected/ -args -kernel.cputime
//
// and compare with reflected/testdata/kernel_peer_cputime.py.
func TestKernelCPUTime(t *testing.T) {
	if !*kernelCPUTime {
		t.Skip("enable with -kernel.cputime")
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	const n = 1 << 14
	for _, r := range [][2]float64{{1e-4, 2}, {1e-8, 1e-4}, {1e-4, 1e-2}, {1e-2, SwitchTime}, {SwitchTime, 1e4}} {
		x, y, tt := benchPoints(n, r[0], r[1])
		var s float64
		best := time.Hour
		for rep := 0; rep < 5; rep++ {
			c0 := testutil.ThreadCPU()
			for k := 0; k < 100; k++ {
				for i := 0; i < n; i++ {
					s += Score1D(x[i], y[i], tt[i])
				}
			}
			if d := testutil.ThreadCPU() - c0; d < best {
				best = d
			}
		}
		benchSink = s
		t.Logf("Score1D, t log-uniform in [%.3g, %.3g]: %.1f ns/eval (thread CPU)", r[0], r[1], float64(best.Nanoseconds())/(100*n))
	}
}
