package gemm

import "sync"

// Transposed product. The packed driver packs all of op(B) (k×n values) whatever m is, so
// for a product with few rows and many columns (the forward product Z = X·Wᵀ of a
// micro-batch of 16 samples: op(B) = Wᵀ is 784×256, C only 16×256) packing costs as much
// as a sixteenth of the multiply-adds. Computing the transposed product instead,
//
//	Cᵀ = α·op(B)ᵀ·op(A)ᵀ + β·Cᵀ,
//
// the driver packs op(A)ᵀ (k×m values), reads op(B)ᵀ in place and writes Cᵀ into a
// scratch matrix, which is then transposed into C (and, when β ≠ 0, first filled from C).
// Each element is the same chain of fused multiply-adds over the same p in the same order,
// with the factors of each product swapped (fma(b, a, s) = fma(a, b, s) exactly: the
// product is formed exactly before the single rounding), and the same combine with α and
// β; so the result is the same bits as the direct product's.

// swapMaxM is the largest m, swapMinRatio the least n/m and swapMinK the least k for which
// the transposed product is taken; only op(A) = A, op(B) = Bᵀ (the forward product, whose
// transposed product has the same form and so the same kernels) takes it. Chosen with
// TestSwapCPUTime (one thread, CPU time, n = 256, k = 256 and 784): on the forward products
// with 8 ≤ m ≤ 32 the transposed product was 1.1–3.2× faster with the AVX2 kernels
// (fwd/16x784x256: 48 against 23 GFLOP/s), 1.1–2.5× with AVX-512 and 1.02–1.17× with the
// portable kernel (at m = 48 only 1.0–1.5×); for the input gradients (op(B) = B) it was
// 0.7–0.8× on the portable kernel, for the weight gradients 0.8–1.3×, so they keep the
// direct product.
var (
	swapMaxM     = 32
	swapMinRatio = 8
	swapMinK     = kc
)

// useSwap reports whether the packed driver should compute this product transposed: the
// forward form, few rows, many more columns, and a depth of at least one kc block (below
// that, transposing C costs more next to the multiply-adds).
func useSwap(transA, transB bool, m, n, k int) bool {
	return !transA && transB && m <= swapMaxM && n >= swapMinRatio*m && k >= swapMinK
}

var swapPool = sync.Pool{New: func() any { return new([]float64) }}

// runSwapped computes the product as the transposed product (see above) on the packed
// driver; alpha ≠ 0 and m, n, k > 0.
func runSwapped(kern kernel, transA, transB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	tp := swapPool.Get().(*[]float64)
	if cap(*tp) < m*n {
		*tp = make([]float64, m*n)
	}
	ct := (*tp)[:m*n] // Cᵀ, n×m, leading dimension m
	if beta != 0 {
		transpose(ct, m, c, ldc, m, n)
	}
	run(kern, !transB, !transA, n, m, k, alpha, b, ldb, a, lda, beta, ct, m)
	transpose(c, ldc, ct, m, n, m)
	swapPool.Put(tp)
}

// transpose sets dst[j*ldd+i] = src[i*lds+j] for i < rows, j < cols, in blocks of 4×4 so
// that both sides are read and written a cache line at a time.
func transpose(dst []float64, ldd int, src []float64, lds, rows, cols int) {
	i := 0
	for ; i+4 <= rows; i += 4 {
		s0 := src[i*lds : i*lds+cols]
		s1 := src[(i+1)*lds : (i+1)*lds+cols]
		s2 := src[(i+2)*lds : (i+2)*lds+cols]
		s3 := src[(i+3)*lds : (i+3)*lds+cols]
		for j := range s0 {
			d := dst[j*ldd+i : j*ldd+i+4 : j*ldd+i+4]
			d[0], d[1], d[2], d[3] = s0[j], s1[j], s2[j], s3[j]
		}
	}
	for ; i < rows; i++ {
		for j, v := range src[i*lds : i*lds+cols] {
			dst[j*ldd+i] = v
		}
	}
}
