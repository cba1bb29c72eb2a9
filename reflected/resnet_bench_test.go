package reflected

import (
	"math/rand/v2"
	"testing"

	"github.com/sdeml/sdeml/sam"
)

// benchResNet returns the residual score network of the speed comparison (docs/PERFORMANCE.md,
// "reflected: residual score network"): D = 16, width 128, 3 blocks, 8 time frequencies,
// preconditioned on 1000 points of CentredBox(16, 2).
func benchResNet(b *testing.B) (*ScoreNet, []float64) {
	target, _ := CentredBox(16, 2, 0.5)
	data := make([]float64, 1000*16)
	target.Sample(data, rand.NewPCG(1, 3))
	net, err := NewResScoreNet(16, 128, 3, TimeEmbedding{Freqs: 8}, rand.NewPCG(2, 2))
	if err != nil {
		b.Fatal(err)
	}
	if net.Pre, err = NewPrecond(data, 16, 2e-4, MixingTime(16, 1e-3), Reflected, 1); err != nil {
		b.Fatal(err)
	}
	return net, data
}

// BenchmarkResDSMStep is one Adam step of the DSM risk at batch 128: the reflected noising
// and kernel-score targets, the network's forward and backward pass, and the update.
func BenchmarkResDSMStep(b *testing.B) {
	net, data := benchResNet(b)
	obj, _ := NewDSM(net, data, 2e-4, MixingTime(16, 1e-3), 1)
	opt := &sam.Adam{LR: 1e-3}
	batch := make([]int, 128)
	for i := range batch {
		batch[i] = (i * 7) % 1000
	}
	opt.Step(net.W, obj, batch) // size the optimizer state
	b.ReportAllocs()
	k := 0
	for b.Loop() {
		obj.Round = uint64(k)
		k++
		if _, err := opt.Step(net.W, obj, batch); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkResScore1000 is one score evaluation of 1000 points (one reverse step's network
// cost for 1000 particles).
func BenchmarkResScore1000(b *testing.B) {
	net, data := benchResNet(b)
	x := data[:1000*16]
	ts := make([]float64, 1000)
	for i := range ts {
		ts[i] = 0.01
	}
	dst := make([]float64, len(x))
	net.Score(dst, x, ts)
	b.ReportAllocs()
	for b.Loop() {
		net.Score(dst, x, ts)
	}
}

// BenchmarkResSample is the default Sampler (200 EM steps, Tweedie) for 1000 particles.
func BenchmarkResSample(b *testing.B) {
	net, _ := benchResNet(b)
	dst := make([]float64, 1000*16)
	s := &Sampler{Steps: 200, Final: FinalTweedie, Chunk: 1000}
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Sample(dst, net, 1); err != nil {
			b.Fatal(err)
		}
	}
}
