package reflected

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/sdeml/sdeml/internal/testutil"
	"github.com/sdeml/sdeml/nn"
	"github.com/sdeml/sdeml/sam"
)

// benchUNet returns the U-Net score network of examples/reflectedimages (28×28, one
// channel, widths 16, 32, 32), preconditioned on 512 random images with 20 % of pixels on.
func benchUNet(b *testing.B) (*ScoreNet, []float64) {
	const D = 28 * 28
	rng := rand.New(rand.NewPCG(1, 3))
	data := make([]float64, 512*D)
	for i := range data {
		if rng.Float64() < 0.2 {
			data[i] = rng.Float64()
		}
	}
	net, err := NewUNetScoreNet(nn.UNet{C: 1, H: 28, W: 28}, rand.NewPCG(2, 2))
	if err != nil {
		b.Fatal(err)
	}
	if net.Pre, err = NewPrecond(data, D, 2e-4, 2, Reflected, 1); err != nil {
		b.Fatal(err)
	}
	return net, data
}

// BenchmarkUNetDSMStep is one Adam step of the DSM risk of the 28×28 U-Net at batch 64.
func BenchmarkUNetDSMStep(b *testing.B) { benchUNetDSMStep(b, false) }

// benchUNetDSMStep times BenchmarkUNetDSMStep with ScoreNet.Float32 set to f32.
func benchUNetDSMStep(b *testing.B, f32 bool) {
	net, data := benchUNet(b)
	net.Float32 = f32
	obj, _ := NewDSM(net, data, 2e-4, 2, 1)
	opt := &sam.Adam{LR: 1e-3}
	batch := make([]int, 64)
	for i := range batch {
		batch[i] = (i * 7) % 512
	}
	opt.Step(net.W, obj, batch)
	b.ReportAllocs()
	k := 0
	cpu0 := testutil.ProcessCPU()
	for b.Loop() {
		obj.Round = uint64(k)
		k++
		if _, err := opt.Step(net.W, obj, batch); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu0, k)
}

// reportCPU reports the process CPU time per operation since cpu0 (cpu-ms/op, on Linux),
// which a loaded machine disturbs less than wall time.
func reportCPU(b *testing.B, cpu0 time.Duration, ops int) {
	if cpu := testutil.ProcessCPU() - cpu0; cpu > 0 {
		b.ReportMetric(float64(cpu.Microseconds())/1e3/float64(max(ops, 1)), "cpu-ms/op")
	}
}

// BenchmarkUNetScore64 is one score evaluation of 64 images (one sampler step's network cost
// for 64 particles).
func BenchmarkUNetScore64(b *testing.B) { benchUNetScore64(b, false) }

// benchUNetScore64 times BenchmarkUNetScore64 with ScoreNet.Float32 set to f32.
func benchUNetScore64(b *testing.B, f32 bool) {
	net, data := benchUNet(b)
	net.Float32 = f32
	x := data[:64*28*28]
	ts := make([]float64, 64)
	for i := range ts {
		ts[i] = 0.01
	}
	dst := make([]float64, len(x))
	net.Score(dst, x, ts)
	b.ReportAllocs()
	k := 0
	cpu0 := testutil.ProcessCPU()
	for b.Loop() {
		net.Score(dst, x, ts)
		k++
	}
	reportCPU(b, cpu0, k)
}
