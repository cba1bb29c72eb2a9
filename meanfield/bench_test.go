package meanfield

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// benchCase is one benchmarked step: a trainer, its particles and, if not nil, their
// initial values, restored after every step so that every step does the same work.
type benchCase struct {
	name string
	m    Method
	n    int
	tr   *Trainer
	ps   *Particles
	w0   []float64
}

func (c benchCase) label() string {
	if c.name == "mnist" {
		return fmt.Sprintf("mnist/N=%d/M=100", c.n)
	}
	return fmt.Sprintf("tanh/%v/N=%d", c.m, c.n)
}

// benchCases returns the steps of BenchmarkStep (N tanh units on the 32-point
// Gauss–Legendre quadrature of docs/derivations/msgld.md §7 under GD, Gaussian SGD and mSGLD, and
// online SGD with M = 32 fresh samples of x ~ U[−1, 1], y = sin πx) and of
// BenchmarkMNISTStep (the paper's ReLU unit, p = 784, K = 10, softmax cross-entropy,
// torch-default initialisation, N = 1000, M = 100, on a synthetic dataset of MNIST's shape).
func benchCases(tb testing.TB) []benchCase {
	data, err := Quadrature1D(32, -1, 1, func(x float64) float64 { return math.Sin(math.Pi * x) })
	if err != nil {
		tb.Fatal(err)
	}
	sampler := FuncSampler{P: 1, K: 1, Draw: func(x, y []float64, r *rand.Rand) {
		x[0] = 2*r.Float64() - 1
		y[0] = math.Sin(math.Pi * x[0])
	}}
	var cs []benchCase
	for _, n := range []int{256, 4096} {
		for _, m := range []Method{GD, SGD, GaussianSGD, MSGLD} {
			ps := randomParticles(tb, n, 3, 1)
			tr := &Trainer{Unit: TanhUnit(1), Loss: Squared{}, Method: m, Data: data, Sampler: sampler, Batch: 32,
				Schedule: Schedule{Gamma: 1e-3, Beta: 1, N: n}}
			if m == SGD {
				tr.Data = nil
			}
			cs = append(cs, benchCase{m: m, n: n, tr: tr, ps: ps, w0: append([]float64(nil), ps.W...)})
		}
	}
	const p, K, nData, n = 784, 10, 1000, 1000
	r := rand.New(rand.NewPCG(1, 2))
	x := make([]float64, nData*p)
	y := make([]float64, nData*K)
	for i := range x {
		x[i] = r.NormFloat64()
	}
	for i := range nData {
		y[i*K+r.IntN(K)] = 1
	}
	mnist, err := NewPoints(p, K, x, y, nil)
	if err != nil {
		tb.Fatal(err)
	}
	u := ReLUUnit{P: p, K: K}
	ps, _ := NewParticles(n, u.Dim())
	ps.InitTorchDefault(u, rand.NewPCG(3, 4))
	tr := &Trainer{Unit: u, Loss: SoftmaxCE{}, Method: SGD, Data: mnist, Batch: 100,
		Schedule: Schedule{Gamma: 1, Beta: 0.5, N: n}}
	// The MNIST step is stable at this step size, so its particles are not restored (w0 nil).
	cs = append(cs, benchCase{name: "mnist", m: SGD, n: n, tr: tr, ps: ps})
	return cs
}

// BenchmarkStep times one step of N tanh units on the 32-point Gauss–Legendre quadrature
// (GD, Gaussian SGD, mSGLD) and one online SGD step with M = 32 samples.
func BenchmarkStep(b *testing.B) {
	for _, c := range benchCases(b) {
		if c.name != "" {
			continue
		}
		b.Run(c.label(), func(b *testing.B) { runBench(b, c) })
	}
}

// BenchmarkMNISTStep times one SGD step of the paper's ReLU network (N = 1000, M = 100).
func BenchmarkMNISTStep(b *testing.B) {
	for _, c := range benchCases(b) {
		if c.name == "mnist" {
			b.Run(fmt.Sprintf("N=%d/M=100", c.n), func(b *testing.B) { runBench(b, c) })
		}
	}
}

// runBench times steady-state steps: one step before the loop creates the Trainer's scratch
// space and random streams (N streams for mSGLD), which b.Loop leaves out of the time and
// the allocation count.
func runBench(b *testing.B, c benchCase) {
	if _, err := c.tr.Step(c.ps, 0); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := c.tr.Step(c.ps, 0); err != nil {
			b.Fatal(err)
		}
		if c.w0 != nil {
			copy(c.ps.W, c.w0)
		}
	}
}
