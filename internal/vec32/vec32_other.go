//go:build !amd64 || purego

package vec32

// useAVX2 is a variable, as on amd64, so that tests can switch the kernels.
var useAVX2 = false

func addAVX2(dst, s []float32)             { panic("vec32: no AVX2 kernel in this build") }
func sumAVX2(dst, a, b []float32)          { panic("vec32: no AVX2 kernel in this build") }
func colSumsAVX2(s []float64, x []float32) { panic("vec32: no AVX2 kernel in this build") }
