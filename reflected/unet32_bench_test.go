package reflected

import (
	"testing"

	"github.com/sdeml/sdeml/internal/testutil"
	"github.com/sdeml/sdeml/sam"
)

// BenchmarkUNetDSMStep32 is BenchmarkUNetDSMStep with ScoreNet.Float32 (the mixed-precision
// U-Net pass).
func BenchmarkUNetDSMStep32(b *testing.B) {
	net, data := benchUNet(b)
	net.Float32 = true
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

// BenchmarkUNetScore64_32 is BenchmarkUNetScore64 with ScoreNet.Float32.
func BenchmarkUNetScore64_32(b *testing.B) {
	net, data := benchUNet(b)
	net.Float32 = true
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
