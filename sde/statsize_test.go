package sde

import (
	"runtime"
	"testing"
)

// skipStatisticalUnderRace skips a long statistical study in a -race build.
// Such a study is sized so that its tolerance, derived from theory, holds
// (a correct implementation fails less than once in 10⁴ runs); shrunk, the
// tolerance would have to widen until it tests little, and at full size the
// race detector's 5–10× slowdown made `go test -race -short ./sde` take
// 210 s on a quiet machine and time out on a loaded one. The race line of
// .ci/run is for the concurrent code paths, and those run in the small
// tests at small sizes: SolveEnsemble at GOMAXPROCS 1 and 2
// (TestEnsembleDeterminism, TestEnsemblePair, TestEnsembleEMBlock, TestImplicitStiffBlowUp),
// ConvergenceStudy (TestConvergenceStudyGOMAXPROCS,
// TestConvergenceStudyCountsFailures), particles and adaptive ensembles.
// The studies themselves run in every plain `go test ./sde`.
func skipStatisticalUnderRace(t *testing.T) {
	t.Helper()
	if raceEnabled {
		t.Skip("statistical study sized for its tolerance; under -race the concurrent paths are tested at small sizes (statsize_test.go)")
	}
}

// TestConvergenceStudyGOMAXPROCS: ConvergenceStudy's parallel path loop
// gives the same errors bit for bit at GOMAXPROCS 1 and 2 (per-path
// streams, reduction in path order). Small, so that it is the race
// detector's view of the order studies.
func TestConvergenceStudyGOMAXPROCS(t *testing.T) {
	p := LinearProblem(false)
	set := &ConvergenceSettings{Steps: []int{4, 8, 16}, Paths: 150, Seed: 4, Phi: func(x []float64) float64 { return x[0] }}
	run := func(procs int) *Convergence {
		old := runtime.GOMAXPROCS(procs)
		defer runtime.GOMAXPROCS(old)
		r, err := ConvergenceStudy(p, Milstein{}, set)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	a, b := run(1), run(2)
	for l := range a.Strong {
		if a.Strong[l] != b.Strong[l] || a.Weak[l] != b.Weak[l] {
			t.Errorf("level %d: strong %v / %v, weak %v / %v at GOMAXPROCS 1 / 2", l, a.Strong[l], b.Strong[l], a.Weak[l], b.Weak[l])
		}
	}
}
