//go:build !amd64 || purego

package silu

// useAVX2 is a variable, as on amd64, so that tests can switch the kernel.
var useAVX2 = false

func forwardAVX2(y []float32, s []float64, x []float32) {
	panic("silu: no AVX2 kernel in this build")
}

func backwardAVX2(dx, dy []float32, s []float64, x []float32) {
	panic("silu: no AVX2 kernel in this build")
}
