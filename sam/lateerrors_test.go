package sam

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/sdeml/sdeml/internal/binfmt"
	"github.com/sdeml/sdeml/nn"
)

// countingObj counts the gradient evaluations, to show that no step ran.
type countingObj struct {
	nn.Objective
	calls int
}

func (c *countingObj) LossGrad(g, w []float64, idx []int) float64 {
	c.calls++
	return c.Objective.LossGrad(g, w, idx)
}

// TestTrainBatchSizesUpFront: 520 samples in batches of 128 with KeepLast leave a last
// batch of 520 − 4·128 = 8, which Micro = 16 (or Unit = 16) cannot split; Train must say so
// before the first step (it used to fail after a whole epoch).
func TestTrainBatchSizesUpFront(t *testing.T) {
	obj, w0 := smallTask(5, 520, 4)
	for _, c := range []struct {
		name string
		opt  Optimizer
		keep bool
		want string
	}{
		{"m-SAM KeepLast", &SAM{Base: &SGD{LR: 0.01}, Rho: 0.05, Micro: 16}, true, "last batch of 8: Micro = 16 does not divide len(batch) = 8"},
		{"RW-SAM KeepLast", &RWSAM{Form: Corrections, Base: &SGD{LR: 0.01}, Rho: 0.05, Unit: 16}, true, "last batch of 8: RWSAM.Unit = 16 does not divide len(batch) = 8"},
		{"m-SAM full batch", &SAM{Base: &SGD{LR: 0.01}, Rho: 0.05, Micro: 48}, false, "Batch = 128: Micro = 48 does not divide len(batch) = 128"},
	} {
		co := &countingObj{Objective: obj}
		w := slices.Clone(w0)
		_, err := Train(w, co, c.opt, &TrainSettings{Epochs: 2, Batch: 128, KeepLast: c.keep})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
		if co.calls != 0 || !slices.Equal(w, w0) {
			t.Errorf("%s: %d gradient evaluations before the error, want 0", c.name, co.calls)
		}
	}
	// RemainderPartial accepts the short last batch, and without KeepLast it never occurs.
	for _, opt := range []Optimizer{
		&SAM{Base: &SGD{LR: 0.01}, Rho: 0.05, Micro: 16, Remainder: RemainderPartial},
	} {
		if _, err := Train(slices.Clone(w0), obj, opt, &TrainSettings{Batch: 128, KeepLast: true}); err != nil {
			t.Errorf("%T RemainderPartial: %v", opt, err)
		}
	}
	if _, err := Train(slices.Clone(w0), obj, &SAM{Base: &SGD{LR: 0.01}, Rho: 0.05, Micro: 16}, &TrainSettings{Batch: 128}); err != nil {
		t.Errorf("without KeepLast: %v", err)
	}
}

// TestResumeWithOtherOptimizer: a checkpoint written by SAM(SGD) names its optimizer, and
// resuming it with plain SGD, Adam, RW-SAM or SAM(Adam) is an error naming both (plain SGD
// used to be accepted silently, the others failed with a misread state), while SAM(SGD)
// resumes. The kind survives Save and LoadCheckpoint.
func TestResumeWithOtherOptimizer(t *testing.T) {
	obj, w0 := smallTask(7, 40, 4)
	var cp *Checkpoint
	_, err := Train(slices.Clone(w0), obj, &SAM{Base: &SGD{LR: 0.05, Momentum: 0.9}, Rho: 0.05},
		&TrainSettings{Epochs: 2, Batch: 8, CheckpointEvery: 3, SaveCheckpoint: func(c *Checkpoint) error { cp = c; return nil }})
	if err != nil || cp == nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := cp.Save(&buf); err != nil {
		t.Fatal(err)
	}
	if cp, err = LoadCheckpoint(&buf); err != nil || cp.OptimizerKind != "SAM(SGD)" {
		t.Fatalf("loaded kind %q, %v, want SAM(SGD)", cp.OptimizerKind, err)
	}
	for _, c := range []struct {
		opt  Optimizer
		kind string
	}{
		{&SGD{LR: 0.05, Momentum: 0.9}, "SGD"},
		{&Adam{}, "Adam"},
		{&RWSAM{Base: &SGD{LR: 0.05}, Rho: 0.05}, "RWSAM(SGD)"},
		{&SAM{Base: &Adam{}, Rho: 0.05}, "SAM(Adam)"},
		{&NSAM{Base: &SGD{LR: 0.05}, Rho: 0.05}, "NSAM(SGD)"},
		{&RWSAM{Form: GibbsAscent, Base: &SGD{LR: 0.05}, Rho: 0.05}, "RWSAM[GibbsAscent](SGD)"},
		{&GSAM{Base: &SGD{LR: 0.05}, Rho: 0.05}, "GSAM(SGD)"},
		{&WSAM{Base: &SGD{LR: 0.05}, Rho: 0.05}, "WSAM(SGD)"},
		{&ESAM{Base: &SGD{LR: 0.05}, Rho: 0.05}, "ESAM(SGD)"},
		{&LookSAM{Base: &SGD{LR: 0.05}, Rho: 0.05}, "LookSAM(SGD)"},
		{&FriendlySAM{Base: &SGD{LR: 0.05}, Rho: 0.05}, "FriendlySAM(SGD)"},
		{&IntervalSAM{Base: &SGD{LR: 0.05}, Rho: 0.05}, "IntervalSAM(SGD)"},
	} {
		_, err := Train(slices.Clone(w0), obj, c.opt, &TrainSettings{Epochs: 2, Batch: 8, Resume: cp})
		want := `Resume.OptimizerKind = "SAM(SGD)", but the optimizer is ` + c.kind
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("resume with %s: error %v, want one containing %q", c.kind, err, want)
		}
	}
	if _, err := Train(slices.Clone(w0), obj, &SAM{Base: &SGD{LR: 0.05, Momentum: 0.9}, Rho: 0.05}, &TrainSettings{Epochs: 2, Batch: 8, Resume: cp}); err != nil {
		t.Errorf("resume with SAM(SGD): %v", err)
	}
}

// TestLoadCheckpointVersion1 reads a file of format version 1 (no optimizer kind), built
// field by field as the version-1 Save wrote it; its kind is empty and not checked.
func TestLoadCheckpointVersion1(t *testing.T) {
	e := binfmt.NewEncoder(checkpointMagic, 1)
	e.Int(1)  // epoch
	e.Int(2)  // step
	e.U64(9)  // seed
	e.Int(8)  // batch
	e.Int(40) // len
	e.Bool(false)
	e.Floats([]float64{1, 2})
	e.Blob([]byte{7})
	e.Int(7) // steps
	e.Floats([]float64{0.5})
	e.Floats(nil)
	for range 6 {
		e.Int(0)
	}
	e.F64(0.25)
	var buf bytes.Buffer
	if _, err := e.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	cp, err := LoadCheckpoint(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if cp.OptimizerKind != "" || cp.Epoch != 1 || cp.Step != 2 || cp.Len != 40 || !slices.Equal(cp.Params, []float64{1, 2}) || cp.EpochLoss != 0.25 {
		t.Errorf("version 1 checkpoint read as %+v", cp)
	}
}
