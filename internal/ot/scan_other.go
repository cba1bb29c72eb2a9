//go:build !amd64 || purego

package ot

// Variables, as on amd64, so that tests can switch the kernels.
var useAVX512, useAVX2 = false, false

func scanAVX512(row, v, spc []float64, path, free []int32, base float64, i int, lanes *scanLanes) {
	panic("ot: no AVX-512 kernel in this build")
}

func scanAVX2(row, v, spc []float64, path, free []int32, base float64, i int, lanes *scanLanes) {
	panic("ot: no AVX2 kernel in this build")
}
