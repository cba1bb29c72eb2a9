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
// to cap samples (passBufs), the argmax indices of max pools, and, once an HVP has run on
// it, the buffers of the R-operator pass (r).
type seqWorkspace struct {
	passBufs
	net        *Sequential
	cap, batch int
	arg        [][]int32
	gradT      []float64 // transposed weight gradient of one stage (weightGrad)
	r          *passBufs // R{·} of every buffer (x stays zero), allocated by ensureR
	task       seqTask
}

// passBufs are the per-stage buffers of a pass: the gathered input rows x, the
// pre-activations z of convolutions (without the bias for a fused stage), outputs a,
// errors d (∂/∂a, turned into ∂/∂z in place by the backward pass of a convolution), the
// unfolded inputs cols of convolutions that need im2col, and ∂/∂cols of the stage being
// back-propagated. The R-operator pass has a second set holding the directional
// derivatives R{·} of the same quantities (R{z} with the bias direction included).
type passBufs struct {
	x       []float64
	z, a, d [][]float64
	cols    [][]float64
	dcols   []float64
}

func (n *Sequential) newWorkspace(rows int) *seqWorkspace {
	ws := &seqWorkspace{net: n, arg: make([][]int32, len(n.stages))}
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
	ws.passBufs = ws.net.newPassBufs(rows)
	for s, st := range ws.net.stages {
		if st.kind == stageMax {
			ws.arg[s] = make([]int32, rows*st.out.Size())
		}
	}
	if ws.r != nil {
		*ws.r = ws.net.newPassBufs(rows)
	}
	ws.cap = rows
}

// ensureR allocates the R-operator buffers (an HVP's first use of the workspace).
func (ws *seqWorkspace) ensureR() {
	if ws.r == nil {
		ws.r = new(passBufs)
		*ws.r = ws.net.newPassBufs(ws.cap)
	}
}

// newPassBufs allocates the buffers of a pass on rows samples.
func (n *Sequential) newPassBufs(rows int) passBufs {
	S := len(n.stages)
	b := passBufs{x: make([]float64, rows*n.InDim()), z: make([][]float64, S), a: make([][]float64, S),
		d: make([][]float64, S), cols: make([][]float64, S)}
	dc := 0
	for s := range n.stages {
		st := &n.stages[s]
		size := rows * st.out.Size()
		b.a[s] = make([]float64, size)
		b.d[s] = make([]float64, size)
		if st.kind == stageConv {
			b.z[s] = make([]float64, size)
			if !st.direct {
				b.cols[s] = make([]float64, rows*st.npos()*st.k)
				dc = max(dc, rows*st.npos()*st.k)
			}
		}
	}
	b.dcols = make([]float64, dc)
	return b
}

// input returns the input of stage s for the current batch: the gathered rows for s = 0,
// else the output of stage s−1.
func (ws *seqWorkspace) input(s int) []float64 { return ws.passBufs.input(ws, s) }

// unfolded returns the im2col matrix (B·npos × k) of convolution stage s of the last
// forward: the input itself for a direct stage.
func (ws *seqWorkspace) unfolded(s int) []float64 { return ws.passBufs.unfolded(ws, s) }

// input is seqWorkspace.input on the buffers b.
func (b *passBufs) input(ws *seqWorkspace, s int) []float64 {
	if s == 0 {
		return b.x[:ws.batch*ws.net.InDim()]
	}
	return b.a[s-1][:ws.batch*ws.net.stages[s].in.Size()]
}

// unfolded is seqWorkspace.unfolded on the buffers b.
func (b *passBufs) unfolded(ws *seqWorkspace, s int) []float64 {
	st := &ws.net.stages[s]
	if st.direct {
		return b.input(ws, s)
	}
	return b.cols[s][:ws.batch*st.npos()*st.k]
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

// seqTask is the parallel.Task of a per-sample operation on stage s, on the pass buffers
// or, with r set, on the R-operator buffers.
type seqTask struct {
	ws    *seqWorkspace
	w     []float64 // parameters of the current pass
	op, s int
	r     bool
}

func (t *seqTask) run(op, s int) { t.runOn(op, s, false) }

func (t *seqTask) runOn(op, s int, r bool) {
	t.op, t.s, t.r = op, s, r
	parallel.Run(t.ws.batch, t)
}

// Do applies the operation to sample i.
func (t *seqTask) Do(_, i int) {
	ws := t.ws
	b := &ws.passBufs
	if t.r {
		b = ws.r
	}
	st := &ws.net.stages[t.s]
	ni, no := st.in.Size(), st.out.Size()
	x := b.input(ws, t.s)[i*ni : (i+1)*ni]
	fusedIn := t.s > 0 && ws.net.stages[t.s-1].fused
	switch t.op {
	case opIm2col:
		m := st.npos() * st.k
		st.im2col(b.cols[t.s][i*m:(i+1)*m], x)
	case opCol2im:
		m := st.npos() * st.k
		st.col2im(b.d[t.s-1][i*ni:(i+1)*ni], b.dcols[i*m:(i+1)*m])
	case opPool:
		y := b.a[t.s][i*no : (i+1)*no]
		if st.kind == stageAvg {
			st.avgPool(y, x)
			break
		}
		arg := ws.arg[t.s][i*no : (i+1)*no]
		switch {
		case t.r && fusedIn: // R{max(z + b, 0)} at the argmax: R{z} there where the maximum is positive
			st.maxPoolR(y, b.z[t.s-1][i*ni:(i+1)*ni], ws.a[t.s][i*no:(i+1)*no], arg)
		case t.r:
			st.maxPoolR(y, x, nil, arg)
		case fusedIn:
			st.maxPoolReLU(y, arg, ws.z[t.s-1][i*ni:(i+1)*ni], ws.net.stages[t.s-1].bias(t.w))
		default:
			st.maxPool(y, arg, x)
		}
	case opPoolBack:
		dx, dy := b.d[t.s-1][i*ni:(i+1)*ni], b.d[t.s][i*no:(i+1)*no]
		if st.kind == stageMax {
			st.maxPoolBack(dx, dy, ws.a[t.s][i*no:(i+1)*no], ws.arg[t.s][i*no:(i+1)*no], fusedIn)
		} else {
			st.avgPoolBack(dx, dy)
		}
	}
}
