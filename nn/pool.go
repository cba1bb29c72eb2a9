package nn

// maxPool writes the window maxima of one sample x (H×W×C) into y (outH×outW×C) and the
// index in x of each maximum (the first one in window order) into arg.
func (st *stage) maxPool(y []float64, arg []int32, x []float64) {
	C, W := st.in.C, st.in.W
	p := 0
	for oh := 0; oh < st.out.H; oh++ {
		for ow := 0; ow < st.out.W; ow++ {
			yo, ao := y[p*C:(p+1)*C], arg[p*C:(p+1)*C]
			p++
			first := true
			for i := 0; i < st.kh; i++ {
				for j := 0; j < st.kw; j++ {
					base := ((oh*st.stride+i)*W + ow*st.stride + j) * C
					xs := x[base : base+C]
					if first {
						copy(yo, xs)
						for c := range ao {
							ao[c] = int32(base + c)
						}
						first = false
						continue
					}
					for c, v := range xs {
						if v > yo[c] {
							yo[c] = v
							ao[c] = int32(base + c)
						}
					}
				}
			}
		}
	}
}

// maxPoolBack sets dx to the gradient of one sample's max pool: dy[q] is added at arg[q].
func (st *stage) maxPoolBack(dx, dy []float64, arg []int32) {
	clear(dx[:st.in.Size()])
	for q, v := range dy[:st.out.Size()] {
		dx[arg[q]] += v
	}
}

// avgPool writes the window means of one sample x (H×W×C) into y (outH×outW×C).
func (st *stage) avgPool(y, x []float64) {
	C, W := st.in.C, st.in.W
	inv := 1 / float64(st.kh*st.kw)
	p := 0
	for oh := 0; oh < st.out.H; oh++ {
		for ow := 0; ow < st.out.W; ow++ {
			yo := y[p*C : (p+1)*C]
			p++
			clear(yo)
			for i := 0; i < st.kh; i++ {
				base := ((oh*st.stride+i)*W + ow*st.stride) * C
				for q, v := range x[base : base+st.kw*C] {
					yo[q%C] += v
				}
			}
			for c := range yo {
				yo[c] *= inv
			}
		}
	}
}

// avgPoolBack sets dx to the gradient of one sample's average pool: every input value of a
// window receives dy/(Size²) of that window, windows taken in output order.
func (st *stage) avgPoolBack(dx, dy []float64) {
	C, W := st.in.C, st.in.W
	clear(dx[:st.in.Size()])
	inv := 1 / float64(st.kh*st.kw)
	p := 0
	for oh := 0; oh < st.out.H; oh++ {
		for ow := 0; ow < st.out.W; ow++ {
			g := dy[p*C : (p+1)*C]
			p++
			for i := 0; i < st.kh; i++ {
				base := ((oh*st.stride+i)*W + ow*st.stride) * C
				d := dx[base : base+st.kw*C]
				for q := range d {
					d[q] += g[q%C] * inv
				}
			}
		}
	}
}
