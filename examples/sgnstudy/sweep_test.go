package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/sdeml/sdeml/internal/sweep"
	"github.com/sdeml/sdeml/nn"
)

// TestShardedMatchesUnsharded runs a tiny study whole and as three shards (one method each)
// merged, and checks that the tables and plots are the same bytes.
func TestShardedMatchesUnsharded(t *testing.T) {
	if testing.Short() {
		t.Skip("loads MNIST and trains three small networks")
	}
	root := t.TempDir()
	c := config{train: 256, test: 200, hidden: 16, epochs: 1, rho: 0.1, micro: 16, seed: 1, reps: 20, probes: 5,
		powerIter: 5, sigmaRows: 16, noiseBatches: 32, projections: 5, act: nn.ReLU, ctx: context.Background()}
	do := func(out string, s sweep.Config) {
		t.Helper()
		c.out, c.sweep = out, s
		if err := run(c); err != nil {
			t.Fatal(err)
		}
	}
	full := filepath.Join(root, "full")
	do(full, sweep.Config{})
	var shards []string
	for i := range 3 {
		d := filepath.Join(root, string(rune('a'+i)))
		shards = append(shards, d)
		do(d, sweep.Config{Shard: i, Shards: 3})
	}
	merged := filepath.Join(root, "merged")
	do(merged, sweep.Config{Merge: shards})
	for _, name := range []string{"results.csv", "micro.csv", "spectrum.csv", "regulariser_vs_m.png", "spectrum.png"} {
		a, err := os.ReadFile(filepath.Join(full, name))
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(merged, name))
		if err != nil {
			t.Fatal(err)
		}
		if len(a) == 0 || !bytes.Equal(a, b) {
			t.Errorf("%s: merged (%d bytes) differs from unsharded (%d bytes)", name, len(b), len(a))
		}
	}
}
