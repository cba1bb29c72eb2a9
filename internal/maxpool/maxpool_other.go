//go:build !amd64 || purego

package maxpool

const useAVX512 = false

func reluMax2x2AVX512(z, b, y []float64, arg []int32, n, c, rs, step, idx int) {
	panic("maxpool: no AVX-512 kernel in this build")
}

func reluMax2x2BackAVX512(dx, dy, y []float64, arg []int32, n, c, rs, idx int) {
	panic("maxpool: no AVX-512 kernel in this build")
}
