//go:build amd64 && !purego

package silu

import "github.com/sdeml/sdeml/internal/cpu"

// useAVX2 is a variable so that tests can switch the kernel.
var useAVX2 = cpu.AVX2FMA

// useAVX512 is a variable so that tests can switch the kernel.
var useAVX512 = cpu.AVX512

// forwardAVX2 is forward for len(x) a positive multiple of 4 (lengths checked by the
// caller), silu_amd64.s.
//
//go:noescape
func forwardAVX2(y []float32, s []float64, x []float32)

// backwardAVX2 is backward for len(x) a positive multiple of 4 (lengths checked by the
// caller), silu_amd64.s.
//
//go:noescape
func backwardAVX2(dx, dy []float32, s []float64, x []float32)

// forwardAVX512 is forward for len(x) a positive multiple of 16 (lengths checked by the
// caller), silu_amd64.s.
//
//go:noescape
func forwardAVX512(y []float32, s []float64, x []float32)
