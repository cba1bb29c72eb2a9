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

func (prec32) keepSize(cn *customNode) int { return keep32(cn) }

// inferer32 is implemented by a customLayer32 whose forward pass can skip what it keeps
// for backward (SiLU's σ): infer32 is forward32 without keep, the same outputs.
type inferer32 interface {
	infer32(x [][]float32, y []float32)
}

func (prec32) custom(ws *graphWS32, cn *customNode, off, np int, x [][]float32, y []float32, keep []float64, n int) {
	if inf, ok := cn.cl.(inferer32); ok && ws.infer {
		inf.infer32(x, y)
		return
	}
	cn.cl.(customLayer32).forward32(cn.ins, ws.w[off:off+np], ws.w32[off:off+np], x, y, keep, n)
}

func (prec32) customBack(ws *graphWS32, cn *customNode, off, np, k int, x [][]float32, y, dy []float32, keep []float64, dx []float32, gw []float64, n int) {
	cn.cl.(customLayer32).backward32(cn.ins, k, ws.w[off:off+np], ws.w32[off:off+np], x, y, dy, keep, dx, gw, n)
}
