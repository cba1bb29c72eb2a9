package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"

	"github.com/sdeml/sdeml/nn/data"
)

// A tiny study runs end to end: ρ selection over two values, two seeds of the four methods,
// the CSV with one row per run (2 SGD seeds, 3 variants × 2 ρ for seed 0, 3 variants × 1
// seed at the chosen ρ) and the plot; two jobs in parallel give the same CSV as one.
func TestStudyRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("trains 20 small networks")
	}
	if _, err := data.FashionMNISTDir(); err != nil {
		t.Skip(err)
	}
	out := t.TempDir()
	var csvs [2][][]string
	for i, jobs := range []int{1, 2} {
		c := config{seeds: 2, epochs: 1, nTrain: 128, nVal: 64, nTest: 64, width: 2, batch: 32, micro: 8, pad: 2,
			blocks: []int{1, 1}, lr: 0.05, wd: 5e-4, rhos: []float64{0.02, 0.05}, jobs: jobs, quiet: true,
			out: filepath.Join(out, strconv.Itoa(jobs))}
		if err := run(c); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(filepath.Join(c.out, "results.csv"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		recs, err := csv.NewReader(f).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != 1+2+3*2+3 {
			t.Errorf("%d CSV rows, want header + 11", len(recs))
		}
		if _, err := os.Stat(filepath.Join(c.out, "paired.png")); err != nil {
			t.Error(err)
		}
		for _, r := range recs {
			csvs[i] = append(csvs[i], r[:len(r)-1]) // all but the wall time
		}
	}
	if !reflect.DeepEqual(csvs[0], csvs[1]) {
		t.Errorf("-jobs 1 and 2 differ:\n%v\n%v", csvs[0], csvs[1])
	}
	// -units reruns single units with the same results (row 4 is SAM, ρ = 0.05, seed 0).
	c := config{epochs: 1, nTrain: 128, nVal: 64, nTest: 64, width: 2, batch: 32, micro: 8, pad: 2,
		blocks: []int{1, 1}, lr: 0.05, wd: 5e-4, jobs: 1, quiet: true}
	o, err := runUnits(c, "SAM/0.05/0")
	if err != nil {
		t.Fatal(err)
	}
	row := csvs[0][4]
	if row[0] != "SAM" || row[1] != "0.05" || row[2] != "0" ||
		row[4] != strconv.FormatFloat(o[0].val, 'f', 6, 64) || row[5] != strconv.FormatFloat(o[0].test, 'f', 6, 64) {
		t.Errorf("-units SAM/0.05/0 gave val %v test %v; the study's row: %v", o[0].val, o[0].test, row)
	}
	if _, err := runUnits(c, "SAM/x/0"); err == nil {
		t.Error("-units with a bad ρ: no error")
	}
}
