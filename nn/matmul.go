package nn

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"

	igemm "github.com/sdeml/sdeml/internal/gemm"
)

// gemm computes c = alpha·op(a)·op(b) + beta·c. Every dense matrix product in nn goes
// through this one function so that the implementation can be swapped in one place.
// It uses internal/gemm (packed FMA microkernels, AVX-512/AVX2 on amd64, pure Go
// elsewhere; products with few rows, as in one-sample and micro-batch passes, read the
// operands in place), whose results are the same bits for any GOMAXPROCS and kernel, with
// blas64.Gemm's semantics for α = 0 and β = 0.
func gemm(tA, tB blas.Transpose, alpha float64, a, b blas64.General, beta float64, c blas64.General) {
	transA, transB := tA != blas.NoTrans, tB != blas.NoTrans
	m, k := a.Rows, a.Cols
	if transA {
		m, k = k, m
	}
	kb, n := b.Rows, b.Cols
	if transB {
		kb, n = n, kb
	}
	if m != c.Rows || n != c.Cols || k != kb {
		panic("nn: gemm dimension mismatch")
	}
	igemm.Dgemm(transA, transB, m, n, k, alpha, a.Data, a.Stride, b.Data, b.Stride, beta, c.Data, c.Stride)
}
