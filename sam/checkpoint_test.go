package sam

import (
	"bytes"
	"context"
	"errors"
	"math"
	"testing"

	"github.com/sdeml/sdeml/nn"
)

// A run stopped by its context, checkpointed, saved to bytes, loaded and resumed ends with
// the same parameters and history, bit for bit, as the uninterrupted run; for SGD with
// momentum, Adam, SAM, m-SAM, n-SAM and RW-SAM (both forms, random scorers and draws), with the stop in the middle of an epoch and at its end.
func TestTrainResumeBitIdentical(t *testing.T) {
	obj, w0 := smallTask(31, 40, 6)
	cases := []struct {
		name string
		opt  func() Optimizer
	}{
		{"SGD momentum", func() Optimizer { return &SGD{LR: 0.05, Momentum: 0.9, Nesterov: true} }},
		{"Adam", func() Optimizer { return &Adam{LR: 0.01} }},
		{"SAM", func() Optimizer { return &SAM{Base: &SGD{LR: 0.05, Momentum: 0.9}, Rho: 0.05} }},
		{"m-SAM", func() Optimizer { return &SAM{Base: &Adam{LR: 0.01}, Rho: 0.05, Micro: 2} }},
		{"n-SAM", func() Optimizer {
			return &NSAM{Base: &SGD{LR: 0.05, Momentum: 0.9}, Rho: 0.05, AscentBatch: 9, Seed: 3}
		}},
		{"RW-SAM VirtualMicro (zero value)", func() Optimizer { return &RWSAM{Base: &SGD{LR: 0.05, Momentum: 0.9}, Rho: 0.05, Seed: 5} }},
		{"RW-SAM VirtualMicro m=2 (odd K)", func() Optimizer { return &RWSAM{Base: &Adam{LR: 0.01}, Rho: 0.05, EquivM: 2, Seed: 8} }},
		{"RW-SAM Gibbs", func() Optimizer { return &RWSAM{Form: GibbsAscent, Base: &Adam{LR: 0.01}, Rho: 0.05, Seed: 5} }},
		{"RW-SAM Gibbs FD", func() Optimizer {
			return &RWSAM{Form: GibbsAscent, Base: &Adam{LR: 0.01}, Rho: 0.05, Score: &FiniteDiff{Seed: 2}, Seed: 5}
		}},
		{"RW-SAM Corrections Stale", func() Optimizer {
			return &RWSAM{Form: Corrections, Unit: 1, Draws: 2, Base: &SGD{LR: 0.05, Momentum: 0.9}, Rho: 0.05, Score: &Stale{}, Seed: 6}
		}},
		{"RW-SAM Corrections uniform", func() Optimizer {
			return &RWSAM{Form: Corrections, Unit: 2, Draws: 2, Temperature: math.Inf(1), WithoutReplacement: true,
				Base: &SGD{LR: 0.05}, Rho: 0.05, Seed: 7}
		}},
	}
	settings := func() *TrainSettings {
		return &TrainSettings{Epochs: 3, Batch: 6, Seed: 4, KeepLast: true}
	}
	for _, c := range cases {
		for _, stopAt := range []int{4, 7, 12} { // 7 steps per epoch: mid-epoch, epoch end, mid-epoch
			want := append([]float64(nil), w0...)
			hWant, err := Train(want, obj, c.opt(), settings())
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			first := &cancelOpt{inner: c.opt(), after: stopAt, cancel: cancel}
			var saved bytes.Buffer
			s := settings()
			s.Context = ctx
			s.SaveCheckpoint = func(cp *Checkpoint) error { return cp.Save(&saved) }
			w := append([]float64(nil), w0...)
			if _, err := Train(w, obj, &statefulCancel{first}, s); !errors.Is(err, context.Canceled) {
				t.Fatalf("%s: first leg err = %v", c.name, err)
			}
			cp, err := LoadCheckpoint(&saved)
			if err != nil {
				t.Fatal(err)
			}
			s = settings()
			s.Resume = cp
			got := make([]float64, len(w0)) // overwritten from the checkpoint
			hGot, err := Train(got, obj, c.opt(), s)
			if err != nil {
				t.Fatal(err)
			}
			if !bitsEqual(got, want) || !bitsEqual(hGot.TrainLoss, hWant.TrainLoss) || hGot.Steps != hWant.Steps || hGot.Cost != hWant.Cost {
				t.Errorf("%s stopped after step %d: resumed run differs from the uninterrupted one\nlosses %v\nwant   %v (steps %d vs %d)",
					c.name, stopAt, hGot.TrainLoss, hWant.TrainLoss, hGot.Steps, hWant.Steps)
			}
		}
	}
}

// statefulCancel forwards Stateful and Coster to the optimizer inside a cancelOpt.
type statefulCancel struct{ *cancelOpt }

func (s *statefulCancel) MarshalState() ([]byte, error) { return s.inner.(Stateful).MarshalState() }
func (s *statefulCancel) UnmarshalState(b []byte) error { return s.inner.(Stateful).UnmarshalState(b) }
func (s *statefulCancel) LastCost() Cost {
	if c, ok := s.inner.(Coster); ok {
		return c.LastCost()
	}
	return Cost{}
}

// Resuming with settings that would draw other batches, or an optimizer without state, is
// an error naming the field.
func TestTrainResumeMismatch(t *testing.T) {
	obj, w0 := smallTask(31, 40, 6)
	var cp *Checkpoint
	s := &TrainSettings{Epochs: 1, Batch: 8, Seed: 2, CheckpointEvery: 2,
		SaveCheckpoint: func(c *Checkpoint) error { cp = c; return nil }}
	if _, err := Train(append([]float64(nil), w0...), obj, &SGD{LR: 0.1, Momentum: 0.5}, s); err != nil || cp == nil {
		t.Fatalf("err = %v, checkpoint %v", err, cp)
	}
	for _, bad := range []*TrainSettings{
		{Epochs: 1, Batch: 8, Seed: 3, Resume: cp},
		{Epochs: 1, Batch: 4, Seed: 2, Resume: cp},
		{Epochs: 1, Batch: 8, Seed: 2, KeepLast: true, Resume: cp},
	} {
		if _, err := Train(append([]float64(nil), w0...), obj, &SGD{LR: 0.1, Momentum: 0.5}, bad); err == nil {
			t.Errorf("resume with %+v accepted", *bad)
		}
	}
	if _, err := Train(append([]float64(nil), w0...), obj, &cancelOpt{inner: &SGD{}}, &TrainSettings{Epochs: 1, Batch: 8, Seed: 2, Resume: cp}); err == nil {
		t.Error("resume with an optimizer that has no state accepted")
	}
}

// FuzzLoadCheckpoint: any input is a checkpoint or an error, never a panic.
func FuzzLoadCheckpoint(f *testing.F) {
	obj, w0 := smallTask(31, 12, 3)
	var buf bytes.Buffer
	s := &TrainSettings{Epochs: 2, Batch: 4, CheckpointEvery: 4, SaveCheckpoint: func(c *Checkpoint) error { buf.Reset(); return c.Save(&buf) }}
	if _, err := Train(append([]float64(nil), w0...), obj, &Adam{}, s); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add([]byte(checkpointMagic))
	f.Fuzz(func(t *testing.T, data []byte) {
		LoadCheckpoint(bytes.NewReader(data))
	})
}

var _ nn.Objective = (*DiagNet)(nil)
