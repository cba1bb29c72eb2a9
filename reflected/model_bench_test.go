package reflected

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/sdeml/sdeml/sam"
)

// BenchmarkSampler times one reverse-time sampler run (400 steps, Tweedie) of m particles with
// the Experiment A network (3×128 hidden, 8 frequencies); samples/s = m / (ns/op · 1e-9).
func BenchmarkSampler(b *testing.B) {
	for _, D := range []int{2, 8} {
		for _, m := range []int{256, 2000} {
			b.Run(fmt.Sprintf("net/D=%d/m=%d", D, m), func(b *testing.B) {
				net, _ := NewScoreNet(D, []int{128, 128, 128}, TimeEmbedding{Freqs: 8}, rand.NewPCG(1, 1))
				s := &Sampler{Final: FinalTweedie, Steps: 400}
				x := make([]float64, m*D)
				for b.Loop() {
					if err := s.Sample(x, net, 1); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(m)*float64(b.N)/b.Elapsed().Seconds(), "samples/s")
			})
		}
	}
	for _, D := range []int{2, 8} {
		b.Run(fmt.Sprintf("quadrature/D=%d/m=256", D), func(b *testing.B) {
			target, _ := DiagonalSegment(D, 0.5)
			q, _ := NewQuadratureScore(target)
			s := &Sampler{Final: FinalTweedie, Steps: 400}
			x := make([]float64, 256*D)
			for b.Loop() {
				if err := s.Sample(x, q, 1); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(256*float64(b.N)/b.Elapsed().Seconds(), "samples/s")
		})
	}
}

// BenchmarkDSMStep times one Adam step on the DSM objective (draws, forward, backward, update)
// with the Experiment A network (3×128 hidden), batch 128.
func BenchmarkDSMStep(b *testing.B) {
	for _, D := range []int{2, 8} {
		b.Run(fmt.Sprintf("D=%d/batch=128", D), func(b *testing.B) {
			target, _ := DiagonalSegment(D, 0.5)
			data := make([]float64, 1000*D)
			target.Sample(data, rand.NewPCG(1, 2))
			net, _ := NewScoreNet(D, []int{128, 128, 128}, TimeEmbedding{Freqs: 8}, rand.NewPCG(1, 1))
			obj, _ := NewDSM(net, data, 2e-4, 2, 1)
			opt := &sam.Adam{}
			batch := make([]int, 128)
			rnd := rand.New(rand.NewPCG(3, 3))
			for i := range batch {
				batch[i] = rnd.IntN(1000)
			}
			if _, err := opt.Step(net.W, obj, batch); err != nil { // size the buffers
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				obj.Round++
				if _, err := opt.Step(net.W, obj, batch); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkImageModel times the D = 64 (8×8 image) model of examples/reflected -task images:
// ReLU 256-256-256, 8 frequencies. DSMEpoch is one epoch over n = 10000 points (79 Adam steps
// of batch 128, indices drawn as in Train); Sampler is one run of 1000 particles × 200 steps
// with the Tweedie step. The PyTorch peer is examples/reflected/peers/torch_dsm.py image.
func BenchmarkImageModel(b *testing.B) {
	const D, n = 64, 10000
	net, _ := NewScoreNet(D, []int{256, 256, 256}, TimeEmbedding{Freqs: 8}, rand.NewPCG(1, 1))
	b.Run("DSMEpoch/D=64/n=10000", func(b *testing.B) {
		data := make([]float64, n*D)
		rnd := rand.New(rand.NewPCG(2, 2))
		for i := range data {
			data[i] = rnd.Float64()
		}
		obj, _ := NewDSM(net, data, 2e-4, MixingTime(D, 1e-3), 1)
		opt := &sam.Adam{LR: 1e-3}
		batch := make([]int, 128)
		steps := (n + 127) / 128
		b.ReportAllocs()
		for b.Loop() {
			for s := 0; s < steps; s++ {
				for i := range batch {
					batch[i] = rnd.IntN(n)
				}
				obj.Round++
				if _, err := opt.Step(net.W, obj, batch); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("Sampler/D=64/m=1000/steps=200", func(b *testing.B) {
		s := &Sampler{Final: FinalTweedie, Steps: 200}
		x := make([]float64, 1000*D)
		for b.Loop() {
			if err := s.Sample(x, net, 1); err != nil {
				b.Fatal(err)
			}
		}
	})
}
