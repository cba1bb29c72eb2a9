//go:build amd64 && !purego

package vec32

import "github.com/sdeml/sdeml/internal/cpu"

// useAVX2 is a variable so that tests can switch the kernels.
var useAVX2 = cpu.AVX2FMA

// The AVX2 kernels (vec32_amd64.s), lengths checked by the callers: addAVX2 and sumAVX2
// for a positive multiple of 8 values, colSumsAVX2
// for len(s) a multiple of 4.

//go:noescape
func addAVX2(dst, s []float32)

//go:noescape
func sumAVX2(dst, a, b []float32)

//go:noescape
func colSumsAVX2(s []float64, x []float32)
