package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/sdeml/sdeml/internal/sweep"
	"github.com/sdeml/sdeml/internal/sweep/sweeptest"
)

// TestShardedDiagNetMatchesUnsharded runs a small diagnet sweep once whole and once as three
// shards merged, and checks the merged tables and plot are the same bytes (timings.csv, the
// only output with wall times, is excluded).
func TestShardedDiagNetMatchesUnsharded(t *testing.T) {
	defer func() { sweepCfg = sweep.Config{} }()
	outputs := []string{"runs.csv", "summary.csv", "test_loss_vs_m.png"}
	d := sweeptest.ShardedMatchesUnsharded(t, 3, outputs, func(dir string, c sweep.Config) {
		t.Helper()
		c.Dir = dir
		sweepCfg = c
		if err := runDiagNet(c.Dir, 2, 30, []float64{0.1, 0.3}); err != nil {
			t.Fatal(err)
		}
	})
	for _, name := range outputs[:2] {
		a, _ := os.ReadFile(filepath.Join(d.Full, name))
		if s, _ := os.ReadFile(filepath.Join(d.Shards[0], name)); bytes.Equal(s, a) {
			t.Errorf("%s: a single shard's output equals the whole sweep's (the shards did not split the work)", name)
		}
	}
	if _, err := os.Stat(filepath.Join(d.Merged, "PARTIAL")); !os.IsNotExist(err) {
		t.Error("merged folder is marked PARTIAL")
	}
	if _, err := os.Stat(filepath.Join(d.Shards[1], "PARTIAL")); err != nil {
		t.Error("a shard's folder is not marked PARTIAL")
	}
}
