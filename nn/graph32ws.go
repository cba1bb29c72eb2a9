package nn

import (
	"math/rand/v2"

	"github.com/sdeml/sdeml/internal/parallel"
)

// graphWS32 is the scratch of one mixed-precision pass of a Graph over up to cap samples
// (GraphSupervised32, GraphPass32): graphWS with float32 values, errors and unfolded
// inputs, float64 statistics and gradients. It runs layer by layer over the whole batch,
// each layer in parallel over chunks of seqChunk samples, the batch-wide sums added chunk
// by chunk in chunk order: same bits for any GOMAXPROCS.
type graphWS32 struct {
	g          *Graph
	cap, batch int

	w32   []float32   // the parameters rounded to float32
	val   [][]float32 // value outputs (0: the gathered input), batch × size
	d     [][]float32 // ∂/∂value
	z     [][]float32 // pre-activations of a convolution node with an activation
	mask  [][]float32 // Dropout: 0 or 1/(1−Rate)
	arg   [][]int32   // MaxPool argmax
	mean  [][]float64 // BatchNorm: mean used (batch or running)
	vari  [][]float64 // BatchNorm: batch variance (biased), train mode
	istd  [][]float64 // BatchNorm: 1/√(σ² + ε) used
	keep  [][]float64 // custom nodes: values kept for backward
	xin   [][][]float32
	tmp   []float32   // a contribution to a value that already has one
	gblk  []float64   // the gradient of one block (blocked passes)
	part  [][]float64 // per-chunk partial sums and coefficients (BatchNorm, 3·maxC)
	gpart [][]float64 // per-chunk layer gradients, widened (largest layer)
	g32   [][]float32 // per-chunk float32 weight gradient of a convolution
	cols  [][]float32 // per-worker unfolded inputs
	dcols [][]float32 // per-worker ∂/∂cols
	tst   []*stage    // per node: the transposed stage of a "same" convolution (transposed32)
	wT    [][]float32 // per worker: its flipped weights
	pcg   []rand.PCG  // per-worker dropout streams

	written []bool
	out     []float64 // the network outputs widened, batch × OutDim
	dout    []float64 // ∂ loss/∂ outputs, batch × OutDim
	losses  []float64
	task    graph32Task

	// the current pass
	w       []float64
	idx     []int
	train   bool
	seed    uint64
	step    uint64
	rmean   [][]float64
	rvar    [][]float64
	grad    []float64
	maxNP   int
	maxCols int
	maxSize int
	maxWT   int
}

func (ws *graphWS32) capacity() int { return ws.cap }

func (g *Graph) newWS32() *graphWS32 {
	ws := &graphWS32{g: g, written: make([]bool, len(g.nodes)+1), w32: make([]float32, g.np)}
	ws.task.ws = ws
	for j := range g.nodes {
		gn := &g.nodes[j]
		ws.maxNP = max(ws.maxNP, gn.np)
		if gn.kind == gStage && gn.st.kind == stageConv && !gn.st.direct {
			ws.maxCols = max(ws.maxCols, gn.st.npos()*gn.st.k) // one sample
			if ts := transposed32(&gn.st); ts != nil {
				if ws.tst == nil {
					ws.tst = make([]*stage, len(g.nodes))
				}
				ws.tst[j] = ts
				ws.maxCols = max(ws.maxCols, ts.npos()*ts.k)
				ws.maxWT = max(ws.maxWT, ts.out.C*ts.k)
			}
		}
	}
	for _, s := range g.shapes {
		ws.maxSize = max(ws.maxSize, s.Size())
	}
	ws.gblk = make([]float64, g.np)
	return ws
}

// ensure grows the buffers to hold rows samples.
func (ws *graphWS32) ensure(rows int) {
	if rows <= ws.cap {
		return
	}
	g := ws.g
	n := len(g.nodes)
	ws.val, ws.d = make([][]float32, n+1), make([][]float32, n+1)
	ws.z, ws.mask, ws.keep = make([][]float32, n), make([][]float32, n), make([][]float64, n)
	ws.arg = make([][]int32, n)
	ws.mean, ws.vari, ws.istd = make([][]float64, n), make([][]float64, n), make([][]float64, n)
	for v, s := range g.shapes {
		ws.val[v] = make([]float32, rows*s.Size())
		if v > 0 {
			ws.d[v] = make([]float32, rows*s.Size())
		}
	}
	for j := range g.nodes {
		gn := &g.nodes[j]
		size := rows * gn.out.Size()
		switch gn.kind {
		case gStage:
			if gn.st.kind == stageConv && gn.act != Identity {
				ws.z[j] = make([]float32, size)
			}
			if gn.st.kind == stageMax {
				ws.arg[j] = make([]int32, size)
			}
		case gBN:
			C := gn.out.C
			ws.mean[j], ws.vari[j], ws.istd[j] = make([]float64, C), make([]float64, C), make([]float64, C)
		case gDrop:
			ws.mask[j] = make([]float32, size)
		case gCustom:
			ws.keep[j] = make([]float64, rows*keep32(gn.cn))
		}
	}
	K := g.OutDim()
	ws.tmp = make([]float32, rows*ws.maxSize)
	ws.out, ws.dout, ws.losses = make([]float64, rows*K), make([]float64, rows*K), make([]float64, rows)
	chunks := (rows + seqChunk - 1) / seqChunk
	ws.part, ws.gpart, ws.g32 = make([][]float64, chunks), make([][]float64, chunks), make([][]float32, chunks)
	ws.xin = make([][][]float32, chunks)
	for c := range chunks {
		ws.part[c] = make([]float64, 3*g.maxC)
		ws.gpart[c] = make([]float64, ws.maxNP)
		ws.g32[c] = make([]float32, ws.maxNP)
		ws.xin[c] = make([][]float32, g.maxIn)
	}
	ws.cap = rows
}

// ensureWorkers grows the per-worker scratch for a parallel run over n chunks.
func (ws *graphWS32) ensureWorkers(n int) {
	for len(ws.cols) < parallel.Workers(n) {
		ws.cols = append(ws.cols, make([]float32, ws.maxCols))
		ws.dcols = append(ws.dcols, make([]float32, ws.maxCols))
		ws.wT = append(ws.wT, make([]float32, ws.maxWT))
		ws.pcg = append(ws.pcg, rand.PCG{})
	}
}

// setParams rounds w to float32.
func (ws *graphWS32) setParams(w []float64) {
	ws.w = w
	for i, v := range w {
		ws.w32[i] = float32(v)
	}
}

func (ws *graphWS32) chunks() int { return (ws.batch + seqChunk - 1) / seqChunk }

func (ws *graphWS32) rows(c int) (lo, hi int) {
	lo = c * seqChunk
	return lo, min(lo+seqChunk, ws.batch)
}

// graph32Task is the parallel.Task of one operation of node j over the chunks (the
// operation codes of graphTask).
type graph32Task struct {
	ws    *graphWS32
	op, j int
	k     int
	add   bool
	dst   []float32
}

func (t *graph32Task) run(op, j int) {
	t.op, t.j = op, j
	n := t.ws.chunks()
	t.ws.ensureWorkers(n)
	if n == 1 {
		t.Do(0, 0)
		return
	}
	parallel.Run(n, t)
}

// target returns where the next contribution to ∂/∂value v goes (graphWS.target).
func (ws *graphWS32) target(v int) []float32 {
	n := ws.batch * ws.g.shapes[v].Size()
	if ws.written[v] {
		return ws.tmp[:n]
	}
	return ws.d[v][:n]
}

// commit adds a contribution made in ws.tmp to ws.d[v] and marks v as written.
func (ws *graphWS32) commit(v int) {
	if ws.written[v] {
		n := ws.batch * ws.g.shapes[v].Size()
		add32(ws.d[v][:n], ws.tmp[:n])
	}
	ws.written[v] = true
}

// reduce sets dst (n values) to the sum of the chunks' partial sums ws.part[c][:n], in
// chunk order.
func (ws *graphWS32) reduce(dst []float64, n int) {
	copy(dst[:n], ws.part[0][:n])
	for c := 1; c < ws.chunks(); c++ {
		addTo(dst[:n], ws.part[c][:n])
	}
}

// add32 sets dst[i] += s[i] in float32.
func add32(dst, s []float32) {
	s = s[:len(dst)]
	i := 0
	for ; i+4 <= len(dst); i += 4 {
		d, v := dst[i:i+4:i+4], s[i:i+4:i+4]
		d[0] += v[0]
		d[1] += v[1]
		d[2] += v[2]
		d[3] += v[3]
	}
	for ; i < len(dst); i++ {
		dst[i] += s[i]
	}
}

// sum32 sets dst[i] = a[i] + b[i] in float32.
func sum32(dst, a, b []float32) {
	a, b = a[:len(dst)], b[:len(dst)]
	for i := range dst {
		dst[i] = a[i] + b[i]
	}
}
