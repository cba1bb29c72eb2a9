package gemm

import (
	"math"
	"math/rand/v2"
)

// refGemm is the slow exact statement of Dgemm's rounding (see its doc comment): for each
// element, blocks of kc fused multiply-adds in increasing index from zero, combined with
// fma(α, s, β·c) (α·s when β = 0), β = 1 from the second block on. It shares no code with the
// packed kernels, so bitwise agreement with it checks packing, tiling and the kernels.
func refGemm(transA, transB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	at := func(i, p int) float64 {
		if transA {
			return a[p*lda+i]
		}
		return a[i*lda+p]
	}
	bt := func(p, j int) float64 {
		if transB {
			return b[j*ldb+p]
		}
		return b[p*ldb+j]
	}
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			cij := c[i*ldc+j]
			if alpha == 0 || k == 0 {
				switch beta {
				case 0:
					cij = 0
				case 1:
				default:
					cij *= beta
				}
				c[i*ldc+j] = cij
				continue
			}
			bb := beta
			for p0 := 0; p0 < k; p0 += kc {
				s := 0.0
				for p := p0; p < min(p0+kc, k); p++ {
					s = math.FMA(at(i, p), bt(p, j), s)
				}
				if bb == 0 {
					cij = alpha * s
				} else {
					cij = math.FMA(alpha, s, bb*cij)
				}
				bb = 1
			}
			c[i*ldc+j] = cij
		}
	}
}

// absGemm returns |α|·|op(A)|·|op(B)| + |β|·|C| elementwise (β·C omitted when β = 0): the
// magnitude that bounds the rounding error of any summation order of the product.
func absGemm(transA, transB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) []float64 {
	abs := func(x []float64) []float64 {
		y := make([]float64, len(x))
		for i, v := range x {
			y[i] = math.Abs(v)
		}
		return y
	}
	out := make([]float64, len(c))
	copy(out, abs(c))
	bb := math.Abs(beta)
	if beta == 0 {
		bb = 0
		clear(out)
	}
	refGemm(transA, transB, m, n, k, math.Abs(alpha), abs(a), lda, abs(b), ldb, bb, out, ldc)
	return out
}

// matrix is a random row-major operand with leading dimension ld ≥ cols; the padding
// between rows holds NaN so that reading it shows up in the result.
func randMatrix(rng *rand.Rand, rows, cols, pad int) ([]float64, int) {
	ld := max(1, cols+pad)
	x := make([]float64, max(0, (rows-1)*ld+cols))
	for i := range x {
		x[i] = math.NaN()
	}
	for i := 0; i < rows; i++ {
		for j := 0; j < cols; j++ {
			x[i*ld+j] = rng.NormFloat64()
		}
	}
	return x, ld
}

// sameBits reports whether x and y are equal bit for bit (NaNs compared by payload-free class).
func sameBits(x, y float64) bool {
	if math.IsNaN(x) || math.IsNaN(y) {
		return math.IsNaN(x) && math.IsNaN(y)
	}
	return math.Float64bits(x) == math.Float64bits(y)
}
