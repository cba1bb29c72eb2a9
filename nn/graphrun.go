package nn

import "fmt"

// GraphPass runs a Graph on input rows given directly (not through a Dataset and a Loss),
// in evaluation mode (BatchNorm uses State's running statistics, Dropout is the identity):
// Forward, then Backward with ∂/∂output to get the parameter gradient. It is the building
// block of models that compute their own loss, such as a score network. A GraphPass is
// one goroutine's scratch; it does not allocate once it has held its largest batch.
type GraphPass struct {
	g  *Graph
	st *GraphState
	ws *graphWS
}

// NewPass returns a pass of g with the running statistics st (nil: a new GraphState, which
// a graph without BatchNorm does not use).
func (g *Graph) NewPass(st *GraphState) *GraphPass {
	if st == nil {
		st = NewGraphState(g)
	}
	if len(st.Mean) != g.nbn || len(st.Var) != g.nbn {
		panic("nn: GraphPass state does not match the graph's BatchNorm nodes")
	}
	return &GraphPass{g: g, st: st, ws: g.newWS()}
}

// Forward writes the outputs of the graph at parameters w for the rows of x (n·InDim
// values, n = len(x)/InDim) into out (n·OutDim values) and keeps what Backward needs.
func (p *GraphPass) Forward(out, w, x []float64) {
	g, ws := p.g, p.ws
	g.checkParams(w)
	in := g.InDim()
	n := len(x) / in
	if n < 1 || len(x) != n*in || len(out) != n*g.OutDim() {
		panic(fmt.Sprintf("nn: GraphPass.Forward: len(x) = %d, len(out) = %d: want n·%d and n·%d, n >= 1", len(x), len(out), in, g.OutDim()))
	}
	ws.ensure(n)
	ws.batch, ws.idx, ws.w, ws.train = n, nil, w, false
	ws.rmean, ws.rvar = p.st.Mean, p.st.Var
	copy(ws.val[0][:n*in], x)
	copy(out, g.forward(ws))
}

// Backward writes into grad (len NumParams) the gradient in w of Σ dOut ⊙ output of the
// last Forward, which must have run at the same w.
func (p *GraphPass) Backward(grad, w, dOut []float64) {
	g, ws := p.g, p.ws
	g.checkParams(w)
	if len(grad) != len(w) || len(dOut) != ws.batch*g.OutDim() {
		panic(fmt.Sprintf("nn: GraphPass.Backward: len(grad) = %d, len(dOut) = %d: want %d and %d", len(grad), len(dOut), len(w), ws.batch*g.OutDim()))
	}
	copy(ws.d[len(g.nodes)][:len(dOut)], dOut)
	ws.grad = grad
	g.backward(ws)
	ws.grad = nil
}

// Value returns the output of node j for the rows of the last Forward (rows × the node's
// output size, channels innermost), e.g. a classifier's penultimate features. The slice is
// the pass's own buffer, valid until the next call.
func (p *GraphPass) Value(j int) []float64 {
	if j < 0 || j >= len(p.g.nodes) {
		panic(fmt.Sprintf("nn: GraphPass.Value: node %d out of range [0, %d)", j, len(p.g.nodes)))
	}
	return p.ws.val[j+1][:p.ws.batch*p.g.nodes[j].out.Size()]
}
