package gemm

import (
	"math"
	"runtime"

	"github.com/sdeml/sdeml/internal/freelist"
	"github.com/sdeml/sdeml/internal/parallel"
)

// Few-rows path. When op(A) has few rows (a single sample or a small micro-batch), the
// packed driver wastes most of its work: it pads the rows up to the microkernel height and
// packs the whole of op(B) on every call. For op(A) = A (rows contiguous) and m ≤
// kernel.smallNT or kernel.smallNN this path instead reads both operands in place, up to 8
// rows of C at a time (4 with AVX2):
//
//	op(B) = Bᵀ (forward Z = X·Wᵀ): c_ij = Σ_p a_ip·b_jp, dots of contiguous rows; the AVX-512
//	    kernels take 16 rows of B at a time and transpose each 8×8 block in registers, so
//	    that the 16 columns of C are the lanes of two vectors (AVX2: 4 rows, 4×4 blocks);
//	op(B) = B (input gradient dX = dZ·W): c_ij = Σ_p a_ip·b_pj, a sum of rows of B
//	    (axpys), 24 columns of C at a time (AVX2: 12).
//
// The second loop also serves op(A) = Aᵀ, op(B) = B with small depth k ≤ kernel.smallTN
// (weight gradient dW = dZᵀ·X of a few samples), where it pays only with the pure-Go loops.
//
// Every element is accumulated as in the packed driver: a chain of fused multiply-adds in
// increasing p from +0 within each kc-block, then combine with β (β = 1 from the second
// block on). So the results are the same bits as the packed path's, on every kernel.

// smallKernels are the assembly kernels of the few-rows path for one instruction set:
// nt[m-1] and nn[m-1] handle m ≤ rows rows of C and ntW or nnW columns (see gen_small.go
// for their contracts); nt takes depths that are multiples of ntK.
type smallKernels struct {
	nt                  [8]func(kb int, a []float64, lda int, b []float64, ldb int, acc []float64)
	nn                  [8]func(kb int, a []float64, rs, ps int, b []float64, ldb int, acc []float64)
	rows, ntW, nnW, ntK int
}

// Largest m on the few-rows path for op(B) = Bᵀ (NT) and op(B) = B (NN) with the AVX-512
// and AVX2 assembly kernels and with the pure-Go loops (next to the portable kernel), and
// largest k for op(A) = Aᵀ (TN); chosen with TestSmallCPUTime and BenchmarkSmall.
const (
	avx512SmallNT  = 32 // single thread, m = 32: 10-25% faster than the packed driver, m = 48: even
	avx512SmallNN  = 32
	genericSmallNT = 8
	genericSmallNN = 4
	avx2SmallNT    = 8 // TestSmallCPUTime: AVX2 NT loses from m = 16 on, NN still wins at m = 32
	avx2SmallNN    = 32
	avx512SmallTN  = 0 // the packed driver is 2-3× faster: B is tiny and its kernel writes C directly
	genericSmallTN = 2
	avx2SmallTN    = 0
)

// Column widths and row count of the pure-Go loops of the few-rows path.
const (
	ntWidth = 16
	nnWidth = 24
	goRows  = 8
)

// useSmall reports whether the few-rows path computes this product on kernel kern.
func useSmall(kern kernel, transA, transB bool, m, k int) bool {
	switch {
	case transA && transB:
		return false
	case transA:
		return k <= kern.smallTN
	case transB:
		return m <= kern.smallNT
	}
	return m <= kern.smallNN
}

// smallProblem is one few-rows product, split into tasks of cols columns of C each.
type smallProblem struct {
	kern          kernel
	transB        bool
	rs, ps        int // op(A)_ip = a[i*rs+p*ps]
	m, n, k       int
	alpha, beta   float64
	a, b, c       []float64
	lda, ldb, ldc int
	cols, nTasks  int
}

var smallPool freelist.List[smallProblem]

// runSmall computes the product on the few-rows path; alpha ≠ 0 and m, n, k > 0.
// Column blocks of C are independent tasks, run on internal/parallel's pool when the
// product is large enough; the result does not depend on the split.
func runSmall(kern kernel, transA, transB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	sp := smallPool.New()
	*sp = smallProblem{kern: kern, transB: transB, m: m, n: n, k: k, alpha: alpha, beta: beta,
		a: a, b: b, c: c, lda: lda, ldb: ldb, ldc: ldc, rs: lda, ps: 1}
	if transA {
		sp.rs, sp.ps = 1, lda
	}
	w := sp.width()
	workers := runtime.GOMAXPROCS(0)
	if m*n*k < serialMK {
		workers = 1
	}
	groups := ceilDiv(n, w)
	sp.cols = groups * w
	if workers > 1 {
		sp.cols = ceilDiv(groups, min(groups, 4*workers)) * w
	}
	sp.nTasks = ceilDiv(n, sp.cols)
	if sp.nTasks == 1 {
		s := ops64.scratch.New()
		sp.task(0, s)
		ops64.scratch.Put(s)
	} else {
		parallel.Run(sp.nTasks, smallTask{sp})
	}
	*sp = smallProblem{}
	smallPool.Put(sp)
}

// smallTask computes column block i of a few-rows product.
type smallTask struct{ sp *smallProblem }

func (t smallTask) Do(_, i int) {
	s := ops64.scratch.New()
	t.sp.task(i, s)
	ops64.scratch.Put(s)
}

// width returns the number of columns of C that one kernel call covers.
func (sp *smallProblem) width() int {
	sk := sp.kern.small
	switch {
	case sk != nil && sp.transB:
		return sk.ntW
	case sk != nil:
		return sk.nnW
	case sp.transB:
		return ntWidth
	}
	return nnWidth
}

// task computes columns [t·cols, (t+1)·cols) of C, w columns and up to rows rows at a time,
// accumulating each kc-block in s.tile. An edge group of fewer than w columns is copied,
// zero-padded, into s.a so that the assembly kernels can take it too (the padding lanes
// are discarded).
func (sp *smallProblem) task(t int, s *scratch[float64]) {
	k := sp.k
	j1 := min((t+1)*sp.cols, sp.n)
	w := sp.width()
	sk := sp.kern.small
	rows, ntK := goRows, 1
	if sk != nil {
		rows, ntK = sk.rows, sk.ntK
		if cap(s.a) < w*kc {
			s.a = make([]float64, mcMax*kc)
		}
	}
	for j0 := t * sp.cols; j0 < j1; j0 += w {
		nj := min(w, j1-j0)
		for i0 := 0; i0 < sp.m; i0 += rows {
			m := min(rows, sp.m-i0)
			a := sp.a[i0*sp.rs:]
			acc := s.tile[:m*w]
			for p0 := 0; p0 < k; p0 += kc {
				kcb := min(kc, k-p0)
				clear(acc)
				switch {
				case sp.transB && sk != nil:
					done := kcb / ntK * ntK
					if done > 0 {
						b, ldb := sp.b[j0*sp.ldb+p0:], sp.ldb
						if nj < w {
							b, ldb = s.a[:w*kcb], kcb
							for j := 0; j < w; j++ {
								if j < nj {
									copy(b[j*kcb:(j+1)*kcb], sp.b[(j0+j)*sp.ldb+p0:])
								} else {
									clear(b[j*kcb : (j+1)*kcb])
								}
							}
						}
						sk.nt[m-1](done, a[p0:], sp.lda, b, ldb, acc)
					}
					dotsGo(acc, w, a, sp.lda, m, sp.b[j0*sp.ldb:], sp.ldb, nj, p0+done, p0+kcb)
				case sp.transB:
					dotsGo(acc, w, a, sp.lda, m, sp.b[j0*sp.ldb:], sp.ldb, nj, p0, p0+kcb)
				case sk != nil:
					b, ldb := sp.b[p0*sp.ldb+j0:], sp.ldb
					if nj < w {
						b, ldb = s.a[:w*kcb], w
						for p := 0; p < kcb; p++ {
							d := b[p*w : (p+1)*w]
							copy(d, sp.b[(p0+p)*sp.ldb+j0:(p0+p)*sp.ldb+j0+nj])
							clear(d[nj:])
						}
					}
					sk.nn[m-1](kcb, a[p0*sp.ps:], sp.rs, sp.ps, b, ldb, acc)
				default:
					axpysGo(acc, w, a, sp.rs, sp.ps, m, sp.b[j0:], sp.ldb, nj, p0, p0+kcb)
				}
				beta := sp.beta
				if p0 > 0 {
					beta = 1
				}
				for i := 0; i < m; i++ {
					combineRow(sp.c[(i0+i)*sp.ldc+j0:(i0+i)*sp.ldc+j0+nj], acc[i*w:i*w+nj], sp.alpha, beta)
				}
			}
		}
	}
}

// dotsGo continues acc[i*w+j] ← fma(a_ip, b_jp, acc[i*w+j]) for p = p0, …, p1-1 in order,
// with a_ip = a[i*lda+p] (i < m) and b_jp = b[j*ldb+p] (j < nj), four columns at a time.
func dotsGo(acc []float64, w int, a []float64, lda, m int, b []float64, ldb, nj, p0, p1 int) {
	if p0 == p1 {
		return
	}
	for i := 0; i < m; i++ {
		ai := a[i*lda+p0 : i*lda+p1]
		ci := acc[i*w : i*w+nj]
		j := 0
		for ; j+4 <= nj; j += 4 {
			b0 := b[j*ldb+p0 : j*ldb+p1]
			b1 := b[(j+1)*ldb+p0 : (j+1)*ldb+p1]
			b2 := b[(j+2)*ldb+p0 : (j+2)*ldb+p1]
			b3 := b[(j+3)*ldb+p0 : (j+3)*ldb+p1]
			s0, s1, s2, s3 := ci[j], ci[j+1], ci[j+2], ci[j+3]
			for p, v := range ai {
				s0 = math.FMA(v, b0[p], s0)
				s1 = math.FMA(v, b1[p], s1)
				s2 = math.FMA(v, b2[p], s2)
				s3 = math.FMA(v, b3[p], s3)
			}
			ci[j], ci[j+1], ci[j+2], ci[j+3] = s0, s1, s2, s3
		}
		for ; j < nj; j++ {
			bj := b[j*ldb+p0 : j*ldb+p1]
			s := ci[j]
			for p, v := range ai {
				s = math.FMA(v, bj[p], s)
			}
			ci[j] = s
		}
	}
}

// axpysGo continues acc[i*w+j] ← fma(a_ip, b_pj, acc[i*w+j]) for p = p0, …, p1-1 in order,
// with a_ip = a[i*rs+p*ps] (i < m) and b_pj = b[p*ldb+j] (j < nj).
func axpysGo(acc []float64, w int, a []float64, rs, ps, m int, b []float64, ldb, nj, p0, p1 int) {
	for p := p0; p < p1; p++ {
		bp := b[p*ldb : p*ldb+nj]
		for i := 0; i < m; i++ {
			v := a[i*rs+p*ps]
			ci := acc[i*w : i*w+nj]
			for j, x := range bp {
				ci[j] = math.FMA(v, x, ci[j])
			}
		}
	}
}

// combineRow sets c[j] = combine(acc[j], c[j], alpha, beta), with the common cases α = 1,
// β ∈ {0, 1} written without the general formula (1·x = x and fma(1, x, 1·y) = x + y
// exactly, so the bits are the same).
func combineRow(c, acc []float64, alpha, beta float64) {
	acc = acc[:len(c)]
	switch {
	case alpha == 1 && beta == 0:
		copy(c, acc)
	case alpha == 1 && beta == 1:
		for j, v := range acc {
			c[j] += v
		}
	default:
		for j, v := range acc {
			c[j] = combine(v, c[j], alpha, beta)
		}
	}
}
