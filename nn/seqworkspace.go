package nn

import "github.com/sdeml/sdeml/internal/parallel"

// seqChunk bounds the samples of one batched pass of a Sequential; larger index sets are
// processed in chunks of this size, several chunks at once (seqRound). A small CNN on
// 28×28 images keeps about 0.4 MB of activations, unfolded inputs and errors per sample,
// so 8 samples keep a core's working set within its share of the cache: on the benchmark
// CNN (BenchmarkCNNStep) chunks of 8 measured fastest among 4, 8, 16 and 32 (SGD step
// 13.0 ms against 13.8, 15.0 and 16.7 ms).
const seqChunk = 8

// seqWorkspace is the scratch memory of one forward/backward pass of a Sequential on up
// to cap samples: per stage the pre-activations z, outputs a and errors d (∂/∂a, turned
// into ∂/∂z in place by the backward pass of a convolution), the unfolded inputs cols of
// convolutions that need im2col, and the argmax indices of max pools.
type seqWorkspace struct {
	net        *Sequential
	cap, batch int
	x          []float64 // gathered input rows
	z, a, d    [][]float64
	cols       [][]float64
	arg        [][]int32
	dcols      []float64 // ∂/∂cols of the stage being back-propagated
	gradT      []float64 // transposed weight gradient of one stage (weightGrad)
	task       seqTask
}

func (n *Sequential) newWorkspace(rows int) *seqWorkspace {
	S := len(n.stages)
	ws := &seqWorkspace{net: n, z: make([][]float64, S), a: make([][]float64, S), d: make([][]float64, S),
		cols: make([][]float64, S), arg: make([][]int32, S)}
	for s := range n.stages {
		ws.gradT = make([]float64, max(len(ws.gradT), n.stages[s].nparams()))
	}
	ws.task.ws = ws
	ws.ensure(max(rows, 1))
	return ws
}

// ensure grows the buffers to hold rows samples.
func (ws *seqWorkspace) ensure(rows int) {
	if rows <= ws.cap {
		return
	}
	n := ws.net
	ws.x = make([]float64, rows*n.InDim())
	dc := 0
	for s := range n.stages {
		st := &n.stages[s]
		size := rows * st.out.Size()
		ws.a[s] = make([]float64, size)
		ws.d[s] = make([]float64, size)
		switch st.kind {
		case stageConv:
			ws.z[s] = make([]float64, size)
			if !st.direct {
				ws.cols[s] = make([]float64, rows*st.npos()*st.k)
				dc = max(dc, rows*st.npos()*st.k)
			}
		case stageMax:
			ws.arg[s] = make([]int32, size)
		}
	}
	ws.dcols = make([]float64, dc)
	ws.cap = rows
}

// input returns the input of stage s for the current batch: the gathered rows for s = 0,
// else the output of stage s−1.
func (ws *seqWorkspace) input(s int) []float64 {
	if s == 0 {
		return ws.x[:ws.batch*ws.net.InDim()]
	}
	return ws.a[s-1][:ws.batch*ws.net.stages[s].in.Size()]
}

// unfolded returns the im2col matrix (B·npos × k) of convolution stage s of the last
// forward: the input itself for a direct stage.
func (ws *seqWorkspace) unfolded(s int) []float64 {
	st := &ws.net.stages[s]
	if st.direct {
		return ws.input(s)
	}
	return ws.cols[s][:ws.batch*st.npos()*st.k]
}

// Per-sample operations run in parallel over the samples of the batch; each sample's
// result is computed by one goroutine in a fixed order, so it does not depend on
// GOMAXPROCS.
const (
	opIm2col = iota
	opCol2im
	opPool
	opPoolBack
)

// seqTask is the parallel.Task of a per-sample operation on stage s.
type seqTask struct {
	ws    *seqWorkspace
	w     []float64 // parameters of the current pass
	op, s int
}

func (t *seqTask) run(op, s int) {
	t.op, t.s = op, s
	parallel.Run(t.ws.batch, t)
}

// Do applies the operation to sample i.
func (t *seqTask) Do(_, i int) {
	ws := t.ws
	st := &ws.net.stages[t.s]
	ni, no := st.in.Size(), st.out.Size()
	x := ws.input(t.s)[i*ni : (i+1)*ni]
	switch t.op {
	case opIm2col:
		m := st.npos() * st.k
		st.im2col(ws.cols[t.s][i*m:(i+1)*m], x)
	case opCol2im:
		m := st.npos() * st.k
		st.col2im(ws.d[t.s-1][i*ni:(i+1)*ni], ws.dcols[i*m:(i+1)*m])
	case opPool:
		y := ws.a[t.s][i*no : (i+1)*no]
		switch {
		case st.kind == stageAvg:
			st.avgPool(y, x)
		case t.s > 0 && ws.net.stages[t.s-1].fused:
			prev := &ws.net.stages[t.s-1]
			st.maxPoolReLU(y, ws.arg[t.s][i*no:(i+1)*no], ws.z[t.s-1][i*ni:(i+1)*ni], prev.bias(t.w))
		default:
			st.maxPool(y, ws.arg[t.s][i*no:(i+1)*no], x)
		}
	case opPoolBack:
		dx, dy := ws.d[t.s-1][i*ni:(i+1)*ni], ws.d[t.s][i*no:(i+1)*no]
		if st.kind == stageMax {
			st.maxPoolBack(dx, dy, ws.a[t.s][i*no:(i+1)*no], ws.arg[t.s][i*no:(i+1)*no], ws.net.stages[t.s-1].fused)
		} else {
			st.avgPoolBack(dx, dy)
		}
	}
}
