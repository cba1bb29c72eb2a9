package main

import (
	"context"
	"testing"

	"github.com/sdeml/sdeml/internal/sweep"
	"github.com/sdeml/sdeml/internal/sweep/sweeptest"
	"github.com/sdeml/sdeml/nn"
)

// TestShardedMatchesUnsharded runs a tiny study whole and as three shards (one method each)
// merged, and checks that the tables and plots are the same bytes.
func TestShardedMatchesUnsharded(t *testing.T) {
	if testing.Short() {
		t.Skip("loads MNIST and trains three small networks")
	}
	c := config{train: 256, test: 200, hidden: 16, epochs: 1, rho: 0.1, micro: 16, seed: 1, reps: 20, probes: 5,
		powerIter: 5, sigmaRows: 16, noiseBatches: 32, projections: 5, act: nn.ReLU, ctx: context.Background()}
	outputs := []string{"results.csv", "micro.csv", "spectrum.csv", "regulariser_vs_m.png", "spectrum.png"}
	sweeptest.ShardedMatchesUnsharded(t, 3, outputs, func(out string, s sweep.Config) {
		t.Helper()
		c.out, c.sweep = out, s
		if err := run(c); err != nil {
			t.Fatal(err)
		}
	})
}
