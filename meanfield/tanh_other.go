//go:build !amd64 || purego

package meanfield

const useAVX2 = false

func tanhRowAVX2(s []float64) { panic("meanfield: no AVX2 tanh on this platform") }

// tanhRow replaces every x in s by tanh x (see tanhRowGeneric).
func tanhRow(s []float64) { tanhRowGeneric(s) }
