//go:build amd64 && !purego

package gemm

import "github.com/sdeml/sdeml/internal/cpu"

// packAVX selects the AVX packing routines of pack_amd64.s (AVX instructions only, present
// on every CPU with the AVX2 kernels). They copy bits, so packing gives the same panel
// either way.
var packAVX = cpu.AVX2FMA

// packBNAVX sets dst[p*nr+j] = b[p*ldb+j] for p < kc, j < cols, and dst[p*nr+j] = 0 for
// cols ≤ j < nr; nr is a multiple of 4 and cols ≤ nr (checked by the caller).
//
//go:noescape
func packBNAVX(dst, b []float64, ldb, kc, cols, nr int)

// packBTAVX sets dst[p*nr+4g+jj] = b[(4g+jj)*ldb+p] for g < groups, p < 4·kc4, jj < 4
// (checked by the caller).
//
//go:noescape
func packBTAVX(dst, b []float64, ldb, kc4, nr, groups int)
