package sam

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/sdeml/sdeml/nn"
)

// mlpBench is the benchmark problem of docs/bench/peers/torch_sam.py: MLP 784-256-256-10
// ReLU, softmax cross-entropy, 4096 inputs uniform on [0,1)^784 with random labels.
func mlpBench(b *testing.B) (*nn.Supervised, []float64) {
	const n = 4096
	rng := rand.New(rand.NewPCG(0, 0))
	x := make([]float64, n*784)
	for i := range x {
		x[i] = rng.Float64()
	}
	lab := make([]int, n)
	for i := range lab {
		lab[i] = rng.IntN(10)
	}
	net, err := nn.NewMLP([]int{784, 256, 256, 10}, nn.ReLU, nn.Identity)
	if err != nil {
		b.Fatal(err)
	}
	obj, err := nn.NewSupervised(net, &nn.Dataset{X: mat.NewDense(n, 784, x), Labels: lab}, nn.SoftmaxCE{})
	if err != nil {
		b.Fatal(err)
	}
	w := make([]float64, net.NumParams())
	net.Init(w, nn.He, rand.NewPCG(1, 1))
	return obj, w
}

// BenchmarkOptimizerStep times one optimizer step, batch 128, float64, with SGD momentum
// 0.9 (lr 0.05) as the base, ρ = 0.05, as in torch_sam.py.
func BenchmarkOptimizerStep(b *testing.B) {
	obj, w0 := mlpBench(b)
	base := func() Updater { return &SGD{LR: 0.05, Momentum: 0.9} }
	cases := []struct {
		name string
		opt  func() Optimizer
	}{
		{"sgd", func() Optimizer { return &SGD{LR: 0.05, Momentum: 0.9} }},
		{"sam", func() Optimizer { return &SAM{Base: base(), Rho: 0.05} }},
		{"msam16", func() Optimizer { return &SAM{Base: base(), Rho: 0.05, Micro: 16} }},
		{"msam4", func() Optimizer { return &SAM{Base: base(), Rho: 0.05, Micro: 4} }},
		{"rwsam", func() Optimizer { return &RWSAM{Form: Corrections, Unit: 1, Base: base(), Rho: 0.05, Draws: 4} }},
		{"rwsam-stale", func() Optimizer {
			return &RWSAM{Form: Corrections, Unit: 1, Base: base(), Rho: 0.05, Draws: 4, Score: &Stale{}}
		}},
		{"rwsam-fd", func() Optimizer {
			return &RWSAM{Form: Corrections, Unit: 1, Base: base(), Rho: 0.05, Draws: 4, Score: &FiniteDiff{Dirs: 1}}
		}},
		{"rwsam-gibbs", func() Optimizer { return &RWSAM{Form: GibbsAscent, Base: base(), Rho: 0.05} }},
		{"rwsam-zero", func() Optimizer { return &RWSAM{Base: base(), Rho: 0.05} }},
	}
	for _, c := range cases {
		b.Run("opt="+c.name, func(b *testing.B) { benchStep(b, obj, w0, c.opt()) })
	}
}

// benchStep times opt.Step on 32 consecutive batches of 128 (cycled) from w0, after one
// warm-up step that sizes the buffers, and reports the CPU time and the mean cost per step.
func benchStep(b *testing.B, obj nn.Objective, w0 []float64, opt Optimizer) {
	w := append([]float64(nil), w0...)
	step := 0
	batch := func() []int {
		lo := (step * 128) % obj.Len()
		step++
		return seqFrom(lo, 128)
	}
	bs := make([][]int, 32)
	for i := range bs {
		bs[i] = batch()
	}
	if _, err := opt.Step(w, obj, bs[0]); err != nil { // warm-up: buffers sized
		b.Fatal(err)
	}
	i := 0
	cs, costs := opt.(Coster)
	var samples, serial int
	b.ReportAllocs()
	cpu := cpuSeconds()
	for b.Loop() {
		if _, err := opt.Step(w, obj, bs[i%len(bs)]); err != nil {
			b.Fatal(err)
		}
		if costs {
			c := cs.LastCost()
			samples += c.BackwardSamples
			serial += c.Serial
		}
		i++
	}
	n := float64(max(i, 1))
	b.ReportMetric(1e3*(cpuSeconds()-cpu)/n, "cpu-ms/op")
	if costs { // means over the loop: LookSAM and IntervalSAM vary from step to step
		b.ReportMetric(float64(samples)/128/n, "sample-passes/B")
		b.ReportMetric(float64(serial)/n, "serial-passes")
	}
}

func seqFrom(lo, n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = lo + i
	}
	return s
}

// BenchmarkMicroSAM times an m-SAM step (m = 2, batch 64) on diagonal nets of growing
// dimension 2p: the small sizes take the serial path of the engine, the large ones the
// parallel rounds.
func BenchmarkMicroSAM(b *testing.B) {
	for _, p := range []int{100, 10000, 100000} {
		b.Run(fmt.Sprintf("p=%d", p), func(b *testing.B) {
			obj, w := smallTask(1, 64, p)
			opt := &SAM{Base: &SGD{LR: 1e-3}, Rho: 0.05, Micro: 2}
			batch := seq(64)
			if _, err := opt.Step(w, obj, batch); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := opt.Step(w, obj, batch); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
