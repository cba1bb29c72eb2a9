package nn_test

import (
	"math/rand/v2"
	"testing"

	"github.com/sdeml/sdeml/nn"
	"github.com/sdeml/sdeml/sam"
)

// resnetBench is the problem of docs/bench/resnet_peer.py: ResNet-8 of width 16
// (nn.ResNet{Width: 16, Classes: 10}: 3 stages of one block, 16/32/64 channels, batch
// normalisation, global average pooling) with softmax cross-entropy on 1024 inputs
// uniform on [0,1)^784 with random labels, in training mode.
func resnetBench(b *testing.B) (*nn.GraphSupervised, []float64) {
	g, err := nn.ResNet{Width: 16, Classes: 10}.Graph(nn.Shape{C: 1, H: 28, W: 28})
	if err != nil {
		b.Fatal(err)
	}
	obj, err := nn.NewGraphSupervised(g, benchImages(), nn.SoftmaxCE{})
	if err != nil {
		b.Fatal(err)
	}
	w := make([]float64, g.NumParams())
	g.Init(w, nn.He, rand.NewPCG(1, 1))
	return obj, w
}

// BenchmarkResNetStep times one optimizer step of ResNet-8, batch 128, float64: SGD with
// momentum 0.9 (lr 0.05), and SAM and m-SAM (m = 16) with ρ = 0.05 on that base.
func BenchmarkResNetStep(b *testing.B) {
	obj, w0 := resnetBench(b)
	base := func() sam.Updater { return &sam.SGD{LR: 0.05, Momentum: 0.9} }
	for _, c := range []struct {
		name string
		opt  sam.Optimizer
	}{
		{"sgd", &sam.SGD{LR: 0.05, Momentum: 0.9}},
		{"sam", &sam.SAM{Base: base(), Rho: 0.05}},
		{"msam16", &sam.SAM{Base: base(), Rho: 0.05, Micro: 16}},
	} {
		b.Run("opt="+c.name, func(b *testing.B) { benchSteps(b, c.opt, obj, w0) })
	}
}
