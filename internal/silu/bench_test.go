package silu

import (
	"math/rand/v2"
	"testing"

	"github.com/sdeml/sdeml/internal/testutil"
)

// cpuLoop runs f in b.Loop and reports the process CPU time per call (cpu-ns/op), which a
// loaded machine disturbs less than wall time.
func cpuLoop(b *testing.B, f func()) {
	k := 0
	cpu0 := testutil.ProcessCPU()
	for b.Loop() {
		f()
		k++
	}
	if cpu := testutil.ProcessCPU() - cpu0; cpu > 0 {
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(max(k, 1)), "cpu-ns/op")
	}
}

// benchX returns n standard normal float32 values times 3 (the range of a U-Net's
// normalised activations).
func benchX(n int) []float32 {
	rng := rand.New(rand.NewPCG(5, 6))
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(3 * rng.NormFloat64())
	}
	return x
}

// The sizes: one chunk of 8 samples of a 28×28×16 U-Net activation.
const benchN = 8 * 28 * 28 * 16

func BenchmarkForward(b *testing.B) {
	x := benchX(benchN)
	y, s := make([]float32, benchN), make([]float64, benchN)
	b.SetBytes(benchN * 16)
	cpuLoop(b, func() { Forward(y, s, x) })
}

func BenchmarkApply(b *testing.B) {
	x := benchX(benchN)
	y := make([]float32, benchN)
	b.SetBytes(benchN * 8)
	cpuLoop(b, func() { Apply(y, x) })
}

func BenchmarkBackward(b *testing.B) {
	x := benchX(benchN)
	y, s, dx := make([]float32, benchN), make([]float64, benchN), make([]float32, benchN)
	Forward(y, s, x)
	b.SetBytes(benchN * 20)
	cpuLoop(b, func() { Backward(dx, y, s, x) })
}
