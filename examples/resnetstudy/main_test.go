package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"testing"

	"github.com/sdeml/sdeml/nn/data"
)

// A tiny study runs end to end: ρ selection over two values, two seeds of the four methods,
// the CSV with one row per run and the plot.
func TestStudyRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("trains 20 small networks")
	}
	if _, err := data.FashionMNISTDir(); err != nil {
		t.Skip(err)
	}
	out := t.TempDir()
	c := config{seeds: 2, epochs: 1, nTrain: 128, nVal: 64, nTest: 64, width: 2, batch: 32, micro: 8, pad: 2,
		blocks: []int{1, 1}, lr: 0.05, wd: 5e-4, rhos: []float64{0.02, 0.05}, out: out}
	if err := run(c); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(out, "results.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1+2*4 {
		t.Errorf("%d CSV rows, want header + 8", len(recs))
	}
	if _, err := os.Stat(filepath.Join(out, "paired.png")); err != nil {
		t.Error(err)
	}
}
