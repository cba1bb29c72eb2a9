package ot

import (
	"flag"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/sdeml/sdeml/internal/testutil"
)

var otCPUTime = flag.Bool("ot.cputime", false, "measure W1 at m = 2000 in CPU time of the thread (TestW1CPUTime)")

// TestW1CPUTime reports exact W1 (cost matrix + SolveSparse) and the dense Solve between two
// uniform 2000-point samples in 2-D, in CPU time of the working thread. Run with
//
//	go test -run TestW1CPUTime -v ./internal/ot/ -args -ot.cputime
//
// and compare with internal/ot/testdata/lsap_peer_cputime.py.
func TestW1CPUTime(t *testing.T) {
	if !*otCPUTime {
		t.Skip("enable with -ot.cputime")
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	rng := rand.New(rand.NewPCG(1, 2))
	const m = 2000
	var ws Workspace
	for rep := 0; rep < 3; rep++ {
		x, y := uniformSample(rng, m, 2), uniformSample(rng, m, 2)
		c0, w0 := testutil.ThreadCPU(), time.Now()
		w, err := W1(x, y, 2, &ws)
		if err != nil {
			t.Fatal(err)
		}
		c1, w1 := testutil.ThreadCPU(), time.Now()
		perm := make([]int, m)
		var s Solver
		dense, _ := s.Solve(perm, ws.cost[:m*m], m)
		t.Logf("W1 %.5f: thread CPU %v (wall %v); dense Solve alone: thread CPU %v, W1 %.5f",
			w, c1-c0, w1.Sub(w0), testutil.ThreadCPU()-c1, dense/m)
	}
}
