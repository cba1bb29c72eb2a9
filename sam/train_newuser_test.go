package sam

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/sdeml/sdeml/nn"
)

// New-user report: Train(w[:10], ...) panicked inside the optimizer; it must return an
// error naming both lengths, like every other bad setting.
func TestTrainShortParams(t *testing.T) {
	obj, w0 := smallTask(30, 20, 8)
	_, err := Train(w0[:10], obj, &SAM{Base: &SGD{LR: 0.1}, Rho: 0.05}, nil)
	if err == nil || !strings.Contains(err.Error(), "len(w) = 10") {
		t.Fatalf("err = %v, want an error naming len(w) = 10", err)
	}
}

// New-user report: progress lines read "SGDepoch 1/3" and errors "sam: Train: epoch 0,
// step 0: sam: Rho = ...". The name is followed by a space and the prefix appears once.
func TestTrainMessages(t *testing.T) {
	obj, w0 := smallTask(30, 20, 8)
	var buf bytes.Buffer
	if _, err := Train(append([]float64(nil), w0...), obj, &SGD{LR: 0.05},
		&TrainSettings{Epochs: 1, Batch: 5, Name: "SGD", Progress: &buf}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(buf.String(), "SGD epoch 1/1") {
		t.Errorf("progress line %q, want it to start with \"SGD epoch 1/1\"", buf.String())
	}
	_, err := Train(append([]float64(nil), w0...), obj, &SAM{Base: &SGD{LR: 0.05}, Rho: -1}, nil)
	if err == nil {
		t.Fatal("Rho = -1 accepted")
	}
	if c := strings.Count(err.Error(), "sam:"); c != 1 {
		t.Errorf("error %q carries the prefix %d times, want once", err, c)
	}
}

// Train stops at the end of the step during which the context is cancelled and returns an
// error wrapping the context's cause, with the steps taken so far.
func TestTrainContextStops(t *testing.T) {
	obj, w0 := smallTask(30, 20, 8)
	ctx, cancel := context.WithCancel(context.Background())
	stopAfter := 3
	opt := &cancelOpt{inner: &SGD{LR: 0.05}, after: stopAfter, cancel: cancel}
	h, err := Train(append([]float64(nil), w0...), obj, opt, &TrainSettings{Epochs: 5, Batch: 5, Context: ctx})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if h == nil || h.Steps != stopAfter || opt.steps != stopAfter {
		t.Fatalf("history %+v after %d optimizer steps, want %d steps", h, opt.steps, stopAfter)
	}
}

// cancelOpt cancels its context during its after-th step.
type cancelOpt struct {
	inner  Optimizer
	after  int
	steps  int
	cancel context.CancelFunc
}

func (c *cancelOpt) Step(w []float64, obj nn.Objective, batch []int) (float64, error) {
	c.steps++
	if c.steps == c.after {
		c.cancel()
	}
	return c.inner.Step(w, obj, batch)
}
