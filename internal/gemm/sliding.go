package gemm

// SgemmSliding is Sgemm where A and B may have leading dimensions smaller than their
// numbers of columns (lda, ldb ≥ 1): row i of a row-major X with leading dimension ldx is
// x[i·ldx : i·ldx+cols] whatever ldx is, so rows may overlap. With ldx = C and rows of
// kw·C values, the rows are the sliding windows of an image row stored channels last
// (pixel after pixel, C values each), which turns a stride-1 convolution into products
// without an unfolded (im2col) copy of the image. A and B are only read; C follows
// Sgemm's rules and must not overlap them. The results are those of Sgemm on the
// explicit matrices (the same bits: the same values are read in the same order).
func SgemmSliding(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	sgemmSliding(&active32, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// sgemmSliding is SgemmSliding on the given kernel.
func sgemmSliding(kern *kernel32, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	checkOperands(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, true)
	sgemmChecked(kern, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// SgemmInPlaceRows returns the most rows m for which Sgemm and SgemmSliding with op(B) = B
// (transB false) and n columns read the full column panels of B in place on this
// machine's kernel, instead of packing them first (0 if they always pack). A caller
// whose B is shared by many rows, each panel packed per call, can split the product into
// row blocks of this size: the same bits (each element of C is formed the same way) and
// no packing.
func SgemmInPlaceRows(n int) int {
	k := active32.forWidth(n)
	if k.fnTB == nil {
		return 0
	}
	return 2 * k.mr
}

// SgemmRowTile returns the rows of the tiles (mr) of the kernel Sgemm and SgemmSliding use
// for products n columns wide on this machine: with m a multiple of it, every row panel of
// op(A) is read in place, none packed (a caller that can compute a few extra rows, e.g.
// junk rows of a sliding-window product, may round m up to it).
func SgemmRowTile(n int) int { return active32.forWidth(n).mr }
