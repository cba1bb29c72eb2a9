package reflected

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// benchPoints returns n random (x, y, t) with x, y uniform on [0,1] and t log-uniform on
// [tlo, thi], the workload of docs/bench/peers/numpy_peers.py hk (its heat time s is t/2).
func benchPoints(n int, tlo, thi float64) (x, y, t []float64) {
	rng := kernelRand(2024)
	x, y, t = make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range x {
		x[i], y[i] = rng.Float64(), rng.Float64()
		t[i] = math.Exp(math.Log(tlo) + rng.Float64()*(math.Log(thi)-math.Log(tlo)))
	}
	return x, y, t
}

var benchSink float64

// BenchmarkScore1D: ns per Score1D evaluation at random (x, y, t), t log-uniform in
// [1e-4, 2] (heat time [5e-5, 1], the peer's range).
func BenchmarkScore1D(b *testing.B) {
	const n = 1 << 14
	x, y, t := benchPoints(n, 1e-4, 2)
	var s float64
	i := 0
	for b.Loop() {
		s += Score1D(x[i], y[i], t[i])
		i = (i + 1) & (n - 1)
	}
	benchSink = s
}

// BenchmarkKernel1D: ns per (log p, score) pair, same workload.
func BenchmarkKernel1D(b *testing.B) {
	const n = 1 << 14
	x, y, t := benchPoints(n, 1e-4, 2)
	var s float64
	i := 0
	for b.Loop() {
		l, sc := Kernel1D(x[i], y[i], t[i])
		s += l + sc
		i = (i + 1) & (n - 1)
	}
	benchSink = s
}

// BenchmarkScore1DByTime splits the workload by time range.
func BenchmarkScore1DByTime(b *testing.B) {
	for _, r := range [][2]float64{{1e-8, 1e-4}, {1e-4, 0.01}, {0.01, SwitchTime}, {SwitchTime, 1e4}} {
		b.Run(fmt.Sprintf("t=%.0e..%.0e", r[0], r[1]), func(b *testing.B) {
			const n = 1 << 14
			x, y, t := benchPoints(n, r[0], r[1])
			var s float64
			i := 0
			for b.Loop() {
				s += Score1D(x[i], y[i], t[i])
				i = (i + 1) & (n - 1)
			}
			benchSink = s
		})
	}
}

// BenchmarkSample1D: ns per exact draw.
func BenchmarkSample1D(b *testing.B) {
	src := rand.NewPCG(1, 2)
	var s float64
	for b.Loop() {
		s += Sample1D(src, 0.3, 0.01)
	}
	benchSink = s
}

// BenchmarkScore: D-dimensional conditional score, by D.
func BenchmarkScore(b *testing.B) {
	for _, d := range []int{2, 8, 64} {
		b.Run(fmt.Sprintf("D=%d", d), func(b *testing.B) {
			x, y, _ := benchPoints(d, 1, 1)
			dst := make([]float64, d)
			for b.Loop() {
				Score(dst, x, y, 0.01)
			}
		})
	}
}

// BenchmarkNoiseDataset: forward noising of n points in D = 8.
func BenchmarkNoiseDataset(b *testing.B) {
	for _, n := range []int{1000, 100000} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			const d = 8
			data, _, _ := benchPoints(n*d, 1, 1)
			dst := make([]float64, len(data))
			for b.Loop() {
				if err := NoiseDataset(dst, data, d, 0.05, 1); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
