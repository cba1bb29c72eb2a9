//go:build amd64 && !purego

package bnorm

import "github.com/sdeml/sdeml/internal/cpu"

// useAVX2 is a variable so that tests can switch the kernels.
var useAVX2 = cpu.AVX2FMA

// The AVX2 kernels (bnorm_amd64.s) for C a multiple of 4, lengths checked by the caller.

//go:noescape
func sumsAVX2(sa, sab []float64, a, b []float32)

//go:noescape
func affineAVX2(y, x []float32, a, b []float64)

//go:noescape
func backAVX2(dx, dy, x []float32, ca, m, cb, mu []float64)
