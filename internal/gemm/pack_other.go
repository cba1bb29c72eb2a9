//go:build !amd64 || purego

package gemm

var packAVX = false // a variable so that tests can set it, as on amd64

func packBNAVX(dst, b []float64, ldb, kc, cols, nr int) {
	panic("gemm: no AVX packing in this build")
}

func packBTAVX(dst, b []float64, ldb, kc4, nr, groups int) {
	panic("gemm: no AVX packing in this build")
}
