//go:build !amd64 || purego

package silu

// useAVX2 is a variable, as on amd64, so that tests can switch the kernel.
var useAVX2 = false

var useAVX512 = false

func forwardAVX512(y []float32, s []float64, x []float32) {
	panic("silu: no AVX-512 kernel in this build")
}

func forwardAVX2(y []float32, s []float64, x []float32) {
	panic("silu: no AVX2 kernel in this build")
}

func backwardAVX2(dx, dy []float32, s []float64, x []float32) {
	panic("silu: no AVX2 kernel in this build")
}
