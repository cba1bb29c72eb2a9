//go:build amd64 && !purego

package gemm

import "github.com/sdeml/sdeml/internal/cpu"

//go:generate go run gen_kernels.go

// kern8x24avx512T and kern8x24avx512N are the AVX-512F microkernels for an 8×24 tile (24
// zmm accumulators); their contracts are those of kernel.fnT and kernel.fnN with mr = 8,
// nr = 24.
//
//go:noescape
func kern8x24avx512T(kc int, a []float64, ps int, b, c []float64, ldc int, alpha, beta float64)

//go:noescape
func kern8x24avx512N(kc int, a []float64, rs int, b, c []float64, ldc int, alpha, beta float64)

// kern4x12avx2T and kern4x12avx2N are the AVX2+FMA microkernels for a 4×12 tile (12 ymm
// accumulators); their contracts are those of kernel.fnT and kernel.fnN with mr = 4,
// nr = 12.
//
//go:noescape
func kern4x12avx2T(kc int, a []float64, ps int, b, c []float64, ldc int, alpha, beta float64)

//go:noescape
func kern4x12avx2N(kc int, a []float64, rs int, b, c []float64, ldc int, alpha, beta float64)

// kern8x16avx512T/N and kern6x8avx2T/N are the narrow variants of the two kernels above
// (8×16 and 6×8 tiles, 16 zmm and 12 ymm accumulators), for products whose n the wide
// tiles would pad more (see kernel.forWidth).
//
//go:noescape
func kern8x16avx512T(kc int, a []float64, ps int, b, c []float64, ldc int, alpha, beta float64)

//go:noescape
func kern8x16avx512N(kc int, a []float64, rs int, b, c []float64, ldc int, alpha, beta float64)

//go:noescape
func kern6x8avx2T(kc int, a []float64, ps int, b, c []float64, ldc int, alpha, beta float64)

//go:noescape
func kern6x8avx2N(kc int, a []float64, rs int, b, c []float64, ldc int, alpha, beta float64)

// kern4x12avx2TE and kern4x12avx2NE are kern4x12avx2T and kern4x12avx2N for the edge
// column panel: they write (and, when β ≠ 0, read) only the columns j of C with
// mask[j] = -1 (VMASKMOVPD), the others being 0, so that the panel is stored in place
// instead of through the edge tile.
//
//go:noescape
func kern4x12avx2TE(kc int, a []float64, ps int, b, c []float64, ldc int, alpha, beta float64, mask []int64)

//go:noescape
func kern4x12avx2NE(kc int, a []float64, rs int, b, c []float64, ldc int, alpha, beta float64, mask []int64)

func init() {
	if cpu.AVX2FMA {
		narrow := &kernel{name: "avx2-narrow", mr: 6, nr: 8, fnT: kern6x8avx2T, fnN: kern6x8avx2N}
		kernels = append([]kernel{{name: "avx2", mr: 4, nr: 12, fnT: kern4x12avx2T, fnN: kern4x12avx2N, fnTE: kern4x12avx2TE, fnNE: kern4x12avx2NE, smallNT: avx2SmallNT, smallNN: avx2SmallNN, smallTN: avx2SmallTN, small: avx2Small, narrow: narrow}}, kernels...)
	}
	if cpu.AVX512 {
		narrow := &kernel{name: "avx512-narrow", mr: 8, nr: 16, fnT: kern8x16avx512T, fnN: kern8x16avx512N}
		kernels = append([]kernel{{name: "avx512", mr: 8, nr: 24, fnT: kern8x24avx512T, fnN: kern8x24avx512N, smallNT: avx512SmallNT, smallNN: avx512SmallNN, smallTN: avx512SmallTN, small: avx512Small, narrow: narrow}}, kernels...)
	}
	active = kernels[0]
}
