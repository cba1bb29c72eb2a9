package nn

import (
	"math/rand/v2"
	"runtime"
	"sync"

	"github.com/sdeml/sdeml/internal/parallel"
)

// graphWS is the scratch of one pass of a Graph over up to cap samples. Unlike a
// Sequential, a Graph runs layer by layer over the whole batch (BatchNorm needs the
// statistics of every sample before any output), each layer in parallel over chunks of
// seqChunk samples. Every chunk's result is computed by one goroutine in a fixed order, and
// the batch-wide sums (parameter gradients, BatchNorm statistics) are added chunk by chunk
// in chunk order, so a pass gives the same bits for any GOMAXPROCS.
type graphWS struct {
	g          *Graph
	cap, batch int

	val   [][]float64 // value outputs (0: the gathered input), batch × size
	d     [][]float64 // ∂/∂value
	z     [][]float64 // pre-activations of a convolution node with an activation
	mask  [][]float64 // Dropout: 0 or 1/(1−Rate)
	arg   [][]int32   // MaxPool argmax
	mean  [][]float64 // BatchNorm: mean used (batch or running)
	vari  [][]float64 // BatchNorm: batch variance (biased), train mode
	istd  [][]float64 // BatchNorm: 1/√(σ² + ε) used
	tmp   []float64   // a contribution to a value that already has one
	gblk  []float64   // the gradient of one block (blocked passes)
	dout  []float64   // saved output errors (PerSampleGrads)
	part  [][]float64 // per-chunk partial sums (BatchNorm, 2·maxC)
	gpart [][]float64 // per-chunk layer gradients (largest layer)
	cols  [][]float64 // per-worker unfolded inputs
	dcols [][]float64 // per-worker ∂/∂cols
	pcg   []rand.PCG  // per-worker dropout streams
	keep  [][]float64 // custom nodes: values kept for backward
	xin   []inChunks  // per chunk: the inputs of a custom node

	written []bool
	losses  []float64
	task    graphTask

	// the current pass
	w        []float64
	idx      []int
	train    bool
	seed     uint64
	step     uint64
	rmean    [][]float64 // running statistics (eval mode)
	rvar     [][]float64
	grad     []float64 // destination of the parameter gradient, or nil
	maxNP    int
	maxCols  int
	maxSize  int
	nworkers int
}

func (g *Graph) newWS() *graphWS {
	n := len(g.nodes)
	ws := &graphWS{g: g, written: make([]bool, n+1)}
	ws.task.ws = ws
	for j := range g.nodes {
		gn := &g.nodes[j]
		ws.maxNP = max(ws.maxNP, gn.np)
		if gn.kind == gStage && gn.st.kind == stageConv && !gn.st.direct {
			ws.maxCols = max(ws.maxCols, seqChunk*gn.st.npos()*gn.st.k)
		}
	}
	for _, s := range g.shapes {
		ws.maxSize = max(ws.maxSize, s.Size())
	}
	ws.gblk = make([]float64, g.np)
	return ws
}

// ensure grows the buffers to hold rows samples.
func (ws *graphWS) ensure(rows int) {
	if rows <= ws.cap {
		return
	}
	g := ws.g
	n := len(g.nodes)
	ws.val, ws.d = make([][]float64, n+1), make([][]float64, n+1)
	ws.z, ws.mask = make([][]float64, n), make([][]float64, n)
	ws.arg = make([][]int32, n)
	ws.mean, ws.vari, ws.istd = make([][]float64, n), make([][]float64, n), make([][]float64, n)
	for v, s := range g.shapes {
		ws.val[v] = make([]float64, rows*s.Size())
		if v > 0 {
			ws.d[v] = make([]float64, rows*s.Size())
		}
	}
	for j := range g.nodes {
		gn := &g.nodes[j]
		size := rows * gn.out.Size()
		switch gn.kind {
		case gStage:
			if gn.st.kind == stageConv && gn.act != Identity {
				ws.z[j] = make([]float64, size)
			}
			if gn.st.kind == stageMax {
				ws.arg[j] = make([]int32, size)
			}
		case gBN:
			C := gn.out.C
			ws.mean[j], ws.vari[j], ws.istd[j] = make([]float64, C), make([]float64, C), make([]float64, C)
		case gDrop:
			ws.mask[j] = make([]float64, size)
		}
	}
	ws.ensureCustom(rows)
	ws.tmp = make([]float64, rows*ws.maxSize)
	ws.dout = make([]float64, rows*g.OutDim())
	ws.losses = make([]float64, rows)
	chunks := (rows + seqChunk - 1) / seqChunk
	ws.part = make([][]float64, chunks)
	ws.gpart = make([][]float64, chunks)
	for c := range chunks {
		ws.part[c] = make([]float64, 2*g.maxC)
		ws.gpart[c] = make([]float64, ws.maxNP)
	}
	ws.cap = rows
}

// ensureWorkers grows the per-worker scratch for a parallel run over n chunks.
func (ws *graphWS) ensureWorkers(n int) {
	for len(ws.cols) < parallel.Workers(n) {
		ws.cols = append(ws.cols, make([]float64, ws.maxCols))
		ws.dcols = append(ws.dcols, make([]float64, ws.maxCols))
		ws.pcg = append(ws.pcg, rand.PCG{})
	}
}

// chunks is the number of chunks of the current batch.
func (ws *graphWS) chunks() int { return (ws.batch + seqChunk - 1) / seqChunk }

// rows returns the samples [lo, hi) of chunk c.
func (ws *graphWS) rows(c int) (lo, hi int) {
	lo = c * seqChunk
	return lo, min(lo+seqChunk, ws.batch)
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
)

// graphTask is the parallel.Task of one operation of node j over the chunks.
type graphTask struct {
	ws    *graphWS
	op, j int
	k     int       // input of an Add or Concat backward
	add   bool      // the Add backward adds to dst instead of writing
	dst   []float64 // the contribution target of the input being back-propagated
}

func (t *graphTask) run(op, j int) {
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

func (ws *graphWS) capacity() int { return ws.cap }

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
