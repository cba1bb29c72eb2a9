package sam

import "testing"

// BenchmarkVariantStep times one step of each SAM variant beside SAM and SGD on the
// problem of BenchmarkOptimizerStep (MLP 784-256-256-10, batch 128, SGD momentum 0.9, lr
// 0.05, ρ = 0.05), each with its defaults. LookSAM and IntervalSAM report the mean over
// their k-step cycle (the 32 batches cover 6 cycles of 5 and a part).
func BenchmarkVariantStep(b *testing.B) {
	obj, w0 := mlpBench(b)
	base := func() Updater { return &SGD{LR: 0.05, Momentum: 0.9} }
	cases := []struct {
		name string
		opt  func() Optimizer
	}{
		{"sgd", func() Optimizer { return &SGD{LR: 0.05, Momentum: 0.9} }},
		{"sam", func() Optimizer { return &SAM{Base: base(), Rho: 0.05} }},
		{"gsam", func() Optimizer {
			return &GSAM{Base: base(), Rho: 0.05, Schedule: Cosine{Total: 1 << 20}}
		}},
		{"wsam", func() Optimizer { return &WSAM{Base: base(), Rho: 0.05} }},
		{"esam", func() Optimizer { return &ESAM{Base: base(), Rho: 0.05, Seed: 1} }},
		{"looksam", func() Optimizer { return &LookSAM{Base: base(), Rho: 0.05} }},
		{"friendlysam", func() Optimizer { return &FriendlySAM{Base: base(), Rho: 0.05} }},
		{"intervalsam", func() Optimizer { return &IntervalSAM{Base: base(), Rho: 0.05} }},
	}
	for _, c := range cases {
		b.Run("opt="+c.name, func(b *testing.B) { benchStep(b, obj, w0, c.opt()) })
	}
}
