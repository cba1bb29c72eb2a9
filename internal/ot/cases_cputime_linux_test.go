package ot

import (
	"flag"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sdeml/sdeml/internal/testutil"
)

var (
	otCaseSizes = flag.String("ot.cases", "", "comma-separated sizes m for TestW1CasesCPUTime (e.g. 500,2000)")
	otCaseReps  = flag.Int("ot.reps", 3, "repetitions per case in TestW1CasesCPUTime (minimum reported)")
	otCaseOnly  = flag.String("ot.only", "", "comma-separated case names for TestW1CasesCPUTime (default all)")
)

// TestW1CasesCPUTime prints, for every case of cases_test.go at the sizes of -ot.cases, the
// thread CPU time of the cost matrix and of the solver (SolveSparse, as W1 calls it), the
// minimum over -ot.reps runs, and W1. docs/bench/ot_peer.py prints the same lines for scipy.
// Run with
//
//	go test -run TestW1CasesCPUTime -v ./internal/ot/ -args -ot.cases 500,2000
func TestW1CasesCPUTime(t *testing.T) {
	if *otCaseSizes == "" {
		t.Skip("enable with -ot.cases m1,m2,...")
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	for _, ms := range strings.Split(*otCaseSizes, ",") {
		m, err := strconv.Atoi(ms)
		if err != nil || m < 1 {
			t.Fatalf("-ot.cases: bad size %q", ms)
		}
		for idx, c := range otCases {
			if *otCaseOnly != "" && !slices.Contains(strings.Split(*otCaseOnly, ","), c.name) {
				continue
			}
			x, y := caseSamples(c, idx, m)
			var ws Workspace
			perm := make([]int, m)
			var bestCost, bestSolve time.Duration
			var w float64
			for rep := 0; rep < *otCaseReps; rep++ {
				c0 := testutil.ThreadCPU()
				cost := costMatrix(x, y, c.dim)
				c1 := testutil.ThreadCPU()
				total, err := ws.Solver.SolveSparse(perm, cost, m, candidates)
				c2 := testutil.ThreadCPU()
				if err != nil {
					t.Fatal(err)
				}
				if rep == 0 || c1-c0 < bestCost {
					bestCost = c1 - c0
				}
				if rep == 0 || c2-c1 < bestSolve {
					bestSolve = c2 - c1
				}
				w = total / float64(m)
			}
			t.Logf("go %s m=%d: solver thread CPU min %.4f s; cost matrix %.4f s; W1 %.10f",
				c.name, m, bestSolve.Seconds(), bestCost.Seconds(), w)
		}
	}
}
