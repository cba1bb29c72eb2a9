package sam

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/sdeml/sdeml/nn"
)

// bnTask is a small residual CNN with batch normalisation and dropout on random images.
func bnTask(t testing.TB, n int) (func() *nn.GraphSupervised, []float64) {
	t.Helper()
	g, err := nn.NewGraph(nn.Shape{C: 1, H: 6, W: 5},
		nn.Node{Layer: nn.Conv2D{Out: 3, Kernel: 3, Stride: 1, Pad: 1}},
		nn.Node{Layer: nn.BatchNorm{}},
		nn.Node{Layer: nn.Activate{Act: nn.ReLU}},
		nn.Node{Layer: nn.Conv2D{Out: 3, Kernel: 3, Stride: 1, Pad: 1}},
		nn.Node{Layer: nn.BatchNorm{Momentum: 0.3}},
		nn.Node{Layer: nn.Add{}, From: []int{4, 2}},
		nn.Node{Layer: nn.Activate{Act: nn.ReLU}},
		nn.Node{Layer: nn.GlobalAvgPool{}},
		nn.Node{Layer: nn.Dropout{Rate: 0.2}},
		nn.Node{Layer: nn.Flatten{}},
		nn.Node{Layer: nn.Dense{Out: 3}},
	)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(5, 6))
	X := mat.NewDense(n, g.InDim(), nil)
	labels := make([]int, n)
	for i := range n {
		for j := range g.InDim() {
			X.Set(i, j, rng.NormFloat64())
		}
		labels[i] = rng.IntN(3)
	}
	data := &nn.Dataset{X: X, Labels: labels}
	w := make([]float64, g.NumParams())
	g.Init(w, nn.He, rand.NewPCG(1, 2))
	return func() *nn.GraphSupervised {
		obj, err := nn.NewGraphSupervised(g, data, nn.SoftmaxCE{Smoothing: 0.1})
		if err != nil {
			t.Fatal(err)
		}
		obj.Seed = 11
		return obj
	}, w
}

func stateEqual(a, b *nn.GraphState) bool {
	if a.Step != b.Step || len(a.Mean) != len(b.Mean) {
		return false
	}
	for i := range a.Mean {
		if !bitsEqual(a.Mean[i], b.Mean[i]) || !bitsEqual(a.Var[i], b.Var[i]) {
			return false
		}
	}
	return true
}

// One optimizer step moves the model state exactly once, with the batch statistics at
// the unperturbed parameters: the state equals that of one LossGradUpdate at w on the
// batch. Ascent and perturbed passes (at other parameters, so other statistics) would
// make it differ; before the optimizers knew of model state no pass updated it at all.
func TestModelStateOneUpdatePerStep(t *testing.T) {
	newObj, w0 := bnTask(t, 24)
	batch := []int{3, 7, 1, 0, 12, 9, 20, 15}
	for _, c := range []struct {
		name string
		opt  Optimizer
	}{
		{"SGD", &SGD{LR: 0.1}},
		{"Adam", &Adam{LR: 0.01}},
		{"SAM", &SAM{Base: &SGD{LR: 0.1}, Rho: 0.5}},
		{"SAM 2 ascent steps", &SAM{Base: &SGD{LR: 0.1}, Rho: 0.5, AscentSteps: 2}},
		{"m-SAM", &SAM{Base: &SGD{LR: 0.1}, Rho: 0.5, Micro: 4}},
		{"n-SAM", &NSAM{Base: &SGD{LR: 0.1}, Rho: 0.5, AscentBatch: 6, Seed: 2}},
		{"RW-SAM VirtualMicro", &RWSAM{Base: &SGD{LR: 0.1}, Rho: 0.5, Seed: 3, EquivM: 2}},
		{"RW-SAM Gibbs", &RWSAM{Form: GibbsAscent, Base: &SGD{LR: 0.1}, Rho: 0.5, Seed: 3}},
		{"RW-SAM Corrections", &RWSAM{Form: Corrections, Unit: 2, Draws: 2, Base: &SGD{LR: 0.1}, Rho: 0.5, Seed: 4}},
		{"GSAM", &GSAM{Base: &SGD{LR: 0.1}, Rho: 0.5}},
		{"WSAM", &WSAM{Base: &SGD{LR: 0.1}, Rho: 0.5}},
		{"ESAM", &ESAM{Base: &SGD{LR: 0.1}, Rho: 0.5, Seed: 5}},
		{"LookSAM", &LookSAM{Base: &SGD{LR: 0.1}, Rho: 0.5}},
		{"FriendlySAM", &FriendlySAM{Base: &SGD{LR: 0.1}, Rho: 0.5}},
		{"IntervalSAM", &IntervalSAM{Base: &SGD{LR: 0.1}, Rho: 0.5}},
	} {
		obj, ref := newObj(), newObj()
		w := append([]float64(nil), w0...)
		ref.LossGradUpdate(nil, w, batch)
		if _, err := c.opt.Step(w, obj, batch); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !stateEqual(obj.State, ref.State) {
			t.Errorf("%s: state after one step differs from one update at w on the batch\nmeans %v\nwant  %v (step %d, want %d)",
				c.name, obj.State.Mean, ref.State.Mean, obj.State.Step, ref.State.Step)
		}
		if c.name == "m-SAM" {
			// Two micro-batches of 4, two gradient passes each, plus the forward-only
			// state pass on the 8 samples (Serial counts all passes run one after another,
			// Depth the longest chain: one micro-batch plus the state pass).
			want := Cost{Forward: 5, Backward: 4, ForwardSamples: 24, BackwardSamples: 16, Serial: 5, Depth: 3}
			if got := c.opt.(*SAM).LastCost(); got != want {
				t.Errorf("m-SAM cost %+v, want %+v", got, want)
			}
		}
	}
}

// Train with a stateful objective (batch normalisation, dropout, label smoothing) stopped,
// checkpointed and resumed on a fresh objective (state restored from the checkpoint) ends
// with the same parameters and model state, bit for bit, as the uninterrupted run; with
// decoupled weight decay, a warm-up + cosine schedule and gradient clipping.
func TestTrainResumeModelState(t *testing.T) {
	newObj, w0 := bnTask(t, 30)
	for _, c := range []struct {
		name string
		opt  func() Optimizer
	}{
		{"SGD", func() Optimizer { return &SGD{LR: 0.05, Momentum: 0.9, DecoupledWD: 0.01} }},
		{"SGD warm-up cosine clip", func() Optimizer {
			return &SGD{LR: 0.05, Momentum: 0.9, WeightDecay: 5e-4, ClipNorm: 0.5,
				Schedule: Warmup{Steps: 3, Then: Cosine{Total: 7}}}
		}},
		{"SAM", func() Optimizer { return &SAM{Base: &SGD{LR: 0.05, Momentum: 0.9}, Rho: 0.05} }},
		{"m-SAM", func() Optimizer { return &SAM{Base: &Adam{LR: 0.01, DecoupledWD: 0.01}, Rho: 0.05, Micro: 2} }},
	} {
		settings := func() *TrainSettings { return &TrainSettings{Epochs: 2, Batch: 6, Seed: 4} }
		full := newObj()
		want := append([]float64(nil), w0...)
		if _, err := Train(want, full, c.opt(), settings()); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		var saved bytes.Buffer
		s := settings()
		s.Context = ctx
		s.SaveCheckpoint = func(cp *Checkpoint) error { return cp.Save(&saved) }
		w := append([]float64(nil), w0...)
		if _, err := Train(w, newObj(), &statefulCancel{&cancelOpt{inner: c.opt(), after: 7, cancel: cancel}}, s); !errors.Is(err, context.Canceled) {
			t.Fatalf("%s: first leg err = %v", c.name, err)
		}
		cp, err := LoadCheckpoint(&saved)
		if err != nil {
			t.Fatal(err)
		}
		s = settings()
		s.Resume = cp
		resumed := newObj()
		got := make([]float64, len(w0))
		if _, err := Train(got, resumed, c.opt(), s); err != nil {
			t.Fatal(err)
		}
		if !bitsEqual(got, want) || !stateEqual(resumed.State, full.State) {
			t.Errorf("%s: resumed run differs from the uninterrupted one (params equal %v, state equal %v)",
				c.name, bitsEqual(got, want), stateEqual(resumed.State, full.State))
		}
		if full.State.Step != 10 {
			t.Errorf("%s: Step = %d after 2 epochs of 5 steps", c.name, full.State.Step)
		}
		// A checkpoint without model state cannot resume a stateful objective.
		cp.Model = nil
		if _, err := Train(make([]float64, len(w0)), newObj(), c.opt(), s); err == nil {
			t.Errorf("%s: resume without model state accepted", c.name)
		}
	}
	obj := newObj()
	b, _ := obj.MarshalState()
	b[len(b)-1] = 0xff // the last variance becomes NaN
	b[len(b)-2] = 0xff
	if err := obj.UnmarshalState(b); err == nil {
		t.Error("UnmarshalState accepted a NaN variance")
	}
	if err := obj.UnmarshalState(b[:5]); err == nil {
		t.Error("UnmarshalState accepted truncated state")
	}
}

// Steady-state steps on a stateful objective allocate nothing, also when the whole-batch
// state update and the micro-batch passes share the objective's scratch (m-SAM).
func TestModelStateNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under -race")
	}
	newObj, w0 := bnTask(t, 24)
	batch := []int{3, 7, 1, 0, 12, 9, 20, 15, 2, 4, 5, 6, 8, 10, 11, 13}
	for _, opt := range []Optimizer{&SGD{LR: 0.01}, &SAM{Base: &SGD{LR: 0.01}, Rho: 0.05}, &SAM{Base: &SGD{LR: 0.01}, Rho: 0.05, Micro: 2}} {
		obj, w := newObj(), append([]float64(nil), w0...)
		step := func() {
			if _, err := opt.Step(w, obj, batch); err != nil {
				t.Fatal(err)
			}
		}
		for range 30 { // every scratch value grows to the whole batch once
			step()
		}
		if a := testing.AllocsPerRun(10, step); a != 0 {
			t.Errorf("%T: %v allocs per step", opt, a)
		}
	}
}

// Passes below the objective's MinBatch (batch normalisation in training mode needs 2
// samples) are errors naming the setting, not panics.
func TestModelStateMinBatch(t *testing.T) {
	newObj, w0 := bnTask(t, 24)
	for _, c := range []struct {
		opt   Optimizer
		batch []int
		want  string
	}{
		{&SGD{}, []int{4}, "len(batch) = 1"},
		{&SAM{Base: &SGD{}, Rho: 0.1, Micro: 1}, []int{1, 2, 3, 4}, "smallest micro-batch (Micro) = 1"},
		{&SAM{Base: &SGD{}, Rho: 0.1, Micro: 3, Remainder: RemainderPartial}, []int{1, 2, 3, 4}, "smallest micro-batch (Micro) = 1"},
		{&RWSAM{Form: Corrections, Unit: 1, Base: &SGD{}, Rho: 0.1}, []int{1, 2, 3, 4}, "RWSAM.Unit = 1"},
		{&NSAM{Base: &SGD{}, Rho: 0.1, AscentBatch: 1}, []int{1, 2, 3, 4}, "NSAM.AscentBatch = 1"},
	} {
		w := append([]float64(nil), w0...)
		_, err := c.opt.Step(w, newObj(), c.batch)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%T: error %v, want it to contain %q", c.opt, err, c.want)
		}
	}
	obj := newObj()
	obj.Eval = true // evaluation mode takes single samples
	if _, err := (&SGD{}).Step(append([]float64(nil), w0...), obj, []int{4}); err != nil {
		t.Errorf("evaluation mode, one sample: %v", err)
	}
}
