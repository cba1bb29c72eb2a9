package nn

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestInitDistributions checks each initializer's law layer by layer on a 784-256-10 net
// against its definition: the sample mean and variance of the weights against 0 and the
// theoretical variance (2/fan_in for He; r²/3 for U(±r), with r = √(6/(fan_in+fan_out))
// for Glorot and 1/√fan_in for TorchDefault), the support bound |w| <= r for uniform
// schemes, and the biases (0 for He and Glorot, U(±1/√fan_in) for TorchDefault).
//
// Tolerances: for N i.i.d. draws of variance σ² and kurtosis κ, the sample mean has sd
// σ/√N and the sample variance relative sd √((κ−1)/N) (κ = 3 Gaussian, 1.8 uniform).
// The bounds are 6 such sds, so a correct implementation fails with probability below
// ~2e-9 per check (fixed seed in any case). The smallest layer checked is the 256×10
// output layer (N = 2560: relative sd of the variance ≤ √(2/2560) ≈ 0.028, bound 0.17);
// a wrong scale (e.g. fan_out for fan_in, or 1/fan_in for 2/fan_in) is off by ≥ 0.5.
func TestInitDistributions(t *testing.T) {
	net, _ := NewMLP([]int{784, 256, 10}, ReLU, Identity)
	w := make([]float64, net.NumParams())
	for _, init := range []Init{He, Glorot, TorchDefault} {
		net.Init(w, init, rand.NewPCG(70, uint64(init)))
		for l := 0; l < net.NumLayers(); l++ {
			in, out := float64(net.Sizes[l]), float64(net.Sizes[l+1])
			W, b := net.Layer(w, l)
			var r, wantVar, kurt float64 // r = 0: unbounded (Gaussian)
			switch init {
			case He:
				wantVar, kurt = 2/in, 3
			case Glorot:
				r, kurt = math.Sqrt(6/(in+out)), 1.8
				wantVar = r * r / 3
			case TorchDefault:
				r, kurt = 1/math.Sqrt(in), 1.8
				wantVar = r * r / 3
			}
			wv := W.RawMatrix().Data
			n := float64(len(wv))
			mean, sq := 0.0, 0.0
			for _, v := range wv {
				mean += v
				sq += v * v
				if r > 0 && math.Abs(v) > r {
					t.Fatalf("%v layer %d: |w| = %v > %v", init, l, math.Abs(v), r)
				}
			}
			mean /= n
			variance := sq/n - mean*mean
			if math.Abs(mean) > 6*math.Sqrt(wantVar/n) {
				t.Errorf("%v layer %d: weight mean %.3g, sd of the mean %.3g", init, l, mean, math.Sqrt(wantVar/n))
			}
			if rel := variance/wantVar - 1; math.Abs(rel) > 6*math.Sqrt((kurt-1)/n) {
				t.Errorf("%v layer %d: weight variance %.4g, want %.4g (rel. dev. %.3g)", init, l, variance, wantVar, rel)
			}
			for i, v := range b {
				switch {
				case init == TorchDefault && (v == 0 || math.Abs(v) > r):
					// A U(±r) draw is exactly 0 with probability 2^-53 per entry.
					t.Fatalf("%v layer %d: bias %d = %v, want a draw in (−%v, %v)", init, l, i, v, r, r)
				case init != TorchDefault && v != 0:
					t.Fatalf("%v layer %d: bias %d = %v, want 0", init, l, i, v)
				}
			}
		}
	}
	// Masked entries are zero after Init; the same seed gives the same bits.
	net.Mask = randomMask(net.NumParams(), 71)
	net.Init(w, He, rand.NewPCG(72, 0))
	for i, keep := range net.Mask {
		if !keep && w[i] != 0 {
			t.Fatalf("masked parameter %d = %v after Init", i, w[i])
		}
	}
	w2 := make([]float64, len(w))
	net.Init(w2, He, rand.NewPCG(72, 0))
	for i := range w {
		if w[i] != w2[i] {
			t.Fatalf("same seed, parameter %d differs: %v vs %v", i, w[i], w2[i])
		}
	}
}
