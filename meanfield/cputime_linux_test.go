package meanfield

import (
	"flag"
	"runtime"
	"testing"
	"time"

	"github.com/sdeml/sdeml/internal/testutil"
)

var cpuTime = flag.Bool("meanfield.cputime", false, "run TestStepCPUTime: single-thread CPU time per step")

// TestStepCPUTime measures the steps of BenchmarkStep and BenchmarkMNISTStep on
// one thread (GOMAXPROCS = 1, goroutine locked to its thread) in that thread's CPU time,
// which, unlike wall-clock time, does not count the time the thread waits for a core on a
// loaded machine. Each figure is the best of 40 batches of 10 steps. Compare with
// docs/bench/meanfield_peer.py --threads 1. Run with
//
//	go test -run TestStepCPUTime -v ./meanfield/ -args -meanfield.cputime
func TestStepCPUTime(t *testing.T) {
	if !*cpuTime {
		t.Skip("needs -meanfield.cputime")
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	for _, c := range benchCases(t) {
		step := 0
		c.tr.Step(c.ps, 0) // scratch and streams
		best := time.Hour
		for range 40 {
			t0 := testutil.ThreadCPU()
			for range 10 {
				if _, err := c.tr.Step(c.ps, step); err != nil {
					t.Fatal(err)
				}
				step++
				if c.w0 != nil {
					copy(c.ps.W, c.w0)
				}
			}
			best = min(best, (testutil.ThreadCPU()-t0)/10)
		}
		t.Logf("%-28s %8.1f us/step (thread CPU time, 1 thread)", c.label(), float64(best)/1e3)
	}
}
