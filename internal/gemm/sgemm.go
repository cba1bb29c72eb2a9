package gemm

// Sgemm computes C = α·op(A)·op(B) + β·C for row-major float32 matrices, with the shapes,
// leading dimensions, panics and β = 0 / α = 0 semantics of Dgemm. Each element is
// c_ij ← fma(α, s_ij, β·c_ij) (α·s_ij when β = 0), rounded once to float32, where s_ij is
// accumulated in blocks of kc = 256 terms, each block a chain of float32 fused
// multiply-adds in increasing index from zero, the blocks combined in increasing order
// (from the second on with β = 1). The result is the same bits on every kernel level
// (AVX-512, AVX2, portable) and for any GOMAXPROCS.
//
// Accuracy: with u = 2⁻²⁴ the unit roundoff of float32, |ĉ_ij − c_ij| ≤
// γ_{k+2}·(|α|·Σ_p |a_ip||b_pj| + |β||c_ij|), γ_n = n·u/(1 − n·u) (see the package
// comment), about 2²⁹ times the float64 bound of Dgemm: use it where k·u is small against
// the accuracy needed.
//
// Mixing float32 and float64 matrices is a compile-time type error (Dgemm takes
// []float64, Sgemm []float32).
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	sgemm(&active32, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// sgemm is Sgemm on the given kernel: the packed driver of driver.go, shared with Dgemm.
func sgemm(kern *kernel32, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	checkGemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc)
	sgemmChecked(kern, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// sgemmChecked is sgemm on checked operands.
func sgemmChecked(kern *kernel32, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	if alpha == 0 || k == 0 {
		scale(m, n, beta, c, ldc)
		return
	}
	runPacked(kern, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}
