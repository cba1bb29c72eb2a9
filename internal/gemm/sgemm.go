package gemm

import (
	"runtime"

	"github.com/sdeml/sdeml/internal/freelist"
	"github.com/sdeml/sdeml/internal/parallel"
)

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

// sgemm is Sgemm on the given kernel.
func sgemm(kern *kernel32, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	checkGemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc)
	if m == 0 || n == 0 {
		return
	}
	if alpha == 0 || k == 0 {
		scale32(m, n, beta, c, ldc)
		return
	}
	run32(kern, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// scale32 sets C = β·C (C = 0 when β = 0, without reading C).
func scale32(m, n int, beta float32, c []float32, ldc int) {
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

// problem32 is one float32 product cut into the tasks of grid, like problem: op(B) is
// packed once into column panels (bp, the layout of problem.bp), full mr-row panels of
// op(A) are read in place and the edge panel is packed into the task's scratch.
type problem32 struct {
	kern           *kernel32
	transA, transB bool
	m, n, k        int
	alpha, beta    float32
	a, b, c        []float32
	lda, ldb, ldc  int
	bp             []float32
	grid
	// inPlaceB: op(B) = B and so few rows (m ≤ 2·mr) that each column panel of B serves
	// at most two row panels: full panels are read in place (kernel32.fnTB, fnNB) and only
	// the edge panel is packed.
	inPlaceB bool
}

// scratch32 is one goroutine's float32 workspace: packed A block and edge tile.
type scratch32 struct {
	a    []float32
	tile [maxMR32 * maxNR32]float32
}

// The float32 driver's scratch, kept in free lists that survive garbage collections (as the
// float64 driver's in driver.go), so a steady-state call allocates nothing.
var (
	problem32Pool freelist.List[problem32]
	scratch32Pool freelist.List[scratch32]
	packed32Pool  freelist.List[[]float32]
)

// run32 computes the product; alpha ≠ 0 and m, n, k > 0. As in run, each task writes its
// own tiles of C in a fixed order, so the result does not depend on the number of workers.
func run32(kern *kernel32, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	kern = kern.forWidth32(n)
	pr := problem32Pool.New()
	*pr = problem32{kern: kern, transA: transA, transB: transB, m: m, n: n, k: k,
		alpha: alpha, beta: beta, a: a, b: b, c: c, lda: lda, ldb: ldb, ldc: ldc}
	workers := runtime.GOMAXPROCS(0)
	if m*n*k < serialMK {
		workers = 1
	}
	pr.grid = splitGrid(m, n, kern.mr, kern.nr, workers)
	bpp := packed32Pool.New()
	if cap(*bpp) < k*pr.nPad {
		*bpp = make([]float32, k*pr.nPad)
	}
	pr.bp = (*bpp)[:k*pr.nPad]
	nPanels := pr.nPad / kern.nr
	pr.inPlaceB = !transB && m <= 2*kern.mr && !packAll
	if pr.inPlaceB {
		if n%kern.nr != 0 {
			pr.packPanel(nPanels - 1)
		}
		nPanels = 0
	}
	if workers == 1 {
		s := scratch32Pool.New()
		for q := 0; q < nPanels; q++ {
			pr.packPanel(q)
		}
		for t := 0; t < pr.nTasks; t++ {
			pr.compute(t, s)
		}
		scratch32Pool.Put(s)
	} else {
		parallel.Run(nPanels, pack32Task{pr})
		parallel.Run(pr.nTasks, compute32Task{pr})
	}
	packed32Pool.Put(bpp)
	*pr = problem32{}
	problem32Pool.Put(pr)
}

type pack32Task struct{ pr *problem32 }

func (t pack32Task) Do(_, i int) { t.pr.packPanel(i) }

type compute32Task struct{ pr *problem32 }

func (t compute32Task) Do(_, i int) {
	s := scratch32Pool.New()
	t.pr.compute(i, s)
	scratch32Pool.Put(s)
}

// packPanel packs column panel q of op(B), for all k rows, into pr.bp.
func (pr *problem32) packPanel(q int) {
	nr := pr.kern.nr
	for p0 := 0; p0 < pr.k; p0 += kc {
		kcb := min(kc, pr.k-p0)
		off := p0*pr.nPad + q*kcb*nr
		packB32(pr.bp[off:off+kcb*nr], pr.transB, pr.b, pr.ldb, pr.n, q*nr, p0, kcb, nr)
	}
}

// compute does task t (see grid) using the private workspace s.
func (pr *problem32) compute(t int, s *scratch32) {
	kern := pr.kern
	mr, nr := kern.mr, kern.nr
	i0 := (t / pr.nTasksN) * pr.mc
	mc := min(pr.mc, pr.m-i0)
	q0 := (t % pr.nTasksN) * pr.npt
	q1 := min(q0+pr.npt, pr.nPad/nr)
	mcPad := ceilDiv(mc, mr) * mr
	if cap(s.a) < mcPad*kc {
		s.a = make([]float32, max(mcPad, mcMax)*kc)
	}
	tile := s.tile[:mr*nr]
	for p0 := 0; p0 < pr.k; p0 += kc {
		kcb := min(kc, pr.k-p0)
		beta := pr.beta
		if p0 > 0 {
			beta = 1
		}
		// Full row panels of op(A) are read in place (unless packAll is set), the edge
		// panel (fewer than mr rows) is packed, zero-padded, into s.a.
		full := mc / mr * mr
		if packAll {
			full = 0
		}
		if full < mc {
			packA(s.a[full*kcb:mcPad*kcb], pr.transA, pr.a, pr.lda, i0+full, mc-full, p0, kcb, mr)
		}
		for q := q0; q < q1; q++ {
			bpan := pr.bp[p0*pr.nPad+q*kcb*nr : p0*pr.nPad+(q+1)*kcb*nr]
			j := q * nr
			nw := min(nr, pr.n-j)
			for ir := 0; ir < mc; ir += mr {
				i := i0 + ir
				mh := min(mr, pr.m-i)
				// An edge tile goes through s.tile: C's entries are copied in (when
				// β ≠ 0), the kernel combines, and the mh×nw part is copied back, so the
				// combination is the kernel's (tile entries outside it are never used).
				cs, ldc := pr.c[i*pr.ldc+j:], pr.ldc
				edge := mh < mr || nw < nr
				if edge {
					cs, ldc = tile, nr
					if beta != 0 {
						for ii := 0; ii < mh; ii++ {
							copy(tile[ii*nr:ii*nr+nw], pr.c[(i+ii)*pr.ldc+j:(i+ii)*pr.ldc+j+nw])
						}
					}
				}
				if pr.inPlaceB && nw == nr {
					b := pr.b[p0*pr.ldb+j:]
					switch {
					case ir >= full:
						kern.fnTB(kcb, s.a[ir*kcb:(ir+mr)*kcb], mr, b, pr.ldb, cs, ldc, pr.alpha, beta)
					case pr.transA:
						kern.fnTB(kcb, pr.a[p0*pr.lda+i:], pr.lda, b, pr.ldb, cs, ldc, pr.alpha, beta)
					default:
						kern.fnNB(kcb, pr.a[i*pr.lda+p0:], pr.lda, b, pr.ldb, cs, ldc, pr.alpha, beta)
					}
				} else {
					switch {
					case ir >= full:
						kern.fnT(kcb, s.a[ir*kcb:(ir+mr)*kcb], mr, bpan, cs, ldc, pr.alpha, beta)
					case pr.transA:
						kern.fnT(kcb, pr.a[p0*pr.lda+i:], pr.lda, bpan, cs, ldc, pr.alpha, beta)
					default:
						kern.fnN(kcb, pr.a[i*pr.lda+p0:], pr.lda, bpan, cs, ldc, pr.alpha, beta)
					}
				}
				if edge {
					for ii := 0; ii < mh; ii++ {
						copy(pr.c[(i+ii)*pr.ldc+j:(i+ii)*pr.ldc+j+nw], tile[ii*nr:ii*nr+nw])
					}
				}
			}
		}
	}
}

// packB32 is packB for float32 (without the AVX routines): dst[p*nr+j] = op(B)[p0+p, j0+j]
// for p < kc, j < nr, zero past column n.
func packB32(dst []float32, transB bool, b []float32, ldb, n, j0, p0, kc, nr int) {
	cols := min(nr, n-j0)
	if transB {
		// op(B)[p, j] = b[j*ldb+p]: column j is contiguous in p. Eight columns at a
		// time, so that each p writes 32 adjacent bytes.
		j := 0
		for ; j+8 <= cols; j += 8 {
			r := (j0+j)*ldb + p0
			s0, s1 := b[r:r+kc], b[r+ldb:r+ldb+kc]
			s2, s3 := b[r+2*ldb:r+2*ldb+kc], b[r+3*ldb:r+3*ldb+kc]
			s4, s5 := b[r+4*ldb:r+4*ldb+kc], b[r+5*ldb:r+5*ldb+kc]
			s6, s7 := b[r+6*ldb:r+6*ldb+kc], b[r+7*ldb:r+7*ldb+kc]
			for p := range s0 {
				d := dst[p*nr+j : p*nr+j+8 : p*nr+j+8]
				d[0], d[1], d[2], d[3] = s0[p], s1[p], s2[p], s3[p]
				d[4], d[5], d[6], d[7] = s4[p], s5[p], s6[p], s7[p]
			}
		}
		for ; j < cols; j++ {
			src := b[(j0+j)*ldb+p0 : (j0+j)*ldb+p0+kc]
			for p, v := range src {
				dst[p*nr+j] = v
			}
		}
		if cols < nr {
			for p := 0; p < kc; p++ {
				clear(dst[p*nr+cols : p*nr+nr])
			}
		}
		return
	}
	for p := 0; p < kc; p++ {
		d := dst[p*nr : p*nr+nr]
		copy(d, b[(p0+p)*ldb+j0:(p0+p)*ldb+j0+cols])
		clear(d[cols:])
	}
}
