//go:build amd64 && !purego

package gemm

import "github.com/sdeml/sdeml/internal/cpu"

// kern12x32avx512sT/N are the AVX-512F float32 microkernels for a 12×32 tile (24 zmm
// accumulators) and kern6x16avx2sT/N the AVX2+FMA ones for a 6×16 tile (12 ymm
// accumulators); their contracts are those of kernel32.fnT and fnN. gen_kernels.go writes
// them.
//
//go:noescape
func kern12x32avx512sT(kc int, a []float32, ps int, b, c []float32, ldc int, alpha, beta float32)

//go:noescape
func kern12x32avx512sN(kc int, a []float32, rs int, b, c []float32, ldc int, alpha, beta float32)

//go:noescape
func kern6x16avx2sT(kc int, a []float32, ps int, b, c []float32, ldc int, alpha, beta float32)

//go:noescape
func kern6x16avx2sN(kc int, a []float32, rs int, b, c []float32, ldc int, alpha, beta float32)

// kern12x32avx512sTB/NB and kern6x16avx2sTB/NB read B in place (kernel32.fnTB, fnNB).
//
//go:noescape
func kern12x32avx512sTB(kc int, a []float32, ps int, b []float32, ldb int, c []float32, ldc int, alpha, beta float32)

//go:noescape
func kern12x32avx512sNB(kc int, a []float32, rs int, b []float32, ldb int, c []float32, ldc int, alpha, beta float32)

//go:noescape
func kern6x16avx2sTB(kc int, a []float32, ps int, b []float32, ldb int, c []float32, ldc int, alpha, beta float32)

//go:noescape
func kern6x16avx2sNB(kc int, a []float32, rs int, b []float32, ldb int, c []float32, ldc int, alpha, beta float32)

// kern12x16avx512s… and kern12x8avx2s… are the narrow variants (one vector per row: 12 zmm
// or 12 ymm accumulators) of the kernels above, for products with few columns.
//
//go:noescape
func kern12x16avx512sT(kc int, a []float32, ps int, b, c []float32, ldc int, alpha, beta float32)

//go:noescape
func kern12x16avx512sN(kc int, a []float32, rs int, b, c []float32, ldc int, alpha, beta float32)

//go:noescape
func kern12x16avx512sTB(kc int, a []float32, ps int, b []float32, ldb int, c []float32, ldc int, alpha, beta float32)

//go:noescape
func kern12x16avx512sNB(kc int, a []float32, rs int, b []float32, ldb int, c []float32, ldc int, alpha, beta float32)

//go:noescape
func kern12x8avx2sT(kc int, a []float32, ps int, b, c []float32, ldc int, alpha, beta float32)

//go:noescape
func kern12x8avx2sN(kc int, a []float32, rs int, b, c []float32, ldc int, alpha, beta float32)

//go:noescape
func kern12x8avx2sTB(kc int, a []float32, ps int, b []float32, ldb int, c []float32, ldc int, alpha, beta float32)

//go:noescape
func kern12x8avx2sNB(kc int, a []float32, rs int, b []float32, ldb int, c []float32, ldc int, alpha, beta float32)

func init() {
	if cpu.AVX2FMA {
		narrow := &kernel32{name: "avx2-narrow", mr: 12, nr: 8, fnT: kern12x8avx2sT, fnN: kern12x8avx2sN, fnTB: kern12x8avx2sTB, fnNB: kern12x8avx2sNB}
		kernels32 = append([]kernel32{{name: "avx2", mr: 6, nr: 16, fnT: kern6x16avx2sT, fnN: kern6x16avx2sN, fnTB: kern6x16avx2sTB, fnNB: kern6x16avx2sNB, narrow: narrow}}, kernels32...)
	}
	if cpu.AVX512 {
		narrow := &kernel32{name: "avx512-narrow", mr: 12, nr: 16, fnT: kern12x16avx512sT, fnN: kern12x16avx512sN, fnTB: kern12x16avx512sTB, fnNB: kern12x16avx512sNB}
		kernels32 = append([]kernel32{{name: "avx512", mr: 12, nr: 32, fnT: kern12x32avx512sT, fnN: kern12x32avx512sN, fnTB: kern12x32avx512sTB, fnNB: kern12x32avx512sNB, narrow: narrow}}, kernels32...)
	}
	active32 = kernels32[0]
}
