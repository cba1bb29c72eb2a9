//go:build amd64 && !purego

package gemm

//go:generate go run gen_small.go

// The AVX-512F kernels of the few-rows path (small_amd64.s, written by gen_small.go).
// dotNT16m<m>: acc[i*16+j] ← fma(a[i*lda+p], b[j*ldb+p], acc[i*16+j]) for i < m, j < 16,
// p = 0, …, kb-1 in order (kb a positive multiple of 8). axpyNN24m<m>: acc[i*24+j] ←
// fma(a[i*rs+p*ps], b[p*ldb+j], acc[i*24+j]) for i < m, j < 24, p = 0, …, kb-1 in order
// (kb ≥ 1).

//go:noescape
func dotNT16m1(kb int, a []float64, lda int, b []float64, ldb int, acc []float64)

//go:noescape
func dotNT16m2(kb int, a []float64, lda int, b []float64, ldb int, acc []float64)

//go:noescape
func dotNT16m3(kb int, a []float64, lda int, b []float64, ldb int, acc []float64)

//go:noescape
func dotNT16m4(kb int, a []float64, lda int, b []float64, ldb int, acc []float64)

//go:noescape
func dotNT16m5(kb int, a []float64, lda int, b []float64, ldb int, acc []float64)

//go:noescape
func dotNT16m6(kb int, a []float64, lda int, b []float64, ldb int, acc []float64)

//go:noescape
func dotNT16m7(kb int, a []float64, lda int, b []float64, ldb int, acc []float64)

//go:noescape
func dotNT16m8(kb int, a []float64, lda int, b []float64, ldb int, acc []float64)

//go:noescape
func axpyNN24m1(kb int, a []float64, rs, ps int, b []float64, ldb int, acc []float64)

//go:noescape
func axpyNN24m2(kb int, a []float64, rs, ps int, b []float64, ldb int, acc []float64)

//go:noescape
func axpyNN24m3(kb int, a []float64, rs, ps int, b []float64, ldb int, acc []float64)

//go:noescape
func axpyNN24m4(kb int, a []float64, rs, ps int, b []float64, ldb int, acc []float64)

//go:noescape
func axpyNN24m5(kb int, a []float64, rs, ps int, b []float64, ldb int, acc []float64)

//go:noescape
func axpyNN24m6(kb int, a []float64, rs, ps int, b []float64, ldb int, acc []float64)

//go:noescape
func axpyNN24m7(kb int, a []float64, rs, ps int, b []float64, ldb int, acc []float64)

//go:noescape
func axpyNN24m8(kb int, a []float64, rs, ps int, b []float64, ldb int, acc []float64)

// The AVX2+FMA kernels: dotNT4m<m> as dotNT16m<m> with 4 rows of B (j < 4) and kb a
// positive multiple of 4; axpyNN12m<m> as axpyNN24m<m> with 12 columns; m ≤ 4.

//go:noescape
func dotNT4m1(kb int, a []float64, lda int, b []float64, ldb int, acc []float64)

//go:noescape
func dotNT4m2(kb int, a []float64, lda int, b []float64, ldb int, acc []float64)

//go:noescape
func dotNT4m3(kb int, a []float64, lda int, b []float64, ldb int, acc []float64)

//go:noescape
func dotNT4m4(kb int, a []float64, lda int, b []float64, ldb int, acc []float64)

//go:noescape
func axpyNN12m1(kb int, a []float64, rs, ps int, b []float64, ldb int, acc []float64)

//go:noescape
func axpyNN12m2(kb int, a []float64, rs, ps int, b []float64, ldb int, acc []float64)

//go:noescape
func axpyNN12m3(kb int, a []float64, rs, ps int, b []float64, ldb int, acc []float64)

//go:noescape
func axpyNN12m4(kb int, a []float64, rs, ps int, b []float64, ldb int, acc []float64)

// avx512Small are the few-rows kernels used with the AVX-512 kernel.
var avx512Small = &smallKernels{
	nt:   [8]func(int, []float64, int, []float64, int, []float64){dotNT16m1, dotNT16m2, dotNT16m3, dotNT16m4, dotNT16m5, dotNT16m6, dotNT16m7, dotNT16m8},
	nn:   [8]func(int, []float64, int, int, []float64, int, []float64){axpyNN24m1, axpyNN24m2, axpyNN24m3, axpyNN24m4, axpyNN24m5, axpyNN24m6, axpyNN24m7, axpyNN24m8},
	rows: 8, ntW: 16, nnW: 24, ntK: 8,
}

// avx2Small are the few-rows kernels used with the AVX2 kernel.
var avx2Small = &smallKernels{
	nt:   [8]func(int, []float64, int, []float64, int, []float64){dotNT4m1, dotNT4m2, dotNT4m3, dotNT4m4},
	nn:   [8]func(int, []float64, int, int, []float64, int, []float64){axpyNN12m1, axpyNN12m2, axpyNN12m3, axpyNN12m4},
	rows: 4, ntW: 4, nnW: 12, ntK: 4,
}
