package bnorm

import (
	"fmt"
	"testing"
)

// BenchmarkSums times the per-channel sums of one ResNet-8 chunk of 16 samples at the
// first stage's shape (28×28 pixels, 16 channels) and the last one's (7×7, 64).
func BenchmarkSums(b *testing.B) {
	for _, s := range []struct{ P, C int }{{16 * 784, 16}, {16 * 49, 64}} {
		a := make([]float32, s.P*s.C)
		for i := range a {
			a[i] = float32(i%13) - 6
		}
		sa, sab := make([]float64, s.C), make([]float64, s.C)
		b.Run(fmt.Sprintf("C=%d", s.C), func(b *testing.B) {
			b.SetBytes(int64(4 * len(a)))
			for b.Loop() {
				Sums(sa, sab, a, a)
			}
		})
	}
}
