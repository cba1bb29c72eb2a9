package sam_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"

	"github.com/sdeml/sdeml/nn"

	"github.com/sdeml/sdeml/sam"
)

// m-SAM on the stochastic diagonal linear network: smaller micro-batches recover the
// sparse target better than SAM on the whole batch.
func Example() {
	task, err := sam.NewDiagNetTask(rand.NewPCG(1, 2), 40, 1000, 100, 5)
	if err != nil {
		panic(err)
	}
	for _, m := range []int{20, 2} {
		w := task.Init(0.1)
		opt := &sam.SAM{Base: &sam.SGD{LR: 0.1}, Rho: 0.3, Micro: m, Norm: sam.Unnormalized}
		rng := rand.New(rand.NewPCG(3, 4))
		for range 3000 {
			batch := rng.Perm(40)[:20]
			if _, err := opt.Step(w, task.Train, batch); err != nil {
				panic(err)
			}
		}
		idx := make([]int, 1000)
		for i := range idx {
			idx[i] = i
		}
		fmt.Printf("m = %2d: test loss %.1e\n", m, task.Test.LossGrad(nil, w, idx))
	}
	// Output:
	// m = 20: test loss 1.8e-02
	// m =  2: test loss 5.4e-03
}

// SAM's perturbation has norm ρ; the cost of a step is two passes over the batch.
func ExampleSAM() {
	task, _ := sam.NewDiagNetTask(rand.NewPCG(5, 6), 8, 1, 4, 2)
	w := task.Init(0.5)
	opt := &sam.SAM{Base: &sam.SGD{LR: 0.1, Momentum: 0.9}, Rho: 0.05}
	loss, err := opt.Step(w, task.Train, []int{0, 1, 2, 3, 4, 5, 6, 7})
	fmt.Printf("loss %.4f err %v cost %+v\n", loss, err, opt.LastCost())
	// Output:
	// loss 0.3237 err <nil> cost {Forward:2 Backward:2 ForwardSamples:16 BackwardSamples:16 Serial:2 Depth:2}
}

// RW-SAM's default form (VirtualMicro) reweights the batch as one random "virtual
// micro-batch": the 8 samples form K = 2 units of the default m = 4, unit j gets the weight
// (1 + b s_j)/8 with zero-sum signs s_j and b = √(K−1), and the step is
// g_B + [∇f_p(w + ε) − g_p] − [∇f_B(w + ε) − g_B] with ε along g_p. DiagNet gives g_B and
// the weighted gradient at w from one pass (LossGradWeighted) and w + ε needs one weighted
// pass, so that is two passes over the whole batch: 2 backward passes, 16 samples.
func ExampleRWSAM() {
	task, _ := sam.NewDiagNetTask(rand.NewPCG(7, 8), 16, 1, 6, 2)
	w := task.Init(0.5)
	opt := &sam.RWSAM{Base: &sam.SGD{LR: 0.05}, Rho: 0.1, Seed: 1}
	_, err := opt.Step(w, task.Train, []int{0, 1, 2, 3, 4, 5, 6, 7})
	c := opt.LastCost()
	fmt.Println(err, c.Backward, c.BackwardSamples)
	// Output:
	// <nil> 2 16
}

// The Corrections form estimates the m = 1 SAM direction from k = 2 per-sample
// corrections drawn with Gibbs weights on the exact per-sample gradient norms. The batch
// gradient and the norms come from one pass over the 8 samples (DiagNet.LossGradNorms),
// then one batched ascent pass and two descent passes over the 2 drawn samples: 4
// backward passes, 12 samples.
func ExampleRWSAM_corrections() {
	task, _ := sam.NewDiagNetTask(rand.NewPCG(7, 8), 16, 1, 6, 2)
	w := task.Init(0.5)
	opt := &sam.RWSAM{Form: sam.Corrections, Unit: 1, Base: &sam.SGD{LR: 0.05}, Rho: 0.1, Draws: 2, Seed: 1}
	_, err := opt.Step(w, task.Train, []int{0, 1, 2, 3, 4, 5, 6, 7})
	c := opt.LastCost()
	fmt.Println(err, c.Backward, c.BackwardSamples)
	// Output:
	// <nil> 4 12
}

// Train runs epochs of shuffled batches and reports the mean training loss per epoch.
func ExampleTrain() {
	task, _ := sam.NewDiagNetTask(rand.NewPCG(9, 10), 40, 1, 20, 3)
	w := task.Init(0.1)
	opt := &sam.SAM{Base: &sam.Adam{LR: 0.01}, Rho: 0.05, Micro: 4}
	h, err := sam.Train(w, task.Train, opt, &sam.TrainSettings{Epochs: 200, Batch: 8, Seed: 1})
	// The last loss is ~1e-6, where Adam's normalized steps amplify rounding: print a bound.
	fmt.Printf("%v first %.3f last < 1e-4: %v steps %d\n", err, h.TrainLoss[0], h.TrainLoss[199] < 1e-4, h.Steps)
	// Output:
	// <nil> first 0.423 last < 1e-4: true steps 1000
}

// Checkpoints written to disk during training with Checkpoint.SaveFile, which replaces the
// file atomically (a kill mid-write leaves the previous checkpoint), and a run resumed from
// the file that ends with the same parameters as the uninterrupted run.
func ExampleCheckpoint_SaveFile() {
	dir, _ := os.MkdirTemp("", "sam")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "run.ckpt")
	task, _ := sam.NewDiagNetTask(rand.NewPCG(9, 10), 40, 1, 20, 3)
	settings := func() *sam.TrainSettings {
		return &sam.TrainSettings{Epochs: 4, Batch: 8, Seed: 1}
	}

	full := task.Init(0.1)
	sam.Train(full, task.Train, &sam.SAM{Base: &sam.SGD{LR: 0.05}, Rho: 0.05}, settings())

	// A run that saves every 7 steps and is stopped (here by an error) after step 12.
	w := task.Init(0.1)
	s := settings()
	s.CheckpointEvery = 7
	s.SaveCheckpoint = func(cp *sam.Checkpoint) error { return cp.SaveFile(path) }
	crash := &stopAfter{SAM: &sam.SAM{Base: &sam.SGD{LR: 0.05}, Rho: 0.05}, steps: 12}
	_, err := sam.Train(w, task.Train, crash, s)
	fmt.Println(err)

	file, _ := os.Open(path)
	cp, err := sam.LoadCheckpoint(file)
	file.Close()
	fmt.Println("checkpoint at epoch", cp.Epoch, "step", cp.Step, err)
	s = settings()
	s.Resume = cp
	sam.Train(w, task.Train, &sam.SAM{Base: &sam.SGD{LR: 0.05}, Rho: 0.05}, s)
	fmt.Println("same parameters:", slices.Equal(w, full))
	// Output:
	// sam: Train: epoch 2, step 2: crash
	// checkpoint at epoch 1 step 2 <nil>
	// same parameters: true
}

// stopAfter fails every step after the first steps, like a process killed mid-run.
type stopAfter struct {
	*sam.SAM
	steps int
}

func (s *stopAfter) Step(w []float64, obj nn.Objective, batch []int) (float64, error) {
	if s.steps == 0 {
		return 0, errors.New("crash")
	}
	s.steps--
	return s.SAM.Step(w, obj, batch)
}
