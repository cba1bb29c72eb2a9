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
