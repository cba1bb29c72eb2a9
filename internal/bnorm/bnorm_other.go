//go:build !amd64 || purego

package bnorm

// useAVX2 is a variable, as on amd64, so that tests can switch the kernels.
var useAVX2 = false

func sumsAVX2(sa, sab []float64, a, b []float32) { panic("bnorm: no AVX2 kernel in this build") }

func affineAVX2(y, x []float32, a, b []float64) { panic("bnorm: no AVX2 kernel in this build") }

func backAVX2(dx, dy, x []float32, ca, m, cb, mu []float64) {
	panic("bnorm: no AVX2 kernel in this build")
}
