package sam_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/sdeml/sdeml/sam"
)

// GSAM's radius follows the learning rate: with the base's cosine schedule over 100 steps
// and ρ from 0.1 down to 0.02, ρ_t = 0.02 + 0.08·factor(t).
func ExampleGSAM() {
	task, _ := sam.NewDiagNetTask(rand.NewPCG(1, 1), 16, 200, 10, 2)
	w := task.Init(0.5)
	sched := sam.Cosine{Total: 100}
	opt := &sam.GSAM{Base: &sam.SGD{LR: 0.1, Schedule: sched}, Rho: 0.1, RhoMin: 0.02, Schedule: sched}
	h, err := sam.Train(w, task.Train, opt, &sam.TrainSettings{Epochs: 25, Batch: 4, Seed: 1})
	fmt.Printf("%v ρ_0 = %.3f ρ_50 = %.3f ρ_100 = %.3f steps %d passes/step %d\n",
		err, opt.RhoAt(0), opt.RhoAt(50), opt.RhoAt(100), h.Steps, opt.LastCost().Backward)
	fmt.Printf("train loss %.3f → %.3f\n", h.TrainLoss[0], h.TrainLoss[24])
	// Output:
	// <nil> ρ_0 = 0.100 ρ_50 = 0.060 ρ_100 = 0.020 steps 100 passes/step 2
	// train loss 0.387 → 0.004
}

// WSAM adds the SAM sharpness with weight γ/(1−γ) (9 by default) to the loss.
func ExampleWSAM() {
	task, _ := sam.NewDiagNetTask(rand.NewPCG(1, 1), 16, 200, 10, 2)
	w := task.Init(0.5)
	opt := &sam.WSAM{Base: &sam.SGD{LR: 0.1}, Rho: 0.01}
	h, err := sam.Train(w, task.Train, opt, &sam.TrainSettings{Epochs: 25, Batch: 4, Seed: 1})
	fmt.Printf("%v train loss %.3f → %.3f, %d passes per step\n", err, h.TrainLoss[0], h.TrainLoss[24], opt.LastCost().Backward)
	// Output:
	// <nil> train loss 0.387 → 0.001, 2 passes per step
}

// ESAM keeps the half of the batch whose loss the (randomly masked) perturbation raised
// most: a gradient pass over 8 samples at w, two forward passes over 8 for the per-sample
// loss increase, and the descent pass over the 4 selected samples.
func ExampleESAM() {
	task, _ := sam.NewDiagNetTask(rand.NewPCG(5, 6), 8, 1, 4, 2)
	w := task.Init(0.5)
	opt := &sam.ESAM{Base: &sam.SGD{LR: 0.1}, Rho: 0.05, Seed: 1}
	_, err := opt.Step(w, task.Train, []int{0, 1, 2, 3, 4, 5, 6, 7})
	fmt.Printf("%v %+v\n", err, opt.LastCost())
	// Output:
	// <nil> {Forward:4 Backward:2 ForwardSamples:28 BackwardSamples:12 Serial:4 Depth:4}
}

// LookSAM computes the perturbed gradient on steps 0, 5, 10, … and reuses its component
// orthogonal to the gradient in between: 20 steps cost 24 passes.
func ExampleLookSAM() {
	task, _ := sam.NewDiagNetTask(rand.NewPCG(1, 1), 16, 200, 10, 2)
	w := task.Init(0.5)
	opt := &sam.LookSAM{Base: &sam.SGD{LR: 0.1}, Rho: 0.05}
	h, err := sam.Train(w, task.Train, opt, &sam.TrainSettings{Epochs: 5, Batch: 4, Seed: 1})
	fmt.Printf("%v steps %d passes %d, train loss %.3f → %.3f\n", err, h.Steps, h.Cost.Backward, h.TrainLoss[0], h.TrainLoss[4])
	// Output:
	// <nil> steps 20 passes 24, train loss 0.394 → 0.212
}

// F-SAM perturbs along the batch gradient minus a moving average of past gradients.
func ExampleFriendlySAM() {
	task, _ := sam.NewDiagNetTask(rand.NewPCG(1, 1), 16, 200, 10, 2)
	w := task.Init(0.5)
	opt := &sam.FriendlySAM{Base: &sam.SGD{LR: 0.1, Momentum: 0.9}, Rho: 0.05}
	h, err := sam.Train(w, task.Train, opt, &sam.TrainSettings{Epochs: 25, Batch: 4, Seed: 1})
	fmt.Printf("%v train loss %.3f → %.3f\n", err, h.TrainLoss[0], h.TrainLoss[24])
	// Output:
	// <nil> train loss 0.387 → 0.002
}

// SAM every 5th step, plain gradient steps in between: 20 steps cost 24 passes.
func ExampleIntervalSAM() {
	task, _ := sam.NewDiagNetTask(rand.NewPCG(1, 1), 16, 200, 10, 2)
	w := task.Init(0.5)
	opt := &sam.IntervalSAM{Base: &sam.SGD{LR: 0.1}, Rho: 0.05}
	h, err := sam.Train(w, task.Train, opt, &sam.TrainSettings{Epochs: 5, Batch: 4, Seed: 1})
	fmt.Printf("%v steps %d passes %d\n", err, h.Steps, h.Cost.Backward)
	// Output:
	// <nil> steps 20 passes 24
}
