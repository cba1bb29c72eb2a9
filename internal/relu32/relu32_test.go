package relu32

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestLevels checks that the AVX2 kernels (where this build has them) give the same bits
// as the Go loops on random values and the specials (±0, ±Inf, NaNs of either sign,
// subnormals), for lengths around the vector width, and that the forward map is Go's
// max(x, 0) on every non-NaN value and keeps a NaN's bits.
func TestLevels(t *testing.T) {
	if !useAVX2 {
		t.Log("no AVX2 kernels active: the portable loops alone")
	}
	rng := rand.New(rand.NewPCG(5, 6))
	const m = 1029
	x, dy := make([]float32, m), make([]float32, m)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
		dy[i] = float32(rng.NormFloat64())
	}
	negNaN := math.Float32frombits(0xffc00001)
	copy(x, []float32{0, float32(math.Copysign(0, -1)), float32(math.NaN()), negNaN, float32(math.Inf(1)), float32(math.Inf(-1)), 1e-45, -1e-45, math.MaxFloat32})
	for _, n := range []int{1, 7, 8, 9, 16, 1024, 1029} {
		y0, y1 := make([]float32, n), make([]float32, n)
		forward(y0, x[:n])
		Forward(y1, x[:n])
		d0, d1 := make([]float32, n), make([]float32, n)
		back(d0, dy[:n], x[:n])
		Back(d1, dy[:n], x[:n])
		for i := range n {
			if math.Float32bits(y0[i]) != math.Float32bits(y1[i]) || math.Float32bits(d0[i]) != math.Float32bits(d1[i]) {
				t.Fatalf("n = %d, x[%d] = %v: kernel %v, %v; Go %v, %v", n, i, x[i], y1[i], d1[i], y0[i], d0[i])
			}
			v := x[i]
			if math.IsNaN(float64(v)) {
				if math.Float32bits(y0[i]) != math.Float32bits(v) {
					t.Fatalf("ReLU(NaN %#x) = %#x", math.Float32bits(v), math.Float32bits(y0[i]))
				}
			} else if want := max(v, 0); math.Float32bits(y0[i]) != math.Float32bits(want) {
				t.Fatalf("ReLU(%v) = %v, want max = %v", v, y0[i], want)
			}
			keep := int32(math.Float32bits(v)) > 0
			if want := map[bool]float32{true: dy[i], false: 0}[keep]; math.Float32bits(d0[i]) != math.Float32bits(want) {
				t.Fatalf("ReLU'(%v)·%v = %v, want %v", v, dy[i], d0[i], want)
			}
		}
	}
}
