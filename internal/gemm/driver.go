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

// packAll makes every row panel of op(A) be packed, instead of only the edge panel; tests
// set it to check both paths. Either way the results are the same bits.
var packAll = false

// problem is one product, split into tasks: task t covers rows [ti·mc, ti·mc+mc) and
// column panels [tj·npt, tj·npt+npt) of C, with ti = t / nTasksN, tj = t % nTasksN.
type problem struct {
	kern           kernel
	transA, transB bool
	m, n, k        int
	alpha, beta    float64
	a, b, c        []float64
	lda, ldb, ldc  int

	bp    []float64 // packed op(B): block at row p0 holds panel q at p0·nPad + q·kcb·nr
	grid            // the task split
	fused bool      // one row block: each task packs its own panels just before using them
}

// grid is the task split of a product (see problem and splitGrid).
type grid struct {
	nPad    int // n rounded up to a multiple of nr
	mc, npt int // rows and column panels per task
	nTasksN int // tasks along n
	nTasks  int
}

// splitGrid chooses the task grid of an m×n product on mr×nr tiles: see problem.split.
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

// scratch is one goroutine's private workspace: a packed A block and an edge tile.
type scratch struct {
	a    []float64
	tile [maxMR * maxNR]float64
}

// Scratch, packed B buffers and problem descriptions are reused through free lists that,
// unlike sync.Pools, survive garbage collections: a steady-state call allocates nothing.
var (
	scratchPool freelist.List[scratch]
	packedPool  freelist.List[[]float64]
)

// run computes the product with kernel kern; alpha ≠ 0 and m, n, k > 0.
//
// Two parallel loops (internal/parallel's helper pool) do the work: packing the column
// panels of op(B), then computing the tiles of C. Each item writes a disjoint part of the
// packed B or of C, and its result does not depend on which goroutine runs it, so the
// output is the same for any number of workers.
func run(kern kernel, transA, transB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	kern = *kern.forWidth(n)
	pr := problemPool.New()
	*pr = problem{kern: kern, transA: transA, transB: transB, m: m, n: n, k: k,
		alpha: alpha, beta: beta, a: a, b: b, c: c, lda: lda, ldb: ldb, ldc: ldc}
	workers := runtime.GOMAXPROCS(0)
	if m*n*k < serialMK {
		workers = 1
	}
	pr.split(workers)

	bpp := packedPool.New()
	if cap(*bpp) < k*pr.nPad {
		*bpp = make([]float64, k*pr.nPad)
	}
	pr.bp = (*bpp)[:k*pr.nPad]

	nPanels := pr.nPad / kern.nr
	if workers == 1 {
		s := scratchPool.New()
		for q := 0; q < nPanels && !pr.fused; q++ {
			pr.packPanel(q)
		}
		for t := 0; t < pr.nTasks; t++ {
			pr.compute(t, s)
		}
		scratchPool.Put(s)
	} else {
		if !pr.fused {
			parallel.Run(nPanels, packTask{pr})
		}
		parallel.Run(pr.nTasks, computeTask{pr})
	}

	packedPool.Put(bpp)
	*pr = problem{}
	problemPool.Put(pr)
}

var problemPool freelist.List[problem]

// packTask packs column panel i of op(B).
type packTask struct{ pr *problem }

func (t packTask) Do(_, i int) { t.pr.packPanel(i) }

// computeTask computes tile i of C with a scratch workspace of its own.
type computeTask struct{ pr *problem }

func (t computeTask) Do(_, i int) {
	s := scratchPool.New()
	t.pr.compute(i, s)
	scratchPool.Put(s)
}

// split chooses the task grid: at most mcMax rows and ncMax columns per task, and, when
// several workers share the product, about 4 tasks per worker so that a helper that
// starts late still gets a share. Rows are split down to mcMin, columns down to two
// panels (op(A) is read in place, so splitting columns costs no extra packing). The split
// affects speed only, never the results.
func (pr *problem) split(workers int) {
	pr.grid = splitGrid(pr.m, pr.n, pr.kern.mr, pr.kern.nr, workers)
	// With a single row block every panel of op(B) is used by one task only: packing it
	// there, right before its tiles, keeps it in L1 instead of packing all of op(B) first
	// and reading it back from L2 or memory (1.6 MB for 784×256).
	pr.fused = ceilDiv(pr.m, pr.mc) == 1
}

// packPanel packs column panel q of op(B), for all k rows, into pr.bp.
func (pr *problem) packPanel(q int) {
	nr := pr.kern.nr
	for p0 := 0; p0 < pr.k; p0 += kc {
		kcb := min(kc, pr.k-p0)
		off := p0*pr.nPad + q*kcb*nr
		packB(pr.bp[off:off+kcb*nr], pr.transB, pr.b, pr.ldb, pr.n, q*nr, p0, kcb, nr)
	}
}

// compute does task t (see problem) using the private workspace s.
func (pr *problem) compute(t int, s *scratch) {
	kern := pr.kern
	mr, nr := kern.mr, kern.nr
	i0 := (t / pr.nTasksN) * pr.mc
	mc := min(pr.mc, pr.m-i0)
	q0 := (t % pr.nTasksN) * pr.npt
	q1 := min(q0+pr.npt, pr.nPad/nr)
	mcPad := ceilDiv(mc, mr) * mr
	if cap(s.a) < mcPad*kc {
		s.a = make([]float64, max(mcPad, mcMax)*kc)
	}
	tile := s.tile[:mr*nr]
	lda := pr.lda
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
				packB(bpan, pr.transB, pr.b, pr.ldb, pr.n, q*nr, p0, kcb, nr)
			}
			j := q * nr
			nw := min(nr, pr.n-j)
			var mask []int64 // the edge kernels' lane mask, for an edge panel they write in place
			if nw < nr && kern.fnTE != nil {
				mask = edgeMask(nw, nr)
			}
			for ir := 0; ir < mc; ir += mr {
				i := i0 + ir
				mh := min(mr, pr.m-i)
				cs, ldc, alpha, b := pr.c[i*pr.ldc+j:], pr.ldc, pr.alpha, beta
				inPlace := mh == mr && (nw == nr || mask != nil)
				if !inPlace {
					cs, ldc, alpha, b = tile, nr, 1, 0
				}
				switch {
				case inPlace && mask != nil && ir >= full:
					kern.fnTE(kcb, s.a[ir*kcb:(ir+mr)*kcb], mr, bpan, cs, ldc, alpha, b, mask)
				case inPlace && mask != nil && pr.transA:
					kern.fnTE(kcb, pr.a[p0*lda+i:], lda, bpan, cs, ldc, alpha, b, mask)
				case inPlace && mask != nil:
					kern.fnNE(kcb, pr.a[i*lda+p0:], lda, bpan, cs, ldc, alpha, b, mask)
				case ir >= full:
					kern.fnT(kcb, s.a[ir*kcb:(ir+mr)*kcb], mr, bpan, cs, ldc, alpha, b)
				case pr.transA:
					kern.fnT(kcb, pr.a[p0*lda+i:], lda, bpan, cs, ldc, alpha, b)
				default:
					kern.fnN(kcb, pr.a[i*lda+p0:], lda, bpan, cs, ldc, alpha, b)
				}
				if inPlace {
					continue
				}
				for ii := 0; ii < mh; ii++ {
					combineRow(pr.c[(i+ii)*pr.ldc+j:(i+ii)*pr.ldc+j+nw], tile[ii*nr:ii*nr+nw], pr.alpha, beta)
				}
			}
		}
	}
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }
