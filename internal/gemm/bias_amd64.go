//go:build amd64 && !purego

package gemm

import "github.com/sdeml/sdeml/internal/cpu"

// addBias32AVX512 and addBias32AVX2 are AddBias32 for len(b) a multiple of 16 or 8
// (bias_amd64.s, written by gen_bias.go; lengths checked by the caller).
//
//go:noescape
func addBias32AVX512(dst, src, b []float32)

//go:noescape
func addBias32AVX2(dst, src, b []float32)

// biasLevel is the vector width AddBias32 uses (16: AVX-512F, 8: AVX2, 0: portable), a
// variable so that tests can compare the levels.
var biasLevel = func() int {
	switch {
	case cpu.AVX512:
		return 16
	case cpu.AVX2FMA:
		return 8
	}
	return 0
}()

// addBias32 dispatches AddBias32 on checked lengths.
func addBias32(dst, src, b []float32) {
	switch C := len(b); {
	case biasLevel == 16 && C%16 == 0 && C > 0:
		addBias32AVX512(dst, src, b)
	case biasLevel >= 8 && C%8 == 0 && C > 0:
		addBias32AVX2(dst, src, b)
	default:
		addBias32Go(dst, src, b)
	}
}
