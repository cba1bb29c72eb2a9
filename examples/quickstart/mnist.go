package main

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/sdeml/sdeml/nn"
	"github.com/sdeml/sdeml/nn/data"
	"github.com/sdeml/sdeml/sam"
)

// runMNIST trains a 784-128-10 ReLU MLP on the 60 000 MNIST training images for two epochs
// (batch 64, SGD with momentum 0.9 as the base step) with plain SGD, SAM (ρ = 0.05) and m-SAM
// (ρ = 0.05, micro-batches of m = 16, run in parallel), from the same initialisation, and
// reports accuracy on the 10 000 test images and the time per step.
func runMNIST(seed uint64) ([]row, error) {
	train, test, err := data.LoadMNIST("")
	if err != nil {
		return nil, err
	}
	net, err := nn.NewMLP([]int{784, 128, 10}, nn.ReLU, nn.Identity)
	if err != nil {
		return nil, err
	}
	w0 := make([]float64, net.NumParams())
	net.Init(w0, nn.TorchDefault, rand.NewPCG(seed, 1))
	obj, err := nn.NewSupervised(net, train, nn.SoftmaxCE{})
	if err != nil {
		return nil, err
	}
	testObj, err := nn.NewSupervised(net, test, nn.SoftmaxCE{})
	if err != nil {
		return nil, err
	}
	all := make([]int, test.Len())
	for i := range all {
		all[i] = i
	}
	base := func() *sam.SGD { return &sam.SGD{LR: 0.05, Momentum: 0.9} }
	var rows []row
	for _, c := range []struct {
		name string
		opt  sam.Optimizer
	}{
		{"SGD", base()},
		{"SAM", &sam.SAM{Base: base(), Rho: 0.05}},
		{"m-SAM, m = 16", &sam.SAM{Base: base(), Rho: 0.05, Micro: 16}},
	} {
		w := append([]float64(nil), w0...)
		start := time.Now()
		hist, err := sam.Train(w, obj, c.opt, &sam.TrainSettings{Epochs: 2, Batch: 64, Seed: seed})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.name, err)
		}
		perStep := time.Since(start).Seconds() * 1e3 / float64(hist.Steps)
		rows = append(rows, row{"mnist", fmt.Sprintf("test accuracy, 784-128-10, 2 epochs, %s", c.name),
			fmt.Sprintf("%.2f%%", 100*testObj.Accuracy(w, all)), fmt.Sprintf("> 90%%; %.2f ms/step", perStep)})
	}
	return rows, nil
}
