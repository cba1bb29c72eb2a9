package gemm

import "fmt"

// Dgemm computes C = α·op(A)·op(B) + β·C for row-major float64 matrices, where op(A) is
// m×k, op(B) is k×n and C is m×n, with op(X) = Xᵀ when the corresponding trans flag is
// set. Element (i, j) of a matrix X with leading dimension ldx is x[i*ldx+j], so A is m×k
// (k×m when transA) with lda ≥ its number of columns, and likewise for B and C.
//
// The semantics are those of gonum's blas64.Gemm: when β = 0, C is not read (NaN or Inf
// in C is overwritten); when α = 0 or k = 0, only C = β·C is formed and A, B are not read.
// Otherwise each element is c_ij ← fma(α, s_ij, β·c_ij) (α·s_ij when β = 0), where s_ij is
// accumulated in blocks of kc = 256 terms, each block a chain of fused multiply-adds in
// increasing index starting from zero, the blocks being combined in increasing order
// (from the second block on, with β = 1). The result is therefore fully determined by the
// inputs: it is the same bits on every kernel (assembly or pure Go) and for any
// GOMAXPROCS. Terms 0·Inf give NaN as IEEE 754 prescribes (gonum's kernel skips zero
// entries of A, so it can return a finite value there).
//
// Dgemm panics, with a message starting "gemm: ", on negative sizes, too small leading
// dimensions or too short slices. It is safe for concurrent use when the C regions of the
// calls do not overlap.
func Dgemm(transA, transB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	dgemm(active, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// dgemm is Dgemm on the given kernel.
func dgemm(kern kernel, transA, transB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	checkGemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc)
	if m == 0 || n == 0 {
		return
	}
	if alpha == 0 || k == 0 {
		scale(m, n, beta, c, ldc)
		return
	}
	if useSmall(kern, transA, transB, m, k) {
		runSmall(kern, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	if useSwap(transA, transB, m, n, k) {
		runSwapped(kern, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	run(kern, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// checkGemm panics unless the sizes, leading dimensions and slice lengths are consistent.
func checkGemm[T float32 | float64](transA, transB bool, m, n, k int, a []T, lda int, b []T, ldb int, c []T, ldc int) {
	checkOperands(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, false)
}

// checkOperands is checkGemm; with sliding set, A and B may have leading dimensions below
// their column counts (SgemmSliding).
func checkOperands[T float32 | float64](transA, transB bool, m, n, k int, a []T, lda int, b []T, ldb int, c []T, ldc int, sliding bool) {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("gemm: negative size m=%d n=%d k=%d", m, n, k))
	}
	ar, ac := opShape(transA, m, k)
	br, bc := opShape(transB, k, n)
	checkMatrix("A", ar, ac, a, lda, sliding)
	checkMatrix("B", br, bc, b, ldb, sliding)
	checkMatrix("C", m, n, c, ldc, false)
}

// opShape returns the rows and columns of the stored matrix X whose op(X) is rows×cols.
func opShape(trans bool, rows, cols int) (int, int) {
	if trans {
		return cols, rows
	}
	return rows, cols
}

// checkMatrix panics unless x can hold a rows×cols row-major matrix with leading dimension
// ld: ld ≥ cols, or ld ≥ 1 with overlapping rows allowed.
func checkMatrix[T float32 | float64](name string, rows, cols int, x []T, ld int, overlap bool) {
	minLD := max(1, cols)
	if overlap {
		minLD = 1
	}
	if ld < minLD {
		panic(fmt.Sprintf("gemm: bad leading dimension ld%s=%d for %d columns", name, ld, cols))
	}
	if rows > 0 && cols > 0 && len(x) < (rows-1)*ld+cols {
		panic(fmt.Sprintf("gemm: short slice for %s: len=%d, need %d", name, len(x), (rows-1)*ld+cols))
	}
}

// scale sets C = β·C (C = 0 when β = 0, without reading C).
func scale[T float32 | float64](m, n int, beta T, c []T, ldc int) {
	if beta == 1 {
		return
	}
	for i := 0; i < m; i++ {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(row)
			continue
		}
		for j := range row {
			row[j] *= beta
		}
	}
}
