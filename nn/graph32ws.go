package nn

import "github.com/sdeml/sdeml/internal/vec32"

// setup sizes the float32 scratch of a new workspace: the float32 parameters, the unfolded
// input of one sample (the products run sample by sample), and for each "same" convolution
// its transposed stage and flipped kernel (transposed32).
func (prec32) setup(ws *graphWS32) {
	g := ws.g
	ws.w32 = make([]float32, g.np)
	for j := range g.nodes {
		gn := &g.nodes[j]
		if gn.kind == gStage && gn.st.kind == stageConv && !gn.st.direct {
			ws.maxCols = max(ws.maxCols, gn.st.npos()*gn.st.k) // one sample
			if ts := transposed32(&gn.st); ts != nil {
				if ws.tst == nil {
					ws.tst = make([]*stage, len(g.nodes))
				}
				ws.tst[j] = ts
				ws.maxCols = max(ws.maxCols, ts.npos()*ts.k)
				ws.maxWT = max(ws.maxWT, ts.out.C*ts.k)
			}
		}
	}
}

// grow allocates the per-chunk float32 weight gradients of the convolutions.
func (prec32) grow(ws *graphWS32, chunks int) {
	ws.g32 = make([][]float32, chunks)
	for c := range chunks {
		ws.g32[c] = make([]float32, ws.maxNP)
	}
}

// setParams keeps w (the float64 master parameters) and its float32 rounding.
func (prec32) setParams(ws *graphWS32, w []float64) {
	ws.w = w
	for i, v := range w {
		ws.w32[i] = float32(v)
	}
}

func (prec32) as64([]float32) []float64 { return nil }

// lossSum adds the losses to total one by one.
func (prec32) lossSum(total float64, l []float64) float64 {
	for _, v := range l {
		total += v
	}
	return total
}

func (prec32) add(dst, s []float32)    { add32(dst, s) }
func (prec32) sum(dst, a, b []float32) { sum32(dst, a, b) }

// add32 sets dst[i] += s[i] in float32 (internal/vec32).
func add32(dst, s []float32) { vec32.Add(dst, s[:len(dst)]) }

// sum32 sets dst[i] = a[i] + b[i] in float32 (internal/vec32).
func sum32(dst, a, b []float32) { vec32.Sum(dst, a[:len(dst)], b[:len(dst)]) }
