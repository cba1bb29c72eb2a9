package nn

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
)

// graphKernels are the kernels of one precision of a Graph pass, the parts of a pass that
// compute rather than move values: prec64 (float64 throughout, graphkern64.go) and prec32
// (float32 values and products, float64 statistics and sums, graph32pass.go). The node
// walk, the workspace layout, dropout, upsampling, concatenation, pooling, the global
// average pool (summed in float64 in both), the objective's plumbing (graphsup.go) and the
// dispatch to custom layers are shared (graphpass.go, graphws.go, graphcustom.go), so both
// precisions run the same graph code; only these hooks differ.
type graphKernels[T floatT] interface {
	// setup sizes the precision's scratch of a new workspace (maxCols, maxWT, ...).
	setup(ws *graphWSOf[T])
	// grow allocates the precision's per-chunk buffers of a workspace of chunks chunks.
	grow(ws *graphWSOf[T], chunks int)
	// setParams makes w the parameters of the next passes.
	setParams(ws *graphWSOf[T], w []float64)
	// as64 returns v as []float64 if T is float64, else nil.
	as64(v []T) []float64
	// lossSum returns total plus the sum of the per-sample losses l.
	lossSum(total float64, l []float64) float64

	// add sets dst[i] += s[i]; sum sets dst[i] = a[i] + b[i].
	add(dst, s []T)
	sum(dst, a, b []T)

	// bnStats turns the partial sums of BatchNorm node j's gopBNSum into the batch
	// statistics (training mode; it may run more passes over the chunks).
	bnStats(ws *graphWSOf[T], j int)
	// chunkMajor reports whether the passes run chunk-major (graphWSOf.forward,
	// graphWSOf.backward); else node by node, each node over all chunks.
	chunkMajor() bool
	// bnBackSums turns the reduced sums s (Σdy then the precision's second sum per
	// channel) of BatchNorm node j into Σdy and Σdy·x̂.
	bnBackSums(ws *graphWSOf[T], j int, s []float64)
	// bnChunk runs BatchNorm operation op (gopBNSum ... gopBNBackApply) on chunk c of
	// the workspace's current node.
	bnChunk(ws *graphWSOf[T], op, c int, o bnOperands[T])
	// convForward sets o.z = A·Wᵀ + b and o.y = act(o.z) for a convolution (or Dense)
	// stage, A the unfolded inputs o.x; convBackward, given o.dy = ∂/∂z, writes the
	// chunk's parameter gradient into ws.gpart[c] and ∂/∂x into o.dx unless nil.
	convForward(ws *graphWSOf[T], o convOperands[T])
	convBackward(ws *graphWSOf[T], o convOperands[T])
	// act sets y = a(x); scaleByDerivative sets d[i] *= a'(z[i]) given s = a(z);
	// reluBack sets dx = dy·ReLU'(x) in one pass.
	act(a Activation, y, x []T)
	scaleByDerivative(a Activation, d, z, s []T)
	reluBack(dx, dy, x []T)

	// keepSize is the number of values per sample custom node cn keeps for backward.
	keepSize(cn *customNode) int
	// custom and customBack call the layer's forward and backward kernels at the
	// parameters [off, off+np) (customLayer).
	custom(ws *graphWSOf[T], cn *customNode, off, np int, x [][]T, y []T, keep []float64, n int)
	customBack(ws *graphWSOf[T], cn *customNode, off, np, k int, x [][]T, y, dy []T, keep []float64, dx []T, gw []float64, n int)
}

// forward runs the graph on the ws.batch rows gathered in ws.val[0] and returns the output
// (batch × OutDim).
//
// It runs chunk-major: each chunk runs a segment of consecutive nodes, node after node,
// while its values are still in cache, and the segments end where the batch must be
// reduced, at each BatchNorm of training mode (its chunk's partial sums, gopBNSum, close
// the segment; bnStats reduces them; its normalisation, gopBNApply, opens the next). A
// graph without BatchNorm in training mode is one segment. Every chunk runs the same
// per-chunk operations on the same values as a node-by-node walk would, so the results
// have the same bits.
func (ws *graphWSOf[T]) forward() []T {
	g := ws.g
	coupled := g.hasBN && ws.train
	if coupled && ws.batch < 2 {
		panic(fmt.Sprintf("nn: BatchNorm in training mode needs a batch of at least 2 samples, got len(idx) = %d", ws.batch))
	}
	byNode := !ws.k.chunkMajor()
	lo := 0
	for j := 0; j < len(g.nodes); j++ {
		gn := &g.nodes[j]
		if gn.kind == gBN && !coupled {
			bnEvalStats(ws, gn, j)
		}
		if gn.kind == gBN && coupled {
			ws.segLo, ws.segHi, ws.segSum = lo, j, true
			ws.task.run(gopFwdChunk, 0)
			ws.k.bnStats(ws, j)
			lo = j
		}
		if byNode {
			// Segments of one node (two for a node fused with its ReLU).
			hi := j + 1
			if ws.fuse && gn.reluNext {
				hi++
			}
			ws.segLo, ws.segHi, ws.segSum = lo, hi, false
			ws.task.run(gopFwdChunk, 0)
			lo, j = hi, hi-1
		}
	}
	if lo < len(g.nodes) {
		ws.segLo, ws.segHi, ws.segSum = lo, len(g.nodes), false
		ws.task.run(gopFwdChunk, 0)
	}
	return ws.val[len(g.nodes)][:ws.batch*g.OutDim()]
}

// bnEvalStats sets the mean and 1/√(σ² + ε) of BatchNorm node j (gn) in evaluation mode:
// the running statistics.
func bnEvalStats[T floatT](ws *graphWSOf[T], gn *gnode, j int) {
	copy(ws.mean[j], ws.rmean[gn.bn])
	for c, v := range ws.rvar[gn.bn] {
		ws.istd[j][c] = 1 / math.Sqrt(v+gn.eps)
	}
}

// forwardChunk runs the current segment on chunk c (worker's scratch): the nodes
// [segLo, segHi) (a BatchNorm normalises), then, if segSum, the partial sums of the
// BatchNorm node segHi.
func (ws *graphWSOf[T]) forwardChunk(worker, c int) {
	t := &ws.ctask[c]
	t.ws = ws
	for j := ws.segLo; j < ws.segHi; j++ {
		t.op, t.j = gopFwd, j
		if ws.g.nodes[j].kind == gBN {
			t.op = gopBNApply
		}
		t.fused = ws.fuse && ws.g.nodes[j].reluNext
		t.Do(worker, c)
		if t.fused {
			t.fused = false
			j++ // the ReLU node: done by the fused node
		}
	}
	if ws.segSum {
		t.op, t.j = gopBNSum, ws.segHi
		t.Do(worker, c)
	}
}

// backward back-propagates the output errors in ws.d[last] through the graph and writes
// the parameter gradient into ws.grad unless it is nil.
//
// The per-chunk operations of consecutive nodes are queued (queue) and run together,
// chunk-major, by flush, which the walk calls before every step that needs the whole
// batch: a BatchNorm reduction, a parameter-gradient reduction, a contribution added to a
// value that already has one, the buffer swaps of Add. Each chunk thus runs its queued
// operations in the order of the node-by-node walk, on the same values: the same bits.
func (ws *graphWSOf[T]) backward() {
	g := ws.g
	last := len(g.nodes)
	clear(ws.written)
	ws.written[last] = true
	for j := last - 1; j >= 0; j-- {
		gn := &g.nodes[j]
		if !ws.written[j+1] { // the output of node j feeds nothing
			clear(ws.d[j+1][:ws.batch*gn.out.Size()])
			ws.written[j+1] = true
		}
		switch gn.kind {
		case gBN:
			ws.queue(gopBNBackSum, j, 0, nil)
			ws.flush()
			C := gn.out.C
			s := ws.part[0][:2*C] // reduced in place: chunk 0's partial sums are not needed again
			for c := 1; c < ws.chunks(); c++ {
				floats.Add(s, ws.part[c][:2*C])
			}
			ws.k.bnBackSums(ws, j, s)
			if ws.grad != nil {
				copy(ws.grad[gn.off:gn.off+C], s[C:])     // ∂/∂γ = Σ dy·x̂
				copy(ws.grad[gn.off+C:gn.off+2*C], s[:C]) // ∂/∂β = Σ dy
			}
			if gn.in[0] != 0 {
				ws.queue(gopBNBackApply, j, 0, ws.target(gn.in[0]))
				ws.commit(gn.in[0])
			}
		case gAdd:
			// Every input receives ∂/∂y: added to a value that already has a contribution,
			// copied to one that has none, except that input 0, taken last, gets the buffer
			// of ∂/∂y itself when it has none (the two are swapped, same size, no copy).
			ws.flush()
			for k := len(gn.in) - 1; k >= 0; k-- {
				v := gn.in[k]
				switch {
				case v == 0:
					continue
				case k == 0 && !ws.written[v]:
					ws.d[v], ws.d[j+1] = ws.d[j+1], ws.d[v]
				default:
					ws.task.k, ws.task.dst = k, ws.d[v][:ws.batch*gn.out.Size()]
					ws.task.add = ws.written[v]
					ws.task.run(gopAddBack, j)
				}
				ws.written[v] = true
			}
		case gCustom:
			ws.backwardCustom(j)
		case gConcat:
			for k, v := range gn.in {
				if v == 0 {
					continue
				}
				ws.queueK(gopConcatBack, j, k, ws.target(v))
				ws.commit(v)
			}
		default:
			v := gn.in[0]
			var dst []T
			if v != 0 {
				dst = ws.target(v)
			} else if gn.np == 0 {
				continue
			}
			ws.queue(gopBwd, j, 0, dst)
			if gn.np > 0 && ws.grad != nil {
				ws.flush()
				ws.reduceGrad(ws.grad[gn.off : gn.off+gn.np])
			}
			if v != 0 {
				ws.commit(v)
			}
		}
	}
	ws.flush()
}

// chunkOp is a queued per-chunk operation of the backward pass: op on node j (input k),
// writing its contribution to dst.
type chunkOp[T floatT] struct {
	op, j, k int
	dst      []T
}

// queue appends operation op of node j (input 0) with destination dst to the operations
// that flush runs; queueK names the input k.
func (ws *graphWSOf[T]) queue(op, j int, k int, dst []T) { ws.queueK(op, j, k, dst) }

func (ws *graphWSOf[T]) queueK(op, j, k int, dst []T) {
	if op == gopBNBackSum {
		// A BatchNorm's partial sums overwrite ws.part, which a queued BatchNorm ∂/∂x
		// still reads (its reduced sums are chunk 0's).
		for _, e := range ws.pend {
			if e.op == gopBNBackApply {
				ws.flush()
				break
			}
		}
	}
	ws.pend = append(ws.pend, chunkOp[T]{op: op, j: j, k: k, dst: dst})
	if !ws.k.chunkMajor() {
		ws.flush()
	}
}

// flush runs the queued operations, each chunk all of them in order (gopChunkOps).
func (ws *graphWSOf[T]) flush() {
	if len(ws.pend) == 0 {
		return
	}
	ws.task.run(gopChunkOps, 0)
	clear(ws.pend) // drop the references to the buffers
	ws.pend = ws.pend[:0]
}

// runQueued runs the queued operations on chunk c.
func (ws *graphWSOf[T]) runQueued(worker, c int) {
	t := &ws.ctask[c]
	t.ws = ws
	for _, e := range ws.pend {
		t.op, t.j, t.k, t.dst = e.op, e.j, e.k, e.dst
		t.Do(worker, c)
	}
}

// Do runs the task's operation on chunk c.
func (t *graphTask[T]) Do(worker, c int) {
	ws := t.ws
	g := ws.g
	gn := &g.nodes[t.j]
	lo, hi := ws.rows(c)
	ni, no := g.shapes[gn.in[0]].Size(), gn.out.Size()
	x := ws.val[gn.in[0]][lo*ni : hi*ni]
	y := ws.val[t.j+1][lo*no : hi*no]
	if t.fused {
		// Node t.j is fused with the ReLU node after it (Graph.markFusions): its output
		// goes straight into the ReLU node's buffer, and ReLU is applied there in place.
		y = ws.val[t.j+2][lo*no : hi*no]
	}
	switch t.op {
	case gopFwdChunk:
		ws.forwardChunk(worker, c)
	case gopChunkOps:
		ws.runQueued(worker, c)
	case gopFwd:
		t.forward(worker, c, lo, hi, x, y)
	case gopBNSum, gopBNVar, gopBNApply, gopBNBackSum, gopBNBackApply:
		ws.k.bnChunk(ws, t.op, c, t.bnOperands(c, lo, hi, x, y))
	case gopBwd:
		t.backward(worker, c, lo, hi, x, y)
	case gopCustomBack:
		t.customBackward(c, lo, hi, y)
	case gopAddBack:
		if t.add {
			ws.k.add(t.dst[lo*no:hi*no], ws.d[t.j+1][lo*no:hi*no])
		} else {
			copy(t.dst[lo*no:hi*no], ws.d[t.j+1][lo*no:hi*no])
		}
	case gopConcatBack:
		off := 0
		for _, v := range gn.in[:t.k] {
			off += g.shapes[v].C
		}
		ck, C := g.shapes[gn.in[t.k]].C, gn.out.C
		dy := ws.d[t.j+1]
		for p := lo * gn.out.H * gn.out.W; p < hi*gn.out.H*gn.out.W; p++ {
			copy(t.dst[p*ck:(p+1)*ck], dy[p*C+off:p*C+off+ck])
		}
	}
	if t.fused {
		ws.k.act(ReLU, y, y)
	}
}

// bnOperands are what a BatchNorm kernel reads and writes on one chunk of C channels.
type bnOperands[T floatT] struct {
	C           int
	x, y        []T       // the chunk's inputs and outputs
	dy, dx      []T       // ∂/∂y and ∂/∂x of the chunk (backward; dx nil unless BackApply)
	gamma, beta []float64 // the layer's parameters γ, β
	mean, istd  []float64 // μ and 1/√(σ² + ε) in use
	part        []float64 // the chunk's partial sums (3·C)
	sdy, second []float64 // the reduced Σdy and second sums (chunk 0's partial sums)
	invN        float64   // 1/N, N = batch·H·W
	train       bool
}

// bnOperands returns the operands of BatchNorm node t.j on chunk c, the samples [lo, hi).
func (t *graphTask[T]) bnOperands(c, lo, hi int, x, y []T) bnOperands[T] {
	ws := t.ws
	gn := &ws.g.nodes[t.j]
	C, ni, no := gn.out.C, ws.g.shapes[gn.in[0]].Size(), gn.out.Size()
	o := bnOperands[T]{
		C: C, x: x, y: y, dy: ws.d[t.j+1][lo*no : hi*no],
		gamma: ws.w[gn.off : gn.off+C], beta: ws.w[gn.off+C : gn.off+2*C],
		mean: ws.mean[t.j][:C], istd: ws.istd[t.j][:C],
		part: ws.part[c][:3*C], sdy: ws.part[0][:C], second: ws.part[0][C : 2*C],
		invN: 1 / float64(ws.batch*gn.out.H*gn.out.W), train: ws.train,
	}
	if t.op == gopBNBackApply {
		o.dx = t.dst[lo*ni : hi*ni]
	}
	return o
}

// convOperands are what a convolution kernel reads and writes on one chunk.
type convOperands[T floatT] struct {
	gn            *gnode
	j             int // the node
	worker, c     int // the worker running the chunk, and the chunk
	lo, n, ni, no int // first sample, samples, input and output size per sample
	x, y, z       []T // inputs, outputs, pre-activations (y itself without activation)
	dy, dx        []T // ∂/∂z and ∂/∂x (backward; dx nil if not wanted)
}

// convOperands returns the operands of convolution node t.j on chunk c, the samples
// [lo, hi), run by worker.
func (t *graphTask[T]) convOperands(worker, c, lo, hi int, x, y, dy, dx []T) convOperands[T] {
	ws := t.ws
	gn := &ws.g.nodes[t.j]
	o := convOperands[T]{gn: gn, j: t.j, worker: worker, c: c, lo: lo, n: hi - lo, ni: ws.g.shapes[gn.in[0]].Size(), no: gn.out.Size(), x: x, y: y, z: y, dy: dy, dx: dx}
	if gn.act != Identity {
		o.z = ws.z[t.j][lo*o.no : hi*o.no]
	}
	return o
}

// forward computes the output y of node t.j for the samples [lo, hi) from their input x.
func (t *graphTask[T]) forward(worker, c, lo, hi int, x, y []T) {
	ws := t.ws
	g := ws.g
	gn := &g.nodes[t.j]
	ni, no := g.shapes[gn.in[0]].Size(), gn.out.Size()
	n := hi - lo
	switch gn.kind {
	case gStage:
		st := &gn.st
		switch st.kind {
		case stageConv:
			ws.k.convForward(ws, t.convOperands(worker, c, lo, hi, x, y, nil, nil))
		case stageMax:
			for s := range n {
				maxPoolT(st, y[s*no:(s+1)*no], ws.arg[t.j][(lo+s)*no:(lo+s+1)*no], x[s*ni:(s+1)*ni])
			}
		case stageAvg:
			for s := range n {
				avgPoolT(st, y[s*no:(s+1)*no], x[s*ni:(s+1)*ni])
			}
		}
	case gFlatten:
		copy(y, x)
	case gCustom:
		t.customForward(c, lo, hi, y)
	case gAct:
		ws.k.act(gn.act, y, x)
	case gDrop:
		if !ws.train || gn.rate == 0 {
			copy(y, x)
			return
		}
		m := ws.mask[t.j][lo*no : hi*no]
		keep := T(1 / (1 - gn.rate))
		pcg := &ws.pcg[worker]
		for s := range n {
			pcg.Seed(dropSeeds(ws.seed, ws.step, t.j, ws.idx[lo+s]))
			for q := s * no; q < (s+1)*no; q++ {
				u := float64(pcg.Uint64()>>11) * 0x1p-53
				m[q] = 0
				if u >= gn.rate {
					m[q] = keep
				}
				y[q] = x[q] * m[q]
			}
		}
	case gGAP:
		// The mean over the pixels of each channel, summed in float64, rounded once.
		in := g.shapes[gn.in[0]]
		C, P := in.C, in.H*in.W
		inv := 1 / float64(P)
		for s := range n {
			ys := y[s*C : (s+1)*C]
			xs := x[s*ni : (s+1)*ni]
			for k := range C {
				sum := 0.0
				for p := range P {
					sum += float64(xs[p*C+k])
				}
				ys[k] = T(sum * inv)
			}
		}
	case gAdd:
		ws.k.sum(y, x, ws.val[gn.in[1]][lo*no:hi*no])
		for _, v := range gn.in[2:] {
			ws.k.add(y, ws.val[v][lo*no:hi*no])
		}
	case gUp:
		in, f := g.shapes[gn.in[0]], gn.factor
		C, W := in.C, in.W
		for s := range n {
			xs, ys := x[s*ni:(s+1)*ni], y[s*no:(s+1)*no]
			for h := range gn.out.H {
				for w := range gn.out.W {
					copy(ys[(h*gn.out.W+w)*C:(h*gn.out.W+w+1)*C], xs[((h/f)*W+w/f)*C:((h/f)*W+w/f+1)*C])
				}
			}
		}
	case gConcat:
		C, off := gn.out.C, 0
		for _, v := range gn.in {
			ck := g.shapes[v].C
			src := ws.val[v]
			for p := lo * gn.out.H * gn.out.W; p < hi*gn.out.H*gn.out.W; p++ {
				copy(ws.val[t.j+1][p*C+off:p*C+off+ck], src[p*ck:(p+1)*ck])
			}
			off += ck
		}
	}
}

// backward back-propagates ∂/∂y of node t.j for the samples [lo, hi): the layer's
// parameter gradient of the chunk (float64) goes to ws.gpart[c], ∂/∂x to t.dst (unless
// nil).
func (t *graphTask[T]) backward(worker, c, lo, hi int, x, y []T) {
	ws := t.ws
	g := ws.g
	gn := &g.nodes[t.j]
	ni, no := g.shapes[gn.in[0]].Size(), gn.out.Size()
	n := hi - lo
	dy := ws.d[t.j+1][lo*no : hi*no]
	var dx []T
	if t.dst != nil {
		dx = t.dst[lo*ni : hi*ni]
	}
	switch gn.kind {
	case gStage:
		st := &gn.st
		switch st.kind {
		case stageConv:
			o := t.convOperands(worker, c, lo, hi, x, y, dy, dx)
			if gn.act != Identity {
				ws.k.scaleByDerivative(gn.act, dy, o.z, y) // ∂/∂z
			}
			ws.k.convBackward(ws, o)
		case stageMax:
			// dy[q] is added at the argmax of its window.
			for s := range n {
				dxs, arg := dx[s*ni:(s+1)*ni], ws.arg[t.j][(lo+s)*no:(lo+s+1)*no]
				clear(dxs)
				for q, v := range dy[s*no : (s+1)*no] {
					dxs[arg[q]] += v
				}
			}
		case stageAvg:
			for s := range n {
				avgPoolBackT(st, dx[s*ni:(s+1)*ni], dy[s*no:(s+1)*no])
			}
		}
	case gFlatten:
		copy(dx, dy)
	case gAct:
		if gn.act == ReLU {
			if v := gn.in[0]; ws.fuse && v > 0 && g.nodes[v-1].reluNext {
				// The fused input node never stored x: the mask x > 0 from y = ReLU(x)
				// (y > 0 exactly where x > 0, and y is x itself where x is NaN).
				x = y
			}
			ws.k.reluBack(dx, dy, x)
			return
		}
		copy(dx, dy)
		ws.k.scaleByDerivative(gn.act, dx, x, y)
	case gDrop:
		if !ws.train || gn.rate == 0 {
			copy(dx, dy)
			return
		}
		m := ws.mask[t.j][lo*no : hi*no]
		for q, v := range dy {
			dx[q] = v * m[q]
		}
	case gUp:
		// dx at (h, w) is the sum of dy over its f×f copies, in row-major order of the copies.
		in, f := g.shapes[gn.in[0]], gn.factor
		C, W, oW := in.C, in.W, gn.out.W
		for s := range n {
			dxs, dys := dx[s*ni:(s+1)*ni], dy[s*no:(s+1)*no]
			clear(dxs)
			for h := range gn.out.H {
				for w := range oW {
					d := dxs[((h/f)*W+w/f)*C : ((h/f)*W+w/f+1)*C]
					for k, v := range dys[(h*oW+w)*C : (h*oW+w+1)*C] {
						d[k] += v
					}
				}
			}
		}
	case gGAP:
		// dy/P (in float64, rounded once) to each of the P pixels of its channel.
		in := g.shapes[gn.in[0]]
		C, P := in.C, in.H*in.W
		inv := 1 / float64(P)
		for s := range n {
			for k := range C {
				v := T(float64(dy[s*C+k]) * inv)
				for p := range P {
					dx[s*ni+p*C+k] = v
				}
			}
		}
	}
}
