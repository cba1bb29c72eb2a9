package nn

// customLayer32 is a customLayer with a float32 kernel, for the mixed-precision path of a
// Graph: values and errors float32, the layer's float64 parameters w (and their float32
// rounding w32), kept values and parameter gradient float64 (its sums in float64).
type customLayer32 interface {
	customLayer
	// forward32 is customLayer.forward on float32 values.
	forward32(in []Shape, w []float64, w32 []float32, x [][]float32, y []float32, keep []float64, n int)
	// backward32 is customLayer.backward on float32 values.
	backward32(in []Shape, k int, w []float64, w32 []float32, x [][]float32, y, dy []float32, keep []float64, dx []float32, gw []float64, n int)
}

// keeper32 is implemented by a customLayer32 that keeps more values per sample in the
// float32 path than in the float64 one (keepSize32 replaces keepSize there).
type keeper32 interface{ keepSize32(in []Shape) int }

// keep32 is the number of kept values per sample of custom node cn in the float32 path.
func keep32(cn *customNode) int {
	if k, ok := cn.cl.(keeper32); ok {
		return k.keepSize32(cn.ins)
	}
	return cn.keep
}

// inputs returns the samples [lo, hi) (chunk c) of every input of node j.
func (t *graph32Task) inputs(c, lo, hi int) [][]float32 {
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
func (t *graph32Task) customForward(c, lo, hi int, y []float32) {
	ws := t.ws
	gn := &ws.g.nodes[t.j]
	cn := gn.cn
	k := keep32(cn)
	cn.cl.(customLayer32).forward32(cn.ins, ws.w[gn.off:gn.off+gn.np], ws.w32[gn.off:gn.off+gn.np],
		t.inputs(c, lo, hi), y, ws.keep[t.j][lo*k:hi*k], hi-lo)
}

// customBackward back-propagates a custom node on chunk c to its input t.k (t.dst, or
// nil) and, for t.k = 0, its parameter gradient to ws.gpart[c].
func (t *graph32Task) customBackward(c, lo, hi int, y []float32) {
	ws := t.ws
	gn := &ws.g.nodes[t.j]
	cn := gn.cn
	no := gn.out.Size()
	var dx []float32
	var gw []float64
	if t.dst != nil {
		ni := cn.ins[t.k].Size()
		dx = t.dst[lo*ni : hi*ni]
	}
	if t.k == 0 && gn.np > 0 {
		gw = ws.gpart[c][:gn.np]
	}
	k := keep32(cn)
	cn.cl.(customLayer32).backward32(cn.ins, t.k, ws.w[gn.off:gn.off+gn.np], ws.w32[gn.off:gn.off+gn.np], t.inputs(c, lo, hi),
		y, ws.d[t.j+1][lo*no:hi*no], ws.keep[t.j][lo*k:hi*k], dx, gw, hi-lo)
}

// backwardCustom32 back-propagates custom node j to each of its inputs (and its
// parameters), as backwardCustom.
func (g *Graph) backwardCustom32(ws *graphWS32, j int) {
	gn := &g.nodes[j]
	for k, v := range gn.in {
		wantGrad := k == 0 && gn.np > 0 && ws.grad != nil
		if v == 0 && !wantGrad {
			continue
		}
		ws.task.k, ws.task.dst = k, nil
		if v != 0 {
			ws.task.dst = ws.target(v)
		}
		ws.task.run(gopCustomBack, j)
		if wantGrad {
			gw := ws.grad[gn.off : gn.off+gn.np]
			copy(gw, ws.gpart[0][:gn.np])
			for c := 1; c < ws.chunks(); c++ {
				addTo(gw, ws.gpart[c][:gn.np])
			}
		}
		if v != 0 {
			ws.commit(v)
		}
	}
}
