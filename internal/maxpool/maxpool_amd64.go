//go:build amd64 && !purego

package maxpool

import "github.com/sdeml/sdeml/internal/cpu"

var (
	useAVX512 = cpu.AVX512
	useAVX2   = cpu.AVX2FMA
)

// reluMax2x2AVX512 is ReLUMax2x2 for C a multiple of 8 with AVX-512F (arguments checked
// by the caller; rs and step in elements).
//
//go:noescape
func reluMax2x2AVX512(z, b, y []float64, arg []int32, n, c, rs, step, idx int)

// reluMax2x2BackAVX512 is ReLUMax2x2Back for C a multiple of 8 with AVX-512F (arguments
// checked by the caller; rs in elements, the pixel step is 2c).
//
//go:noescape
func reluMax2x2BackAVX512(dx, dy, y []float64, arg []int32, n, c, rs, idx int)

// reluMax2x2AVX2 and reluMax2x2BackAVX2 are the same kernels for C a multiple of 4 with
// AVX2 (maxpool_avx2_amd64.s).
//
//go:noescape
func reluMax2x2AVX2(z, b, y []float64, arg []int32, n, c, rs, step, idx int)

//go:noescape
func reluMax2x2BackAVX2(dx, dy, y []float64, arg []int32, n, c, rs, idx int)
