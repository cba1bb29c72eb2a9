package nn_test

import (
	"testing"

	"github.com/sdeml/sdeml/nn"
	"github.com/sdeml/sdeml/sam"
)

// BenchmarkResNetStep32 is BenchmarkResNetStep on the mixed-precision objective
// (nn.GraphSupervised32): the same network, data, parameters and optimizers.
func BenchmarkResNetStep32(b *testing.B) {
	obj64, w0 := resnetBench(b)
	obj, err := nn.NewGraphSupervised32(obj64.Net, obj64.Data, obj64.Loss)
	if err != nil {
		b.Fatal(err)
	}
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
