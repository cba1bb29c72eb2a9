package sam

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/sdeml/sdeml/nn"
)

// Train visits every sample once per epoch (batches partition a permutation), is
// reproducible for a seed, records evaluations and stops on divergence with an error.
func TestTrain(t *testing.T) {
	obj, w0 := smallTask(30, 10, 3)
	seen := map[int]int{}
	counter := &countOpt{seen: seen}
	var buf bytes.Buffer
	h, err := Train(append([]float64(nil), w0...), obj, counter, &TrainSettings{Epochs: 3, Batch: 4, KeepLast: true, Seed: 1,
		Progress: &buf, Eval: func(e int, w []float64) (float64, error) { return float64(e), nil }})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		if seen[i] != 3 {
			t.Errorf("sample %d seen %d times in 3 epochs", i, seen[i])
		}
	}
	if h.Steps != 9 || len(h.Eval) != 3 || h.Eval[2] != 2 || strings.Count(buf.String(), "\n") != 3 {
		t.Errorf("history %+v, progress %q", h, buf.String())
	}
	run := func() []float64 {
		w := append([]float64(nil), w0...)
		if _, err := Train(w, obj, &SAM{Base: &SGD{LR: 0.05}, Rho: 0.05, Micro: 1}, &TrainSettings{Epochs: 2, Batch: 5, Seed: 9}); err != nil {
			t.Fatal(err)
		}
		return w
	}
	if !bitsEqual(run(), run()) {
		t.Error("Train is not reproducible for a fixed seed")
	}
	_, err = Train([]float64{1}, &quad{a: []float64{1e3}}, &SGD{LR: 10}, &TrainSettings{Epochs: 2000})
	if err == nil || !strings.Contains(err.Error(), "not finite") {
		t.Errorf("divergence: err = %v", err)
	}
	if _, err := Train(w0, obj, &SGD{}, &TrainSettings{Batch: 11}); err == nil || !strings.Contains(err.Error(), "Batch = 11") {
		t.Errorf("bad batch: err = %v", err)
	}
}

type countOpt struct{ seen map[int]int }

func (c *countOpt) Step(w []float64, obj nn.Objective, batch []int) (float64, error) {
	for _, i := range batch {
		c.seen[i]++
	}
	return math.Pi, nil
}
