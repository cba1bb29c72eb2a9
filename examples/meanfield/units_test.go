package main

import (
	"os"
	"testing"

	"github.com/sdeml/sdeml/internal/sweep"
	"github.com/sdeml/sdeml/internal/sweep/sweeptest"
)

// TestShardedAMatchesUnsharded runs a small Experiment A whole and as three shards (one
// width each) merged, and checks expA.csv and the plots are the same bytes.
func TestShardedAMatchesUnsharded(t *testing.T) {
	p, err := newProblem()
	if err != nil {
		t.Fatal(err)
	}
	c := configA{Ns: []int{8, 16, 32}, reps: 3, T: 0.2, dt: 0.01, gh: 6, nsample: 512, seed: 3}
	defer func() { prog.Config = sweep.Config{} }()
	sweeptest.ShardedMatchesUnsharded(t, 3, []string{"expA.csv", "expA_rates.png", "expA_marginal.png"}, func(out string, s sweep.Config) {
		t.Helper()
		prog.Config = s
		check(os.MkdirAll(out, 0o755))
		a := runA(p, c, out)
		writePlots(out, a, nil, nil, nil, nil)
	})
}
