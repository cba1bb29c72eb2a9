package ot

import (
	"flag"
	"runtime"
	"testing"
	"time"

	"github.com/sdeml/sdeml/internal/testutil"
)

var otAlt = flag.Int("ot.alt", 0, "size m for TestAlternativesCPUTime (0: skip)")

// TestAlternativesCPUTime prints, for every benchmark family at m = -ot.alt, the thread
// CPU time of SolveSparse and of each alternative (minimum of 2, interleaved). Run with
//
//	go test -run TestAlternativesCPUTime -v -timeout 60m ./internal/ot/ -args -ot.alt 2000
func TestAlternativesCPUTime(t *testing.T) {
	if *otAlt < 1 {
		t.Skip("enable with -ot.alt m")
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	m := *otAlt
	for idx, c := range otCases {
		x, y := caseSamples(c, idx, m)
		cost := costMatrix(x, y, c.dim)
		perm := make([]int, m)
		var ref Solver
		var a altSolver
		for _, alt := range alternatives {
			var best [2]time.Duration
			var tot [2]float64
			for rep := 0; rep < 4; rep++ {
				c0 := testutil.ThreadCPU()
				if rep%2 == 0 {
					tot[0], _ = ref.SolveSparse(perm, cost, m, candidates)
				} else {
					a.bids = 0
					tot[1], _ = alt.solve(&a, perm, cost, m)
				}
				if d := testutil.ThreadCPU() - c0; rep < 2 || d < best[rep%2] {
					best[rep%2] = d
				}
			}
			t.Logf("%s m=%d %s: SolveSparse %.3f s, alternative %.3f s (%.2f×), bids %d, totals differ by %.2g",
				c.name, m, alt.name, best[0].Seconds(), best[1].Seconds(), best[0].Seconds()/best[1].Seconds(), a.bids, tot[1]-tot[0])
		}
	}
}
