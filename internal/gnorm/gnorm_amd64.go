//go:build amd64 && !purego

package gnorm

import "github.com/sdeml/sdeml/internal/cpu"

// useAVX2 is a variable so that tests can switch the kernels.
var useAVX2 = cpu.AVX2FMA

// The AVX2 kernels (gnorm_amd64.s) for float32 values and a channel block of a multiple
// of 4 channels, lengths checked by the caller.

//go:noescape
func sumsAVX2(s []float64, x []float32, C, P int)

//go:noescape
func sqdevAVX2(q, mc []float64, x []float32, C, P int)

//go:noescape
func normAVX2(y, x []float32, C, P int, mc, is, gamma, beta []float64)

//go:noescape
func backSumsAVX2(sd, sdh, mc, is []float64, dy, x []float32, C, P int)

//go:noescape
func backApplyAVX2(dx, dy, x []float32, C, P int, gamma, mc, is, a, b []float64)
