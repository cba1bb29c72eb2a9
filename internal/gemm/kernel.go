package gemm

import "math"

// kernelOf is a register-blocked microkernel for an mr×nr tile of C with elements of type
// T, in variants that differ only in where they read the operands:
//
//	fnT(kc, a, ps, b, c, ldc, alpha, beta) reads a[p*ps+i] (packed panels with ps = mr, or
//	    op(A) = Aᵀ in place with ps = lda);
//	fnN(kc, a, rs, b, c, ldc, alpha, beta) reads a[i*rs+p] (op(A) = A in place, rs = lda).
//
// Both read the packed panel b (layout b[p*nr+j]), form acc[i][j] = Σ_{p<kc} a_ip·b[p*nr+j]
// with one fused multiply-add per p (rounded once in T) in increasing p starting from
// acc = +0, and write c[i*ldc+j] = combine(acc[i][j], c[i*ldc+j], alpha, beta) (combine32
// for float32).
//
// Because every kernel rounds in exactly this order, all kernels of a type give the same
// bits for each element of C, whatever their tile shape. kernel and kernel32 name the two
// instances.
type kernelOf[T float32 | float64] struct {
	name     string
	mr, nr   int
	fnT, fnN func(kc int, a []T, stride int, b, c []T, ldc int, alpha, beta T)

	// fnTE and fnNE, if not nil, are fnT and fnN for an edge column panel (a full mr rows,
	// fewer than nr columns): they take a last argument mask (nr lanes, -1 for the columns
	// of C to write and 0 for the others, see edgeMask) and leave the other columns of C
	// unread and unwritten, so that the panel is written in place instead of through the
	// edge tile. Same rounding as fnT and fnN. (AVX2 float64.)
	fnTE, fnNE func(kc int, a []T, stride int, b, c []T, ldc int, alpha, beta T, mask []int64)

	// fnTB and fnNB, if not nil, are fnT and fnN reading B in place, row p of the panel at
	// b[p*ldb : p*ldb+nr] (op(B) = B, full panels only), for products with so few rows that
	// packing op(B) would cost more than the product; same rounding. (float32.)
	fnTB, fnNB func(kc int, a []T, stride int, b []T, ldb int, c []T, ldc int, alpha, beta T)

	// smallNT and smallNN are the largest m for which Dgemm takes the few-rows path
	// (small.go) when op(A) = A and op(B) = Bᵀ or B, smallTN the largest k for which it
	// takes it when op(A) = Aᵀ and op(B) = B; small holds its assembly kernels (nil: the
	// pure-Go loops of that path). (float64.)
	smallNT, smallNN, smallTN int
	small                     *smallKernels

	// narrow is a kernel of the same instruction set with a narrower tile (nil if none),
	// used by the packed driver for the products whose n it pads less (forWidth).
	narrow *kernelOf[T]
}

// kernel is a float64 microkernel, kernel32 a float32 one.
type (
	kernel   = kernelOf[float64]
	kernel32 = kernelOf[float32]
)

// forWidth returns the kernel the packed driver uses for a product with n columns: its
// narrow variant when the columns it computes, padding included, are fewer than the wide
// kernel's by more than 5% (the narrow tile does more loads per multiply-add), else k.
// On AVX-512 float64 that is n = 16 or 32 (24-wide tiles would leave 8 or 16 of their
// columns empty: measured 1.3–3× faster with the narrow tile), but not n = 256 or 784,
// where the wide tile pads 8 of 264 or 792 columns and measured 4–7% faster; on AVX-512
// float32, n = 4 or 16 (32-wide tiles would compute 8 or 2 times the columns). Every
// kernel rounds alike, so the choice changes the speed only.
func (k *kernelOf[T]) forWidth(n int) *kernelOf[T] {
	if k.narrow == nil || 21*ceilDiv(n, k.narrow.nr)*k.narrow.nr >= 20*ceilDiv(n, k.nr)*k.nr {
		return k
	}
	return k.narrow
}

// kernels lists the kernels usable on this machine, fastest first; the pure-Go kernel is
// always last. Architecture files prepend assembly kernels in their init functions.
var kernels = []kernel{{name: "generic", mr: 4, nr: 4, fnT: kernGenericT, fnN: kernGenericN, smallNT: genericSmallNT, smallNN: genericSmallNN, smallTN: genericSmallTN}}

// active is the kernel Dgemm uses: kernels[0] after package initialisation.
var active = kernels[0]

// maxMR and maxNR bound the tile shape of every kernel (sizes of the edge-tile buffer).
const (
	maxMR = 8
	maxNR = 24
)

// edgeMasks[w][j] is -1 (all bits set) for j < w and 0 otherwise: the lane masks of the
// edge kernels (kernel.fnTE) for a panel of w columns.
var edgeMasks = func() (m [maxNR + 1][maxNR]int64) {
	for w := range m {
		for j := 0; j < w; j++ {
			m[w][j] = -1
		}
	}
	return m
}()

// edgeMask returns the lane mask of an edge panel of w < nr columns for kernel width nr.
func edgeMask(w, nr int) []int64 { return edgeMasks[w][:nr] }

// combine returns the new value of an element of C from its accumulated product acc:
// alpha·acc when beta is ±0 (c is then not read, so a NaN in C is overwritten), and
// fma(alpha, acc, beta·c) otherwise. The assembly kernels use the same two formulas.
func combine(acc, c, alpha, beta float64) float64 {
	if beta == 0 {
		return alpha * acc
	}
	return math.FMA(alpha, acc, beta*c)
}

// kernGenericT is the fnT variant of the portable kernel.
func kernGenericT(kc int, a []float64, ps int, b, c []float64, ldc int, alpha, beta float64) {
	kernGeneric(kc, a, 1, ps, b, c, ldc, alpha, beta)
}

// kernGenericN is the fnN variant of the portable kernel.
func kernGenericN(kc int, a []float64, rs int, b, c []float64, ldc int, alpha, beta float64) {
	kernGeneric(kc, a, rs, 1, b, c, ldc, alpha, beta)
}

// kernGeneric is the portable 4×4 microkernel reading a_ip = a[i*rs+p*ps]; see kernel for
// its contract. math.FMA rounds once, like the VFMADD231PD instruction of the assembly
// kernels, so its results are bitwise equal to theirs.
func kernGeneric(kc int, a []float64, rs, ps int, b, c []float64, ldc int, alpha, beta float64) {
	b = b[:4*kc]
	var c00, c01, c02, c03, c10, c11, c12, c13 float64
	var c20, c21, c22, c23, c30, c31, c32, c33 float64
	for p := 0; p < kc; p++ {
		bp := b[4*p : 4*p+4 : 4*p+4]
		o := p * ps
		a0, a1, a2, a3 := a[o], a[o+rs], a[o+2*rs], a[o+3*rs]
		b0, b1, b2, b3 := bp[0], bp[1], bp[2], bp[3]
		c00 = math.FMA(a0, b0, c00)
		c01 = math.FMA(a0, b1, c01)
		c02 = math.FMA(a0, b2, c02)
		c03 = math.FMA(a0, b3, c03)
		c10 = math.FMA(a1, b0, c10)
		c11 = math.FMA(a1, b1, c11)
		c12 = math.FMA(a1, b2, c12)
		c13 = math.FMA(a1, b3, c13)
		c20 = math.FMA(a2, b0, c20)
		c21 = math.FMA(a2, b1, c21)
		c22 = math.FMA(a2, b2, c22)
		c23 = math.FMA(a2, b3, c23)
		c30 = math.FMA(a3, b0, c30)
		c31 = math.FMA(a3, b1, c31)
		c32 = math.FMA(a3, b2, c32)
		c33 = math.FMA(a3, b3, c33)
	}
	storeRow4(c[:4], c00, c01, c02, c03, alpha, beta)
	storeRow4(c[ldc:ldc+4], c10, c11, c12, c13, alpha, beta)
	storeRow4(c[2*ldc:2*ldc+4], c20, c21, c22, c23, alpha, beta)
	storeRow4(c[3*ldc:3*ldc+4], c30, c31, c32, c33, alpha, beta)
}

// storeRow4 writes four accumulated values into a row of C with combine.
func storeRow4(c []float64, s0, s1, s2, s3, alpha, beta float64) {
	c[0] = combine(s0, c[0], alpha, beta)
	c[1] = combine(s1, c[1], alpha, beta)
	c[2] = combine(s2, c[2], alpha, beta)
	c[3] = combine(s3, c[3], alpha, beta)
}
