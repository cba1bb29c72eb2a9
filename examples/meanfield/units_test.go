package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/sdeml/sdeml/internal/sweep"
)

// TestShardedAMatchesUnsharded runs a small Experiment A whole and as three shards (one
// width each) merged, and checks expA.csv and the plots are the same bytes.
func TestShardedAMatchesUnsharded(t *testing.T) {
	p, err := newProblem()
	if err != nil {
		t.Fatal(err)
	}
	c := configA{Ns: []int{8, 16, 32}, reps: 3, T: 0.2, dt: 0.01, gh: 6, nsample: 512, seed: 3}
	root := t.TempDir()
	defer func() { sweepCfg = sweep.Config{} }()
	do := func(out string, s sweep.Config) {
		t.Helper()
		sweepCfg = s
		check(os.MkdirAll(out, 0o755))
		a := runA(p, c, out)
		writePlots(out, a, nil, nil, nil, nil)
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
	for _, name := range []string{"expA.csv", "expA_rates.png", "expA_marginal.png"} {
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
