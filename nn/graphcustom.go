package nn

import "math/rand/v2"

// customLayer is a Graph layer whose kernels live with its type (GroupNorm, SiLU,
// ScaleShift, Fourier, Channels): every one of them works on each sample on its own, so a
// Graph runs it chunk by chunk like its other per-sample layers, and adds the chunks'
// parameter gradients in chunk order (same bits for any GOMAXPROCS).
type customLayer interface {
	Layer
	// arity returns the allowed number of inputs.
	arity() (lo, hi int)
	// compile checks the input shapes and returns the output shape and parameter count.
	compile(in []Shape) (out Shape, np int, err error)
	// keepSize is the number of values per sample the forward pass keeps for backward.
	keepSize(in []Shape) int
	// forward computes the outputs y of n samples from their inputs x[k] (n samples of
	// input k each) at the layer's parameters w, and fills keep.
	forward(in []Shape, w []float64, x [][]float64, y, keep []float64, n int)
	// backward writes ∂/∂(input k) into dx unless dx is nil, and, unless gw is nil, the
	// chunk's parameter gradient into gw (overwritten), given ∂/∂y in dy.
	backward(in []Shape, k int, w []float64, x [][]float64, y, dy, keep, dx, gw []float64, n int)
	// initParams sets the layer's initial parameters.
	initParams(in []Shape, w []float64, rng *rand.Rand)
}

// customNode is the compiled part of a custom node: its layer, input shapes and kept size.
type customNode struct {
	cl   customLayer
	ins  []Shape
	keep int
}

// compileCustom compiles a custom layer on the inputs gn.in of the graph built so far.
func (g *Graph) compileCustom(gn *gnode, cl customLayer) error {
	cn := &customNode{cl: cl}
	for _, v := range gn.in {
		cn.ins = append(cn.ins, g.shapes[v])
	}
	out, np, err := cl.compile(cn.ins)
	if err != nil {
		return err
	}
	cn.keep = cl.keepSize(cn.ins)
	gn.kind, gn.out, gn.np, gn.cn = gCustom, out, np, cn
	g.maxIn = max(g.maxIn, len(gn.in))
	return nil
}

// inputs returns the samples [lo, hi) (chunk c) of every input of node j.
func (t *graphTask[T]) inputs(c, lo, hi int) [][]T {
	ws := t.ws
	gn := &ws.g.nodes[t.j]
	xs := ws.xin[c][:len(gn.in)]
	for k, v := range gn.in {
		s := ws.g.shapes[v].Size()
		xs[k] = ws.val[v][lo*s : hi*s]
	}
	return xs
}

// customForward runs a custom node on the chunk [lo, hi).
func (t *graphTask[T]) customForward(c, lo, hi int, y []T) {
	ws := t.ws
	gn := &ws.g.nodes[t.j]
	k := ws.k.keepSize(gn.cn)
	ws.k.custom(ws, gn.cn, gn.off, gn.np, t.inputs(c, lo, hi), y, ws.keep[t.j][lo*k:hi*k], hi-lo)
}

// customBackward back-propagates a custom node on chunk c to its input t.k (t.dst, or
// nil) and, for t.k = 0, its parameter gradient to ws.gpart[c].
func (t *graphTask[T]) customBackward(c, lo, hi int, y []T) {
	ws := t.ws
	gn := &ws.g.nodes[t.j]
	cn := gn.cn
	no := gn.out.Size()
	var dx []T
	var gw []float64
	if t.dst != nil {
		ni := cn.ins[t.k].Size()
		dx = t.dst[lo*ni : hi*ni]
	}
	if t.k == 0 && gn.np > 0 {
		gw = ws.gpart[c][:gn.np]
	}
	k := ws.k.keepSize(cn)
	ws.k.customBack(ws, cn, gn.off, gn.np, t.k, t.inputs(c, lo, hi), y, ws.d[t.j+1][lo*no:hi*no], ws.keep[t.j][lo*k:hi*k], dx, gw, hi-lo)
}

// backwardCustom back-propagates custom node j to each of its inputs (and its parameters).
func (ws *graphWSOf[T]) backwardCustom(j int) {
	gn := &ws.g.nodes[j]
	for k, v := range gn.in {
		wantGrad := k == 0 && gn.np > 0 && ws.grad != nil
		if v == 0 && !wantGrad {
			continue
		}
		var dst []T
		if v != 0 {
			dst = ws.target(v)
		}
		ws.queueK(gopCustomBack, j, k, dst)
		if wantGrad {
			ws.flush()
			ws.reduceGrad(ws.grad[gn.off : gn.off+gn.np])
		}
		if v != 0 {
			ws.commit(v)
		}
	}
}
