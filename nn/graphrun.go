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
	return &GraphPass{g: g, st: g.passState(st, "GraphPass"), ws: g.newWS()}
}

// passState returns st, or a new state if st is nil, after checking that it fits g.
func (g *Graph) passState(st *GraphState, name string) *GraphState {
	if st == nil {
		st = NewGraphState(g)
	}
	if len(st.Mean) != g.nbn || len(st.Var) != g.nbn {
		panic("nn: " + name + " state does not match the graph's BatchNorm nodes")
	}
	return st
}

// Forward writes the outputs of the graph at parameters w for the rows of x (n·InDim
// values, n = len(x)/InDim) into out (n·OutDim values) and keeps what Backward needs.
func (p *GraphPass) Forward(out, w, x []float64) {
	passForward(p.ws, p.st, out, w, x, false, "GraphPass")
}

// Infer is Forward without keeping what only Backward reads (an evaluation, e.g. of a
// score): the same outputs. Backward cannot follow it.
func (p *GraphPass) Infer(out, w, x []float64) { passForward(p.ws, p.st, out, w, x, true, "GraphPass") }

// Backward writes into grad (len NumParams) the gradient in w of Σ dOut ⊙ output of the
// last Forward, which must have run at the same w.
func (p *GraphPass) Backward(grad, w, dOut []float64) {
	passBackward(p.ws, grad, w, dOut, "GraphPass")
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

// passForward is GraphPass.Forward (GraphPass.Infer if infer) in the precision of ws: x
// and w rounded to T on entry, the outputs widened into out.
func passForward[T floatT](ws *graphWSOf[T], st *GraphState, out, w, x []float64, infer bool, name string) {
	g := ws.g
	g.checkParams(w)
	in := g.InDim()
	n := len(x) / in
	if n < 1 || len(x) != n*in || len(out) != n*g.OutDim() {
		panic(fmt.Sprintf("nn: %s.Forward: len(x) = %d, len(out) = %d: want n·%d and n·%d, n >= 1", name, len(x), len(out), in, g.OutDim()))
	}
	ws.ensure(n)
	ws.k.setParams(ws, w)
	ws.batch, ws.idx, ws.train, ws.infer, ws.fuse = n, nil, false, infer, false // Value reads every node
	ws.rmean, ws.rvar = st.Mean, st.Var
	setRow(ws.val[0][:n*in], x)
	for i, v := range ws.forward() {
		out[i] = float64(v)
	}
}

// passBackward is GraphPass.Backward in the precision of ws: dOut rounded to T on entry.
func passBackward[T floatT](ws *graphWSOf[T], grad, w, dOut []float64, name string) {
	g := ws.g
	g.checkParams(w)
	if len(grad) != len(w) || len(dOut) != ws.batch*g.OutDim() {
		panic(fmt.Sprintf("nn: %s.Backward: len(grad) = %d, len(dOut) = %d: want %d and %d", name, len(grad), len(dOut), len(w), ws.batch*g.OutDim()))
	}
	if ws.infer {
		panic("nn: " + name + ".Backward after Infer: Backward needs a Forward")
	}
	setRow(ws.d[len(g.nodes)], dOut)
	ws.grad = grad
	ws.backward()
	ws.grad = nil
}
