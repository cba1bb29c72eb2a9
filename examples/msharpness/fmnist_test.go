package main

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sdeml/sdeml/internal/sweep"
	"github.com/sdeml/sdeml/internal/sweep/sweeptest"
	"github.com/sdeml/sdeml/nn/data"
)

// TestFMNISTStudy runs the Fashion-MNIST study end to end at a tiny size (one step per run,
// two seeds, every method) whole and as three merged shards, checks that the outputs without
// wall times (paired.csv and two plots) are the same bytes and runs.csv is too once its
// seconds column is dropped, and that the paired table has a row per method with "—"
// against the method's own reference. It needs Debian's dataset-fashion-mnist (installed by
// .ci/run).
func TestFMNISTStudy(t *testing.T) {
	if _, err := data.FashionMNISTDir(); err != nil {
		t.Skipf("Fashion-MNIST not installed: %v", err)
	}
	outputs := []string{"paired.csv", "test_acc_vs_m.png", "paired_vs_m.png"}
	d := sweeptest.ShardedMatchesUnsharded(t, 3, outputs, func(dir string, c sweep.Config) {
		t.Helper()
		c.Dir = dir
		cfg := fmnistConfig{seeds: []uint64{1, 2}, epochs: 1, train: fmB, val: 32, test: 32, flat: 16,
			rhos: []float64{0.1}, sweep: c, ctx: context.Background()}
		if err := runFMNIST(dir, cfg); err != nil {
			t.Fatal(err)
		}
	})
	if a, b := withoutSeconds(t, filepath.Join(d.Full, "runs.csv")), withoutSeconds(t, filepath.Join(d.Merged, "runs.csv")); a != b {
		t.Errorf("runs.csv without wall times: merged\n%s\nunsharded\n%s", b, a)
	}
	table, err := os.ReadFile(filepath.Join(d.Full, "table.md"))
	if err != nil {
		t.Fatal(err)
	}
	paired := string(table[strings.Index(string(table), "Paired differences"):])
	for _, m := range fmnistMethods(1, fmB) {
		if !strings.Contains(paired, "| "+m.name+" | 2 |") {
			t.Errorf("paired table has no row for %s over 2 seeds:\n%s", m.name, paired)
		}
	}
	if !strings.Contains(paired, "| SGD | 2 | — | — |") || !strings.Contains(paired, "| SAM (m=128) | 2 | ") {
		t.Errorf("reference rows not marked:\n%s", paired)
	}
}

// withoutSeconds returns the CSV file at path without its "seconds" column.
func withoutSeconds(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := slices.Index(rows[0], "seconds")
	if col < 0 {
		t.Fatalf("%s has no seconds column", path)
	}
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(strings.Join(slices.Delete(r, col, col+1), ",") + "\n")
	}
	return b.String()
}
