//go:build amd64 && !purego

package relu32

import "github.com/sdeml/sdeml/internal/cpu"

// useAVX2 is a variable so that tests can switch the kernels.
var useAVX2 = cpu.AVX2FMA

// The AVX2 kernels (relu32_amd64.s) for lengths a positive multiple of 8, checked by the
// caller.

//go:noescape
func forwardAVX2(y, x []float32)

//go:noescape
func backAVX2(dx, dy, x []float32)
