//go:build !amd64 || purego

package gnorm

// useAVX2 is a variable, as on amd64, so that tests can switch the kernels.
var useAVX2 = false

func sumsAVX2(s []float64, x []float32, C, P int) { panic("gnorm: no AVX2 kernel in this build") }

func sqdevAVX2(q, mc []float64, x []float32, C, P int) { panic("gnorm: no AVX2 kernel in this build") }

func normAVX2(y, x []float32, C, P int, mc, is, gamma, beta []float64) {
	panic("gnorm: no AVX2 kernel in this build")
}

func backSumsAVX2(sd, sdh, mc, is []float64, dy, x []float32, C, P int) {
	panic("gnorm: no AVX2 kernel in this build")
}

func backApplyAVX2(dx, dy, x []float32, C, P int, gamma, mc, is, a, b []float64) {
	panic("gnorm: no AVX2 kernel in this build")
}
