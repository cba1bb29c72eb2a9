package bnorm

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestLevels checks that the AVX2 kernels (where this build has them and C is a multiple of
// 4) give the same bits as the Go loops, which the exported functions use otherwise, for
// several channel counts and odd and even row counts, and that the Go loops are the
// formulas of the doc comments.
func TestLevels(t *testing.T) {
	if !useAVX2 {
		t.Log("no AVX2 kernels active: the portable loops alone")
	}
	rng := rand.New(rand.NewPCG(7, 8))
	f32 := func(n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(3*rng.NormFloat64() + 1)
		}
		return v
	}
	f64 := func(n int) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = rng.NormFloat64()
		}
		return v
	}
	same32 := func(name string, a, b []float32) {
		for i := range a {
			if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
				t.Fatalf("%s[%d]: kernel %v, Go %v", name, i, a[i], b[i])
			}
		}
	}
	for _, C := range []int{4, 6, 8, 12, 16, 64} {
		for _, rows := range []int{1, 2, 3, 8, 33} {
			a, b := f32(rows*C), f32(rows*C)
			s0, p0 := f64(C), f64(C)
			s1, p1 := append([]float64(nil), s0...), append([]float64(nil), p0...)
			Sums(s1, p1, a, b)
			// The formula in Go, order of the doc comment.
			r := 0
			for ; r+2 <= rows; r += 2 {
				for k := range C {
					x0, x1 := float64(a[r*C+k]), float64(a[(r+1)*C+k])
					s0[k] += x0 + x1
					p0[k] += x0*float64(b[r*C+k]) + x1*float64(b[(r+1)*C+k])
				}
			}
			if r < rows {
				for k := range C {
					s0[k] += float64(a[r*C+k])
					p0[k] += float64(a[r*C+k]) * float64(b[r*C+k])
				}
			}
			for k := range C {
				if s0[k] != s1[k] || p0[k] != p1[k] {
					t.Fatalf("C = %d, rows = %d: Sums channel %d = %v, %v; want %v, %v", C, rows, k, s1[k], p1[k], s0[k], p0[k])
				}
			}
			ca, m, cb, mu := f64(C), f64(C), f64(C), f64(C)
			y0, y1 := make([]float32, rows*C), make([]float32, rows*C)
			Affine(y1, a, ca, cb)
			affine(y0, a, ca, cb)
			same32("Affine", y1, y0)
			for i := range y0 {
				if want := float32(ca[i%C]*float64(a[i]) + cb[i%C]); y0[i] != want {
					t.Fatalf("affine[%d] = %v, want %v", i, y0[i], want)
				}
			}
			Back(y1, a, b, ca, m, cb, mu)
			back(y0, a, b, ca, m, cb, mu)
			same32("Back", y1, y0)
			for i := range y0 {
				k := i % C
				if want := float32(ca[k]*(float64(a[i])-m[k]) + cb[k]*(float64(b[i])-mu[k])); y0[i] != want {
					t.Fatalf("back[%d] = %v, want %v", i, y0[i], want)
				}
			}
		}
	}
}
