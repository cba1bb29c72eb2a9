package sgn_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/sdeml/sdeml/nn"
	"github.com/sdeml/sdeml/sgn"
)

// benchMLP is DESIGN.md's benchmark model: MLP 784-256-256-10, ReLU, softmax CE, on a
// 1024-sample Gaussian mixture (timings do not depend on the values).
func benchMLP(b *testing.B) (*nn.Supervised, []float64) {
	net, err := nn.NewMLP([]int{784, 256, 256, 10}, nn.ReLU, nn.Identity)
	if err != nil {
		b.Fatal(err)
	}
	data, err := nn.GaussianMixture(1024, 784, 10, 3, rand.NewPCG(1, 1))
	if err != nil {
		b.Fatal(err)
	}
	obj, err := nn.NewSupervised(net, data, nn.SoftmaxCE{})
	if err != nil {
		b.Fatal(err)
	}
	w := make([]float64, net.NumParams())
	net.Init(w, nn.He, rand.NewPCG(2, 2))
	return obj, w
}

func seq(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

// BenchmarkPerSampleGrads times the B×d per-sample gradient matrix (nn.PerSampleGrads) and
// its streamed moments (StreamMoments in chunks of 32 rows, never holding B×d).
func BenchmarkPerSampleGrads(b *testing.B) {
	obj, w := benchMLP(b)
	idx := seq(128)
	b.Run("matrix/MLP784-256-256-10/B=128", func(b *testing.B) {
		g := mat.NewDense(128, obj.Dim(), nil)
		b.ReportAllocs()
		for b.Loop() {
			obj.PerSampleGrads(g, w, idx)
		}
	})
	b.Run("StreamMoments/MLP784-256-256-10/B=128/chunk=32", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := sgn.StreamMoments(obj, w, idx, 32); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkCovSpectrum times the Gram-matrix spectrum (with the top 10 eigenvectors) of
// B = 256 gradient rows.
func BenchmarkCovSpectrum(b *testing.B) {
	for _, d := range []int{10000, 269322} {
		g := mat.NewDense(256, d, nil)
		rng := rand.New(rand.NewPCG(3, 3))
		raw := g.RawMatrix().Data
		for i := range raw {
			raw[i] = rng.NormFloat64()
		}
		b.Run(fmt.Sprintf("B=256/d=%d", d), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := sgn.CovSpectrum(g, &sgn.SpectrumSettings{K: 10}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkHutchinson times 100 Rademacher probes of tr H for the MLP's mean loss over a
// batch of 128, with nn.Hessian on the *nn.Supervised objective, i.e. nn's exact
// Hessian–vector product (R-operator, no differences; about the cost of 2 gradients per
// probe), probes in parallel on both cores.
func BenchmarkHutchinson(b *testing.B) {
	obj, w := benchMLP(b)
	idx := seq(128)
	hvp := sgn.PooledHVP(func() sgn.HVPFunc {
		h := &nn.Hessian{Obj: obj}
		return func(dst, v []float64) { h.MulVec(dst, w, v, idx) }
	})
	b.Run("probes=100/MLP784-256-256-10/B=128", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := sgn.Hutchinson(hvp, obj.Dim(), &sgn.HutchinsonSettings{MaxProbes: 100, Tol: -1}, 1); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkMicroBatchNorms times 1000 Monte Carlo micro-batches of size m from 256
// per-sample gradients of dimension 10000.
func BenchmarkMicroBatchNorms(b *testing.B) {
	g := mat.NewDense(256, 10000, nil)
	rng := rand.New(rand.NewPCG(4, 4))
	raw := g.RawMatrix().Data
	for i := range raw {
		raw[i] = rng.NormFloat64()
	}
	for _, m := range []int{4, 64} {
		b.Run(fmt.Sprintf("n=256/d=10000/m=%d/reps=1000", m), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := sgn.MicroBatchNorms(g, m, 1000, 1); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkTailIndex times the estimator on 1e6 samples.
func BenchmarkTailIndex(b *testing.B) {
	x := make([]float64, 1000000)
	rng := rand.New(rand.NewPCG(5, 5))
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	b.Run("N=1e6", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := sgn.TailIndex(x, 0); err != nil {
				b.Fatal(err)
			}
		}
	})
}
