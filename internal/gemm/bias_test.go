package gemm

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestAddBias32 checks AddBias32 on every level this machine has (AVX-512F, AVX2,
// portable), out of place and in place, for widths that take the vector loops (8, 16,
// 32, 48, 64) and the portable one (1, 3, 9, 20), against float32 additions written out
// here; special values (±0, ±Inf, NaN, subnormals) are among the inputs.
func TestAddBias32(t *testing.T) {
	defer func(v int) { biasLevel = v }(biasLevel)
	levels := []int{0}
	if biasLevel >= 8 {
		levels = append(levels, 8)
	}
	if biasLevel >= 16 {
		levels = append(levels, 16)
	}
	special := []float32{0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), 1e-45, -3e-39}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, level := range levels {
		biasLevel = level
		for _, C := range []int{1, 3, 8, 9, 16, 20, 32, 48, 64} {
			for _, rows := range []int{0, 1, 7} {
				src := make([]float32, rows*C)
				b := make([]float32, C)
				for i := range src {
					src[i] = float32(rng.NormFloat64())
					if rng.IntN(5) == 0 {
						src[i] = special[rng.IntN(len(special))]
					}
				}
				for i := range b {
					b[i] = float32(rng.NormFloat64() * 1e3)
				}
				want := make([]float32, len(src))
				for i := range src {
					want[i] = src[i] + b[i%C]
				}
				dst := make([]float32, len(src)+1)
				dst[len(src)] = 42 // past the end: untouched
				AddBias32(dst[:len(src)], src, b)
				inPlace := append([]float32(nil), src...)
				AddBias32(inPlace, inPlace, b)
				for i := range want {
					if math.Float32bits(dst[i]) != math.Float32bits(want[i]) || math.Float32bits(inPlace[i]) != math.Float32bits(want[i]) {
						t.Fatalf("level %d, C %d, rows %d: [%d] = %v (in place %v), want %v", level, C, rows, i, dst[i], inPlace[i], want[i])
					}
				}
				if dst[len(src)] != 42 {
					t.Fatalf("level %d, C %d: wrote past the end", level, C)
				}
			}
		}
	}
}

// TestAddBias32Panics checks the gemm: panics on mismatched lengths.
func TestAddBias32Panics(t *testing.T) {
	for _, c := range []struct{ dst, src, b int }{{8, 7, 8}, {9, 9, 8}, {4, 4, 0}} {
		func() {
			defer func() {
				if r := recover(); r == nil {
					t.Errorf("lengths %v: no panic", c)
				}
			}()
			AddBias32(make([]float32, c.dst), make([]float32, c.src), make([]float32, c.b))
		}()
	}
	AddBias32(nil, nil, nil) // empty: no panic
}
