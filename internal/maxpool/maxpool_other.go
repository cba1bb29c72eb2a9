//go:build !amd64 || purego

package maxpool

// Variables, as on amd64, so that tests can switch the kernels.
var useAVX512, useAVX2 = false, false

func reluMax2x2AVX512(z, b, y []float64, arg []int32, n, c, rs, step, idx int) {
	panic("maxpool: no AVX-512 kernel in this build")
}

func reluMax2x2BackAVX512(dx, dy, y []float64, arg []int32, n, c, rs, idx int) {
	panic("maxpool: no AVX-512 kernel in this build")
}

func reluMax2x2AVX2(z, b, y []float64, arg []int32, n, c, rs, step, idx int) {
	panic("maxpool: no AVX2 kernel in this build")
}

func reluMax2x2BackAVX2(dx, dy, y []float64, arg []int32, n, c, rs, idx int) {
	panic("maxpool: no AVX2 kernel in this build")
}
