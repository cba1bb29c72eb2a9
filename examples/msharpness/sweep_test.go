package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/sdeml/sdeml/internal/sweep"
)

// TestShardedDiagNetMatchesUnsharded runs a small diagnet sweep once whole and once as three
// shards merged, and checks the merged tables and plot are the same bytes (timings.csv, the
// only output with wall times, is excluded).
func TestShardedDiagNetMatchesUnsharded(t *testing.T) {
	root := t.TempDir()
	defer func() { sweepCfg = sweep.Config{} }()
	run := func(c sweep.Config) {
		t.Helper()
		sweepCfg = c
		if err := runDiagNet(c.Dir, 2, 30, []float64{0.1, 0.3}); err != nil {
			t.Fatal(err)
		}
	}
	full := filepath.Join(root, "full")
	run(sweep.Config{Dir: full})
	var shards []string
	for i := range 3 {
		d := filepath.Join(root, "shard", string(rune('0'+i)))
		shards = append(shards, d)
		run(sweep.Config{Dir: d, Shard: i, Shards: 3})
	}
	merged := filepath.Join(root, "merged")
	run(sweep.Config{Dir: merged, Merge: shards})
	for _, name := range []string{"runs.csv", "summary.csv", "test_loss_vs_m.png"} {
		a, err := os.ReadFile(filepath.Join(full, name))
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(merged, name))
		if err != nil {
			t.Fatal(err)
		}
		if len(a) == 0 || !bytes.Equal(a, b) {
			t.Errorf("%s: merged output (%d bytes) differs from the unsharded one (%d bytes)", name, len(b), len(a))
		}
		if s, _ := os.ReadFile(filepath.Join(shards[0], name)); name != "test_loss_vs_m.png" && bytes.Equal(s, a) {
			t.Errorf("%s: a single shard's output equals the whole sweep's (the shards did not split the work)", name)
		}
	}
	if _, err := os.Stat(filepath.Join(merged, "PARTIAL")); !os.IsNotExist(err) {
		t.Error("merged folder is marked PARTIAL")
	}
	if _, err := os.Stat(filepath.Join(shards[1], "PARTIAL")); err != nil {
		t.Error("a shard's folder is not marked PARTIAL")
	}
}
