//go:build !amd64 || purego

package relu32

// useAVX2 is a variable, as on amd64, so that tests can switch the kernels.
var useAVX2 = false

func forwardAVX2(y, x []float32) { panic("relu32: no AVX2 kernel in this build") }

func backAVX2(dx, dy, x []float32) { panic("relu32: no AVX2 kernel in this build") }
