package sam

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/sdeml/sdeml/nn"
)

// BeforeEpoch is called once per epoch, in order, before the epoch's first step; a resumed
// run calls it again for the epoch it continues; its error stops training with the epoch
// named.
func TestTrainBeforeEpoch(t *testing.T) {
	obj, w0 := smallTask(31, 40, 6)
	var calls []int
	stepsAt := []int{}
	opt := &countingOpt{inner: &SGD{LR: 0.05}}
	s := &TrainSettings{Epochs: 3, Batch: 8, Seed: 1, BeforeEpoch: func(e int) error {
		calls = append(calls, e)
		stepsAt = append(stepsAt, opt.steps)
		return nil
	}}
	w := slices.Clone(w0)
	if _, err := Train(w, obj, opt, s); err != nil {
		t.Fatal(err)
	}
	// 40 samples, batch 8: 5 steps per epoch, so epochs start after 0, 5 and 10 steps.
	if !slices.Equal(calls, []int{0, 1, 2}) || !slices.Equal(stepsAt, []int{0, 5, 10}) {
		t.Fatalf("calls %v at steps %v, want [0 1 2] at [0 5 10]", calls, stepsAt)
	}

	// Stop in the middle of epoch 1, resume: the resumed run calls BeforeEpoch(1) first.
	ctx, cancel := context.WithCancel(context.Background())
	var saved bytes.Buffer
	first := &cancelOpt{inner: &SGD{LR: 0.05}, after: 7, cancel: cancel}
	s1 := &TrainSettings{Epochs: 3, Batch: 8, Seed: 1, Context: ctx,
		SaveCheckpoint: func(cp *Checkpoint) error { return cp.Save(&saved) }}
	if _, err := Train(slices.Clone(w0), obj, &statefulCancel{first}, s1); !errors.Is(err, context.Canceled) {
		t.Fatalf("first leg: %v", err)
	}
	cp, err := LoadCheckpoint(&saved)
	if err != nil {
		t.Fatal(err)
	}
	calls = nil
	s2 := &TrainSettings{Epochs: 3, Batch: 8, Seed: 1, Resume: cp, BeforeEpoch: func(e int) error { calls = append(calls, e); return nil }}
	if _, err := Train(make([]float64, len(w0)), obj, &SGD{LR: 0.05}, s2); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(calls, []int{1, 2}) {
		t.Fatalf("resumed run called BeforeEpoch for %v, want [1 2]", calls)
	}

	s3 := &TrainSettings{Epochs: 3, Batch: 8, BeforeEpoch: func(e int) error {
		if e == 1 {
			return errors.New("no data")
		}
		return nil
	}}
	h, err := Train(slices.Clone(w0), obj, &SGD{LR: 0.05}, s3)
	if err == nil || !strings.Contains(err.Error(), "BeforeEpoch(1): no data") || h.Steps != 5 {
		t.Fatalf("err %v after %d steps, want BeforeEpoch(1) failing after 5", err, h.Steps)
	}
}

// countingOpt counts the steps of the optimizer it wraps.
type countingOpt struct {
	inner Optimizer
	steps int
}

func (c *countingOpt) Step(w []float64, obj nn.Objective, batch []int) (float64, error) {
	c.steps++
	return c.inner.Step(w, obj, batch)
}
