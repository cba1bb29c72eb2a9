package nn

import (
	"math/rand/v2"
	"runtime"
	"sync"

	"github.com/sdeml/sdeml/internal/parallel"
	"gonum.org/v1/gonum/floats"
)

// floatT is the value type of a Graph pass: float64 (GraphSupervised, GraphPass) or
// float32 (the mixed-precision path, GraphSupervised32, GraphPass32).
type floatT interface{ float32 | float64 }

// graphWSOf is the scratch of one pass of a Graph over up to cap samples, with values,
// errors and unfolded inputs of type T; statistics, kept values of custom layers and
// parameter gradients are float64 in both precisions. A pass runs in parallel over chunks
// of seqChunk samples: with the float32 kernels chunk-major between the steps that need the
// whole batch (BatchNorm statistics, gradient reductions; graphWSOf.forward and backward),
// with the float64 kernels node by node over all chunks. Every
// chunk's result is computed by one goroutine in a fixed order, and the batch-wide sums
// (parameter gradients, BatchNorm statistics) are added chunk by chunk in chunk order, so
// a pass gives the same bits for any GOMAXPROCS. The node walk, the layout and the
// layers that only move values are shared by both precisions; the kernels that compute
// (convolutions, BatchNorm, activations, pooling sums, custom layers) are the
// precision's graphKernels.
type graphWSOf[T floatT] struct {
	g          *Graph
	k          graphKernels[T]
	cap, batch int

	val   [][]T       // value outputs (0: the gathered input), batch × size
	d     [][]T       // ∂/∂value
	z     [][]T       // pre-activations of a convolution node with an activation
	mask  [][]T       // Dropout: 0 or 1/(1−Rate)
	arg   [][]int32   // MaxPool argmax
	mean  [][]float64 // BatchNorm: mean used (batch or running)
	vari  [][]float64 // BatchNorm: batch variance (biased), train mode
	istd  [][]float64 // BatchNorm: 1/√(σ² + ε) used
	keep  [][]float64 // custom nodes: values kept for backward
	xin   [][][]T     // per chunk: the inputs of a custom node
	tmp   []T         // a contribution to a value that already has one
	gblk  []float64   // the gradient of one block (blocked passes)
	out   []float64   // the network outputs widened, batch × OutDim (float32 path)
	dout  []float64   // ∂ loss/∂ outputs (float32 path), saved output errors (PerSampleGrads)
	part  [][]float64 // per-chunk partial sums and coefficients (BatchNorm, 3·maxC)
	gpart [][]float64 // per-chunk layer gradients (largest layer)
	cols  [][]T       // per-worker unfolded inputs
	dcols [][]T       // per-worker ∂/∂cols
	pcg   []rand.PCG  // per-worker dropout streams

	// float32 path only
	w32 []float32   // the parameters rounded to float32
	g32 [][]float32 // per-chunk float32 weight gradient of a convolution
	tst []*stage    // per node: the transposed stage of a "same" convolution (transposed32)
	wT  [][]T       // per worker: its flipped weights

	written []bool
	losses  []float64
	task    graphTask[T]
	ctask   []graphTask[T] // per chunk: the task of a chunk-major forward pass
	pend    []chunkOp[T]   // the queued backward operations (graphWSOf.queue)

	// the current pass
	w     []float64
	idx   []int
	train bool
	infer bool // no backward pass follows: layers may skip what only backward reads
	fuse  bool // fuse BatchNorm or Add with a following ReLU (gnode.reluNext); off for
	// passes whose values are read beyond the backward pass (GraphPass.Value, HVP)
	segLo   int // the forward segment being run (graphWSOf.forward): nodes [segLo, segHi)
	segHi   int
	segSum  bool // the segment ends with the partial sums of the BatchNorm node segHi
	seed    uint64
	step    uint64
	rmean   [][]float64 // running statistics (eval mode)
	rvar    [][]float64
	grad    []float64 // destination of the parameter gradient, or nil
	maxNP   int
	maxCols int
	maxSize int
	maxWT   int
}

// graphWS and graphWS32 are the scratch of the float64 and the mixed-precision passes.
type (
	graphWS   = graphWSOf[float64]
	graphWS32 = graphWSOf[float32]
)

func (g *Graph) newWS() *graphWS     { return newGraphWS[float64](g, prec64{}) }
func (g *Graph) newWS32() *graphWS32 { return newGraphWS[float32](g, prec32{}) }

// newGraphWS returns an empty scratch of g for the kernels k.
func newGraphWS[T floatT](g *Graph, k graphKernels[T]) *graphWSOf[T] {
	ws := &graphWSOf[T]{g: g, k: k, written: make([]bool, len(g.nodes)+1)}
	ws.pend = make([]chunkOp[T], 0, 2*len(g.nodes)+g.maxIn)
	ws.task.ws = ws
	for j := range g.nodes {
		ws.maxNP = max(ws.maxNP, g.nodes[j].np)
	}
	for _, s := range g.shapes {
		ws.maxSize = max(ws.maxSize, s.Size())
	}
	ws.gblk = make([]float64, g.np)
	k.setup(ws)
	return ws
}

// ensure grows the buffers to hold rows samples.
func (ws *graphWSOf[T]) ensure(rows int) {
	if rows <= ws.cap {
		return
	}
	g := ws.g
	n := len(g.nodes)
	ws.val, ws.d = make([][]T, n+1), make([][]T, n+1)
	ws.z, ws.mask, ws.keep = make([][]T, n), make([][]T, n), make([][]float64, n)
	ws.arg = make([][]int32, n)
	ws.mean, ws.vari, ws.istd = make([][]float64, n), make([][]float64, n), make([][]float64, n)
	for v, s := range g.shapes {
		ws.val[v] = make([]T, rows*s.Size())
		if v > 0 {
			ws.d[v] = make([]T, rows*s.Size())
		}
	}
	for j := range g.nodes {
		gn := &g.nodes[j]
		size := rows * gn.out.Size()
		switch gn.kind {
		case gStage:
			if gn.st.kind == stageConv && gn.act != Identity {
				ws.z[j] = make([]T, size)
			}
			if gn.st.kind == stageMax {
				ws.arg[j] = make([]int32, size)
			}
		case gBN:
			C := gn.out.C
			ws.mean[j], ws.vari[j], ws.istd[j] = make([]float64, C), make([]float64, C), make([]float64, C)
		case gDrop:
			ws.mask[j] = make([]T, size)
		case gCustom:
			ws.keep[j] = make([]float64, rows*ws.k.keepSize(gn.cn))
		}
	}
	K := g.OutDim()
	ws.tmp = make([]T, rows*ws.maxSize)
	ws.out, ws.dout, ws.losses = make([]float64, rows*K), make([]float64, rows*K), make([]float64, rows)
	chunks := (rows + seqChunk - 1) / seqChunk
	ws.part, ws.gpart, ws.xin = make([][]float64, chunks), make([][]float64, chunks), make([][][]T, chunks)
	for c := range chunks {
		ws.part[c] = make([]float64, 3*g.maxC)
		ws.gpart[c] = make([]float64, ws.maxNP)
		ws.xin[c] = make([][]T, g.maxIn)
	}
	ws.ctask = make([]graphTask[T], chunks)
	ws.k.grow(ws, chunks)
	ws.cap = rows
}

// ensureWorkers grows the per-worker scratch for a parallel run over n chunks.
func (ws *graphWSOf[T]) ensureWorkers(n int) {
	for len(ws.cols) < parallel.Workers(n) {
		ws.cols = append(ws.cols, make([]T, ws.maxCols))
		ws.dcols = append(ws.dcols, make([]T, ws.maxCols))
		ws.wT = append(ws.wT, make([]T, ws.maxWT))
		ws.pcg = append(ws.pcg, rand.PCG{})
	}
}

// chunks is the number of chunks of the current batch.
func (ws *graphWSOf[T]) chunks() int { return (ws.batch + seqChunk - 1) / seqChunk }

// rows returns the samples [lo, hi) of chunk c.
func (ws *graphWSOf[T]) rows(c int) (lo, hi int) {
	lo = c * seqChunk
	return lo, min(lo+seqChunk, ws.batch)
}

// target returns where the next contribution to ∂/∂value v goes: ws.d[v] for the first,
// the scratch ws.tmp (added by commit) for later ones.
func (ws *graphWSOf[T]) target(v int) []T {
	n := ws.batch * ws.g.shapes[v].Size()
	if ws.written[v] {
		return ws.tmp[:n]
	}
	return ws.d[v][:n]
}

// commit adds a contribution made in ws.tmp to ws.d[v] and marks v as written.
func (ws *graphWSOf[T]) commit(v int) {
	if ws.written[v] {
		ws.flush() // the contribution is a queued operation's
		n := ws.batch * ws.g.shapes[v].Size()
		ws.k.add(ws.d[v][:n], ws.tmp[:n])
	}
	ws.written[v] = true
}

// reduce sets dst (n values) to the sum of the chunks' partial sums ws.part[c][:n], in
// chunk order.
func (ws *graphWSOf[T]) reduce(dst []float64, n int) {
	copy(dst[:n], ws.part[0][:n])
	for c := 1; c < ws.chunks(); c++ {
		floats.Add(dst[:n], ws.part[c][:n])
	}
}

// reduceGrad sets grad (the np parameters of a node) to the sum of the chunks' layer
// gradients ws.gpart[c][:np], in chunk order.
func (ws *graphWSOf[T]) reduceGrad(grad []float64) {
	copy(grad, ws.gpart[0][:len(grad)])
	for c := 1; c < ws.chunks(); c++ {
		floats.Add(grad, ws.gpart[c][:len(grad)])
	}
}

// graph pass operations, run per chunk by graphTask.
const (
	gopFwd = iota
	gopBNSum
	gopBNVar
	gopBNApply
	gopBwd
	gopBNBackSum
	gopBNBackApply
	gopAddBack
	gopConcatBack
	gopCustomBack
	gopFwdChunk // the whole forward pass of one chunk (graphWSOf.forwardChunk)
	gopChunkOps // the queued backward operations of one chunk (graphWSOf.runQueued)
)

// graphTask is the parallel.Task of one operation of node j over the chunks.
type graphTask[T floatT] struct {
	ws    *graphWSOf[T]
	op, j int
	k     int  // input of an Add, Concat or custom backward
	add   bool // the Add backward adds to dst instead of writing
	fused bool // a forward operation fused with the next node, a ReLU (gnode.reluNext)
	dst   []T  // the contribution target of the input being back-propagated
}

func (t *graphTask[T]) run(op, j int) {
	t.op, t.j = op, j
	n := t.ws.chunks()
	t.ws.ensureWorkers(n)
	if n == 1 {
		t.Do(0, 0)
		return
	}
	parallel.Run(n, t)
}

// dropSeeds returns the PCG seeds of the dropout stream of sample i at node j of training
// step step, under seed: SplitMix64 of the keys chained, so distinct keys give unrelated
// streams.
func dropSeeds(seed, step uint64, j, i int) (uint64, uint64) {
	a := mix64(seed ^ mix64(step+0x9e3779b97f4a7c15))
	a = mix64(a ^ uint64(j))
	return a, mix64(uint64(i) + 0x632be59bd9b4e019)
}

func mix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// wsPool keeps graph workspaces for reuse, like freeList, choosing by capacity: a
// workspace holds the whole batch of a training-mode pass with BatchNorm (hundreds of
// megabytes for a ResNet at batch 128), so handing it to a small pass, or growing a small
// one to the whole batch, would waste memory.
type wsPool = capPool[graphWS, *graphWS]

func (ws *graphWSOf[T]) capacity() int { return ws.cap }

// capPool is wsPool for workspaces of type T (float64 or float32 passes).
type capPool[T any, P interface {
	*T
	capacity() int
}] struct {
	mu   sync.Mutex
	free []P
}

// get removes and returns the kept workspace with the smallest capacity >= rows, or the
// largest one if none holds rows, or nil if none is kept.
func (p *capPool[T, P]) get(rows int) P {
	p.mu.Lock()
	defer p.mu.Unlock()
	best := -1
	for i, ws := range p.free {
		c, b := ws.capacity(), 0
		if best >= 0 {
			b = p.free[best].capacity()
		}
		switch {
		case best < 0:
			best = i
		case c >= rows && (b < rows || c < b):
			best = i
		case b < rows && c > b:
			best = i
		}
	}
	if best < 0 {
		return nil
	}
	ws := p.free[best]
	last := len(p.free) - 1
	p.free[best], p.free[last] = p.free[last], nil
	p.free = p.free[:last]
	return ws
}

// put keeps ws, unless the pool is full.
func (p *capPool[T, P]) put(ws P) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.free) < 4*runtime.GOMAXPROCS(0)+seqRound {
		p.free = append(p.free, ws)
	}
}
