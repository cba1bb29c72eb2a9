package sam

import (
	"testing"

	"github.com/sdeml/sdeml/internal/cpu"
	"github.com/sdeml/sdeml/nn"
)

// BenchmarkOptimizerStep32 is BenchmarkOptimizerStep on nn.Supervised32, the
// mixed-precision (float32 compute, float64 parameters) objective of the same problem;
// the kernel level ends the names. Compare with docs/bench/peers/torch_sam.py --dtype
// float32.
func BenchmarkOptimizerStep32(b *testing.B) {
	obj64, w0 := mlpBench(b)
	obj, err := nn.NewSupervised32(obj64.Net, obj64.Data, obj64.Loss)
	if err != nil {
		b.Fatal(err)
	}
	level := "/level=" + cpu.Active().String()
	base := func() Updater { return &SGD{LR: 0.05, Momentum: 0.9} }
	cases := []struct {
		name string
		opt  func() Optimizer
	}{
		{"sgd", func() Optimizer { return &SGD{LR: 0.05, Momentum: 0.9} }},
		{"sam", func() Optimizer { return &SAM{Base: base(), Rho: 0.05} }},
		{"msam16", func() Optimizer { return &SAM{Base: base(), Rho: 0.05, Micro: 16} }},
		{"msam4", func() Optimizer { return &SAM{Base: base(), Rho: 0.05, Micro: 4} }},
	}
	for _, c := range cases {
		b.Run("opt="+c.name+level, func(b *testing.B) { benchStep(b, obj, w0, c.opt()) })
	}
}
