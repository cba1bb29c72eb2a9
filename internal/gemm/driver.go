package gemm

import (
	"runtime"

	"github.com/sdeml/sdeml/internal/freelist"
	"github.com/sdeml/sdeml/internal/parallel"
)

// Blocking parameters. kc fixes the rounding (see Dgemm) and is the same on every kernel.
// A task covers at most mcMax rows (its kc-deep block of op(A), read in place, stays in
// L2) and ncMax columns of C; rows are split down to mcMin to spread work over workers.
const (
	kc       = 256
	mcMax    = 192
	mcMin    = 32
	ncMax    = 1536
	serialMK = 1 << 20 // m·n·k below which one goroutine does the whole product (waking helpers costs µs)
)

// packAll makes every row panel of op(A) be packed, instead of only the edge panel, and
// op(B) be packed even where a kernel could read it in place; tests set it to check both
// paths. Either way the results are the same bits.
var packAll = false

// The packed driver is one generic code for both element types: Dgemm and Sgemm differ
// only in their kernels (kernelOf[float64] or kernelOf[float32]), in how op(B) is packed
// (float64 has AVX routines, see packB) and in the free lists of their scratch (elemOps).

// elemOps holds what the driver needs per element type besides the kernel: the free
// lists of its problems, scratch and packed op(B) (which, unlike sync.Pools, survive
// garbage collections, so a steady-state call allocates nothing), the packing routine of
// op(B), and whether a product with one row block packs op(B) inside its tasks (fuse,
// see problem.split).
type elemOps[T float32 | float64] struct {
	problems freelist.List[problem[T]]
	scratch  freelist.List[scratch[T]]
	packed   freelist.List[[]T]
	packB    func(dst []T, transB bool, b []T, ldb, n, j0, p0, kc, nr int)
	fuse     bool
}

// Packing inside the tasks measured +3–7% on the 784-wide float64 MLP products (one
// thread), but 1–5% slower than packing first on most float32 shapes with AVX2
// (TestSgemmCPUTime, same-run A/B), so only float64 fuses.
var (
	ops64 = &elemOps[float64]{packB: packB, fuse: true}
	ops32 = &elemOps[float32]{packB: packB32}
)

// opsOf returns the elemOps of T.
func opsOf[T float32 | float64]() *elemOps[T] {
	var zero T
	if _, ok := any(zero).(float64); ok {
		return any(ops64).(*elemOps[T])
	}
	return any(ops32).(*elemOps[T])
}

// problem is one product, split into tasks: task t covers rows [ti·mc, ti·mc+mc) and
// column panels [tj·npt, tj·npt+npt) of C, with ti = t / nTasksN, tj = t % nTasksN.
type problem[T float32 | float64] struct {
	kern           kernelOf[T]
	ops            *elemOps[T]
	transA, transB bool
	m, n, k        int
	alpha, beta    T
	a, b, c        []T
	lda, ldb, ldc  int

	bp    []T  // packed op(B): block at row p0 holds panel q at p0·nPad + q·kcb·nr
	grid       // the task split
	fused bool // one row block: each task packs its own panels just before using them
	// inPlaceB: op(B) = B and so few rows (m ≤ 2·mr) that each column panel of B serves
	// at most two row panels, or rows of B one panel wide: full panels are read in place
	// (kernelOf.fnTB, fnNB) and only the edge panel is packed. Only kernels with fnTB
	// take it (the float32 ones).
	inPlaceB bool
}

// grid is the task split of a product (see problem and splitGrid).
type grid struct {
	nPad    int // n rounded up to a multiple of nr
	mc, npt int // rows and column panels per task
	nTasksN int // tasks along n
	nTasks  int
}

// splitGrid chooses the task grid of an m×n product on mr×nr tiles: at most mcMax rows
// and ncMax columns per task, and, when several workers share the product, about 4 tasks
// per worker so that a helper that starts late still gets a share. Rows are split down to
// mcMin, columns down to two panels (op(A) is read in place, so splitting columns costs
// no extra packing). The split affects speed only, never the results.
func splitGrid(m, n, mr, nr, workers int) grid {
	var g grid
	g.nPad = ceilDiv(n, nr) * nr
	nPanels := g.nPad / nr
	target := 1
	if workers > 1 {
		target = 4 * workers
	}
	nmt := max(ceilDiv(m, mcMax), min(workers, m/mcMin))
	nnt := max(ceilDiv(n, ncMax), min(ceilDiv(target, nmt), nPanels/2))
	g.mc = ceilDiv(ceilDiv(m, nmt), mr) * mr
	g.npt = ceilDiv(nPanels, nnt)
	g.nTasksN = ceilDiv(nPanels, g.npt)
	g.nTasks = ceilDiv(m, g.mc) * g.nTasksN
	return g
}

// maxTile bounds mr·nr over every kernel of both types (the size of the edge tile).
const maxTile = max(maxMR*maxNR, maxMR32*maxNR32)

// scratch is one goroutine's private workspace: a packed A block and an edge tile.
type scratch[T float32 | float64] struct {
	a    []T
	tile [maxTile]T
}

// run computes the float64 product with kernel kern (or its narrow variant); alpha ≠ 0
// and m, n, k > 0.
func run(kern kernel, transA, transB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	runPacked(&kern, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// runPacked computes the product with kernel kern (or its narrow variant, forWidth);
// alpha ≠ 0 and m, n, k > 0.
//
// Two parallel loops (internal/parallel's helper pool) do the work: packing the column
// panels of op(B), then computing the tiles of C. Each item writes a disjoint part of the
// packed B or of C, and its result does not depend on which goroutine runs it, so the
// output is the same for any number of workers.
func runPacked[T float32 | float64](kern *kernelOf[T], transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	ops := opsOf[T]()
	pr := ops.problems.New()
	*pr = problem[T]{kern: *kern.forWidth(n), ops: ops, transA: transA, transB: transB, m: m, n: n, k: k,
		alpha: alpha, beta: beta, a: a, b: b, c: c, lda: lda, ldb: ldb, ldc: ldc}
	workers := runtime.GOMAXPROCS(0)
	if m*n*k < serialMK {
		workers = 1
	}
	pr.split(workers)

	bpp := ops.packed.New()
	if cap(*bpp) < k*pr.nPad {
		*bpp = make([]T, k*pr.nPad)
	}
	pr.bp = (*bpp)[:k*pr.nPad]

	nPanels := pr.nPad / pr.kern.nr
	if pr.fused {
		nPanels = 0 // packed by the tasks
	}
	if pr.inPlaceB {
		if n%pr.kern.nr != 0 {
			pr.packPanel(nPanels - 1)
		}
		nPanels = 0
	}
	if workers == 1 {
		s := ops.scratch.New()
		for q := 0; q < nPanels; q++ {
			pr.packPanel(q)
		}
		for t := 0; t < pr.nTasks; t++ {
			pr.compute(t, s)
		}
		ops.scratch.Put(s)
	} else {
		parallel.Run(nPanels, packTask[T]{pr})
		parallel.Run(pr.nTasks, computeTask[T]{pr})
	}

	ops.packed.Put(bpp)
	*pr = problem[T]{}
	ops.problems.Put(pr)
}

// packTask packs column panel i of op(B).
type packTask[T float32 | float64] struct{ pr *problem[T] }

func (t packTask[T]) Do(_, i int) { t.pr.packPanel(i) }

// computeTask computes tile i of C with a scratch workspace of its own.
type computeTask[T float32 | float64] struct{ pr *problem[T] }

func (t computeTask[T]) Do(_, i int) {
	s := t.pr.ops.scratch.New()
	t.pr.compute(i, s)
	t.pr.ops.scratch.Put(s)
}

// split chooses the task grid (splitGrid) and how op(B) is packed.
func (pr *problem[T]) split(workers int) {
	kern := &pr.kern
	pr.grid = splitGrid(pr.m, pr.n, kern.mr, kern.nr, workers)
	// B is also read in place when its rows are one panel wide (ldb = nr, e.g. a
	// convolution's transposed weights with out.C = nr columns): its full panel is then
	// laid out as the packed one (row p at p·nr), so any number of rows may share it.
	pr.inPlaceB = kern.fnTB != nil && !pr.transB && (pr.m <= 2*kern.mr || pr.ldb == kern.nr) && !packAll
	// With a single row block every panel of op(B) is used by one task only: packing it
	// there, right before its tiles, keeps it in L1 instead of packing all of op(B) first
	// and reading it back from L2 or memory (1.6 MB for 784×256).
	pr.fused = pr.ops.fuse && ceilDiv(pr.m, pr.mc) == 1 && !pr.inPlaceB
}

// packPanel packs column panel q of op(B), for all k rows, into pr.bp.
func (pr *problem[T]) packPanel(q int) {
	nr := pr.kern.nr
	for p0 := 0; p0 < pr.k; p0 += kc {
		kcb := min(kc, pr.k-p0)
		off := p0*pr.nPad + q*kcb*nr
		pr.ops.packB(pr.bp[off:off+kcb*nr], pr.transB, pr.b, pr.ldb, pr.n, q*nr, p0, kcb, nr)
	}
}

// compute does task t (see problem) using the private workspace s.
func (pr *problem[T]) compute(t int, s *scratch[T]) {
	kern := &pr.kern
	mr, nr := kern.mr, kern.nr
	i0 := (t / pr.nTasksN) * pr.mc
	mc := min(pr.mc, pr.m-i0)
	q0 := (t % pr.nTasksN) * pr.npt
	q1 := min(q0+pr.npt, pr.nPad/nr)
	mcPad := ceilDiv(mc, mr) * mr
	if cap(s.a) < mcPad*kc {
		s.a = make([]T, max(mcPad, mcMax)*kc)
	}
	tile := s.tile[:mr*nr]
	lda, ldb, ldc := pr.lda, pr.ldb, pr.ldc
	for p0 := 0; p0 < pr.k; p0 += kc {
		kcb := min(kc, pr.k-p0)
		beta := pr.beta
		if p0 > 0 {
			beta = 1
		}
		// Full row panels are read in place unless packAll is set; the edge panel (fewer
		// than mr rows) is always packed, zero-padded, into s.a.
		full := mc / mr * mr
		if packAll {
			full = 0
		}
		if full < mc {
			packA(s.a[full*kcb:mcPad*kcb], pr.transA, pr.a, lda, i0+full, mc-full, p0, kcb, mr)
		}
		for q := q0; q < q1; q++ {
			bpan := pr.bp[p0*pr.nPad+q*kcb*nr : p0*pr.nPad+(q+1)*kcb*nr]
			if pr.fused {
				pr.ops.packB(bpan, pr.transB, pr.b, ldb, pr.n, q*nr, p0, kcb, nr)
			}
			j := q * nr
			nw := min(nr, pr.n-j)
			var mask []int64 // the edge kernels' lane mask, for an edge panel they write in place
			if nw < nr && kern.fnTE != nil {
				mask = edgeMask(nw, nr)
			}
			inPlaceB := pr.inPlaceB && nw == nr // a full panel read in place from B
			for ir := 0; ir < mc; ir += mr {
				i := i0 + ir
				mh := min(mr, pr.m-i)
				// A tile with fewer than mr rows, or an edge panel without an edge kernel,
				// goes through s.tile: C's entries are copied in (when β ≠ 0), the kernel
				// combines, and the mh×nw part is copied back, so the combination is the
				// kernel's (tile entries outside it are never used).
				cs, ldcs := pr.c[i*ldc+j:], ldc
				viaTile := mh < mr || (nw < nr && mask == nil)
				if viaTile {
					cs, ldcs = tile, nr
					if beta != 0 {
						for ii := 0; ii < mh; ii++ {
							copy(tile[ii*nr:ii*nr+nw], pr.c[(i+ii)*ldc+j:(i+ii)*ldc+j+nw])
						}
					}
				}
				switch {
				case inPlaceB:
					b := pr.b[p0*ldb+j:]
					switch {
					case ir >= full:
						kern.fnTB(kcb, s.a[ir*kcb:(ir+mr)*kcb], mr, b, ldb, cs, ldcs, pr.alpha, beta)
					case pr.transA:
						kern.fnTB(kcb, pr.a[p0*lda+i:], lda, b, ldb, cs, ldcs, pr.alpha, beta)
					default:
						kern.fnNB(kcb, pr.a[i*lda+p0:], lda, b, ldb, cs, ldcs, pr.alpha, beta)
					}
				case mask != nil && !viaTile:
					switch {
					case ir >= full:
						kern.fnTE(kcb, s.a[ir*kcb:(ir+mr)*kcb], mr, bpan, cs, ldcs, pr.alpha, beta, mask)
					case pr.transA:
						kern.fnTE(kcb, pr.a[p0*lda+i:], lda, bpan, cs, ldcs, pr.alpha, beta, mask)
					default:
						kern.fnNE(kcb, pr.a[i*lda+p0:], lda, bpan, cs, ldcs, pr.alpha, beta, mask)
					}
				case ir >= full:
					kern.fnT(kcb, s.a[ir*kcb:(ir+mr)*kcb], mr, bpan, cs, ldcs, pr.alpha, beta)
				case pr.transA:
					kern.fnT(kcb, pr.a[p0*lda+i:], lda, bpan, cs, ldcs, pr.alpha, beta)
				default:
					kern.fnN(kcb, pr.a[i*lda+p0:], lda, bpan, cs, ldcs, pr.alpha, beta)
				}
				if viaTile {
					for ii := 0; ii < mh; ii++ {
						copy(pr.c[(i+ii)*ldc+j:(i+ii)*ldc+j+nw], tile[ii*nr:ii*nr+nw])
					}
				}
			}
		}
	}
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }
