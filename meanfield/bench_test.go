package meanfield

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// BenchmarkStep times one step of N tanh units on the 32-point Gauss–Legendre quadrature
// of §9 (GD, Gaussian SGD, mSGLD) and one online SGD step with M = 32 samples.
func BenchmarkStep(b *testing.B) {
	data, err := Quadrature1D(32, -1, 1, func(x float64) float64 { return math.Sin(math.Pi * x) })
	if err != nil {
		b.Fatal(err)
	}
	sampler := FuncSampler{P: 1, K: 1, Draw: func(x, y []float64, r *rand.Rand) {
		x[0] = 2*r.Float64() - 1
		y[0] = math.Sin(math.Pi * x[0])
	}}
	for _, n := range []int{256, 4096} {
		for _, m := range []Method{GD, SGD, GaussianSGD, MSGLD} {
			b.Run(fmt.Sprintf("tanh/%v/N=%d", m, n), func(b *testing.B) {
				ps := randomParticles(b, n, 3, 1)
				tr := Trainer{Unit: TanhUnit(1), Loss: Squared{}, Method: m, Data: data, Sampler: sampler, Batch: 32,
					Schedule: Schedule{Gamma: 1e-3, Beta: 1, N: n}}
				if m == SGD {
					tr.Data = nil
				}
				w0 := append([]float64(nil), ps.W...)
				for b.Loop() {
					if _, err := tr.Step(ps, 0); err != nil {
						b.Fatal(err)
					}
					copy(ps.W, w0)
				}
			})
		}
	}
}

// BenchmarkMNISTStep times one SGD step of the paper's ReLU unit (p = 784, K = 10,
// softmax cross-entropy, torch-default initialisation) for N = 1000 and M = 100 on a
// synthetic dataset with MNIST's shape.
func BenchmarkMNISTStep(b *testing.B) {
	const p, K, nData = 784, 10, 1000
	r := rand.New(rand.NewPCG(1, 2))
	x := make([]float64, nData*p)
	y := make([]float64, nData*K)
	for i := range x {
		x[i] = r.NormFloat64()
	}
	for i := range nData {
		y[i*K+r.IntN(K)] = 1
	}
	data, err := NewPoints(p, K, x, y, nil)
	if err != nil {
		b.Fatal(err)
	}
	u := ReLUUnit{P: p, K: K}
	for _, n := range []int{1000} {
		b.Run(fmt.Sprintf("N=%d/M=100", n), func(b *testing.B) {
			ps, _ := NewParticles(n, u.Dim())
			ps.InitTorchDefault(u, rand.NewPCG(3, 4))
			tr := Trainer{Unit: u, Loss: SoftmaxCE{}, Method: SGD, Data: data, Batch: 100,
				Schedule: Schedule{Gamma: 1, Beta: 0.5, N: n}}
			for b.Loop() {
				if _, err := tr.Step(ps, 0); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
