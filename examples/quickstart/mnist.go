package main

import (
	"fmt"
	"math/rand/v2"

	"github.com/sdeml/sdeml/nn"
	"github.com/sdeml/sdeml/sam"
)

// runMNIST trains a 784-128-10 ReLU MLP with SGD (momentum 0.9, batch 64) for two epochs on
// the 60 000 MNIST training images and reports the accuracy on the 10 000 test images.
func runMNIST(seed uint64) ([]row, error) {
	train, test, err := nn.LoadMNIST("")
	if err != nil {
		return nil, err
	}
	net, err := nn.NewMLP([]int{784, 128, 10}, nn.ReLU, nn.Identity)
	if err != nil {
		return nil, err
	}
	w := make([]float64, net.NumParams())
	net.Init(w, nn.TorchDefault, rand.NewPCG(seed, 1))
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
	opt := &sam.SGD{LR: 0.05, Momentum: 0.9}
	hist, err := sam.Train(w, obj, opt, &sam.TrainSettings{Epochs: 2, Batch: 64, Seed: seed})
	if err != nil {
		return nil, err
	}
	acc := testObj.Accuracy(w, all)
	return []row{
		{"mnist", "train loss, last epoch (784-128-10, SGD)", fmt.Sprintf("%.4f", hist.TrainLoss[len(hist.TrainLoss)-1]), ""},
		{"mnist", "test accuracy (10k images)", fmt.Sprintf("%.2f%%", 100*acc), "> 90%"},
	}, nil
}
