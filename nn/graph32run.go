package nn

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
	return &GraphPass32{g: g, st: g.passState(st, "GraphPass32"), ws: g.newWS32()}, nil
}

// Forward writes the outputs of the graph at parameters w for the rows of x (n·InDim
// values) into out (n·OutDim values) and keeps what Backward needs.
func (p *GraphPass32) Forward(out, w, x []float64) {
	passForward(p.ws, p.st, out, w, x, false, "GraphPass32")
}

// Infer is Forward without keeping what only Backward reads (SiLU's σ): the same
// outputs, for an evaluation such as a score. Backward cannot follow it.
func (p *GraphPass32) Infer(out, w, x []float64) {
	passForward(p.ws, p.st, out, w, x, true, "GraphPass32")
}

// Backward writes into grad (len NumParams) the gradient in w of Σ dOut ⊙ output of the
// last Forward, which must have run at the same w.
func (p *GraphPass32) Backward(grad, w, dOut []float64) {
	passBackward(p.ws, grad, w, dOut, "GraphPass32")
}
