package nn

import "fmt"

// GraphPass32 is GraphPass in mixed precision (the float32 path of GraphSupervised32): the
// same float64 interface, with the input rows, the parameters and ∂/∂output rounded to
// float32 on entry, float32 values and products inside, float64 statistics and parameter
// gradients, in evaluation mode. A GraphPass32 is one goroutine's scratch; it does not
// allocate once it has held its largest batch.
type GraphPass32 struct {
	g  *Graph
	st *GraphState
	ws *graphWS32
}

// NewPass32 returns a mixed-precision pass of g with the running statistics st (nil: a new
// GraphState). It returns an error if a node of g has no float32 kernel.
func (g *Graph) NewPass32(st *GraphState) (*GraphPass32, error) {
	if err := g.check32(); err != nil {
		return nil, err
	}
	if st == nil {
		st = NewGraphState(g)
	}
	if len(st.Mean) != g.nbn || len(st.Var) != g.nbn {
		panic("nn: GraphPass32 state does not match the graph's BatchNorm nodes")
	}
	return &GraphPass32{g: g, st: st, ws: g.newWS32()}, nil
}

// Forward writes the outputs of the graph at parameters w for the rows of x (n·InDim
// values) into out (n·OutDim values) and keeps what Backward needs.
func (p *GraphPass32) Forward(out, w, x []float64) {
	g, ws := p.g, p.ws
	g.checkParams(w)
	in := g.InDim()
	n := len(x) / in
	if n < 1 || len(x) != n*in || len(out) != n*g.OutDim() {
		panic(fmt.Sprintf("nn: GraphPass32.Forward: len(x) = %d, len(out) = %d: want n·%d and n·%d, n >= 1", len(x), len(out), in, g.OutDim()))
	}
	ws.ensure(n)
	ws.setParams(w)
	ws.batch, ws.idx, ws.train = n, nil, false
	ws.rmean, ws.rvar = p.st.Mean, p.st.Var
	for i, v := range x {
		ws.val[0][i] = float32(v)
	}
	for i, v := range g.forward32(ws) {
		out[i] = float64(v)
	}
}

// Backward writes into grad (len NumParams) the gradient in w of Σ dOut ⊙ output of the
// last Forward, which must have run at the same w.
func (p *GraphPass32) Backward(grad, w, dOut []float64) {
	g, ws := p.g, p.ws
	g.checkParams(w)
	if len(grad) != len(w) || len(dOut) != ws.batch*g.OutDim() {
		panic(fmt.Sprintf("nn: GraphPass32.Backward: len(grad) = %d, len(dOut) = %d: want %d and %d", len(grad), len(dOut), len(w), ws.batch*g.OutDim()))
	}
	last := ws.d[len(g.nodes)]
	for i, v := range dOut {
		last[i] = float32(v)
	}
	ws.grad = grad
	g.backward32(ws)
	ws.grad = nil
}
