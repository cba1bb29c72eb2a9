package vec32

import (
	"math"
	"math/rand/v2"
	"testing"
)

func randVec(rng *rand.Rand, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(rng.NormFloat64() * math.Exp(4*rng.NormFloat64()))
	}
	return v
}

func same32(t *testing.T, name string, got, want []float32) {
	t.Helper()
	for i := range want {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Fatalf("%s: [%d] = %v, portable loop %v", name, i, got[i], want[i])
		}
	}
}

// TestLevels checks that every function gives the bits of its portable loop (which is
// the definition: float32 sums, float64 sums row after row) on lengths around the vector
// widths, at the active kernel level and with the AVX2 kernels switched off.
func TestLevels(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	saved := useAVX2
	defer func() { useAVX2 = saved }()
	for _, level := range []bool{saved, false} {
		useAVX2 = level
		for _, n := range []int{1, 7, 8, 9, 31, 32, 33, 64, 100, 1031} {
			a, b, d := randVec(rng, n), randVec(rng, n), randVec(rng, n)
			want := append([]float32(nil), d...)
			add(want, a)
			got := append([]float32(nil), d...)
			Add(got, a)
			same32(t, "Add", got, want)
			sum(want, a, b)
			Sum(got, a, b)
			same32(t, "Sum", got, want)
		}
		for _, C := range []int{1, 3, 4, 8, 12, 16, 20, 24, 32, 36, 64} {
			for _, rows := range []int{1, 2, 7, 50} {
				z := randVec(rng, rows*C)
				s0 := make([]float64, C)
				for k := range s0 {
					s0[k] = rng.NormFloat64()
				}
				s1 := append([]float64(nil), s0...)
				colSums(s0, z)
				ColSums(s1, z)
				for k := range s0 {
					if math.Float64bits(s0[k]) != math.Float64bits(s1[k]) {
						t.Fatalf("ColSums C = %d rows = %d: [%d] = %v, portable loop %v", C, rows, k, s1[k], s0[k])
					}
				}
			}
		}
	}
}

// TestPanics checks the length checks.
func TestPanics(t *testing.T) {
	for name, f := range map[string]func(){
		"Add":     func() { Add(make([]float32, 3), make([]float32, 2)) },
		"Sum":     func() { Sum(make([]float32, 3), make([]float32, 3), make([]float32, 2)) },
		"ColSums": func() { ColSums(make([]float64, 4), make([]float32, 10)) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s with mismatched lengths did not panic", name)
				}
			}()
			f()
		}()
	}
}

func BenchmarkColSums(b *testing.B) {
	x, s := make([]float32, 8*784*16), make([]float64, 16)
	for b.Loop() {
		ColSums(s, x)
	}
}
