//go:build amd64 && !purego

package meanfield

import "github.com/sdeml/sdeml/internal/cpu"

// useAVX2 selects the AVX2+FMA tanh kernel.
var useAVX2 = cpu.AVX2FMA

// tanhRowAVX2 is tanhRowGeneric four lanes at a time (tanh_amd64.s); len(s) % 4 == 0.
//
//go:noescape
func tanhRowAVX2(s []float64)

// tanhRow replaces every x in s by tanh x (see tanhRowGeneric), with AVX2 when available;
// both paths give the same bits.
func tanhRow(s []float64) {
	if useAVX2 {
		n := len(s) &^ 3
		tanhRowAVX2(s[:n])
		s = s[n:]
	}
	tanhRowGeneric(s)
}
