package nn

// im2col writes the unfolded input of one sample for a convolution stage: row p = (oh, ow)
// of cols (npos×k) holds the input values under the kernel at output position p, in
// (i, j, c) order, with zeros where the kernel overhangs the padded border. Then the
// convolution of the sample is the matrix product cols·Wᵀ (see docs/derivations/conv.md).
// x is the sample's input (H×W×C, channels last).
func (st *stage) im2col(cols, x []float64) {
	C, H, W := st.in.C, st.in.H, st.in.W
	row := st.kw * C
	p := 0
	for oh := 0; oh < st.out.H; oh++ {
		for ow := 0; ow < st.out.W; ow++ {
			dst := cols[p*st.k : (p+1)*st.k]
			p++
			iw0 := ow*st.stride - st.pad
			lo, hi := max(0, -iw0), min(st.kw, W-iw0)
			for i := 0; i < st.kh; i++ {
				seg := dst[i*row : (i+1)*row]
				ih := oh*st.stride - st.pad + i
				if ih < 0 || ih >= H || lo >= hi {
					clear(seg)
					continue
				}
				clear(seg[:lo*C])
				copy(seg[lo*C:hi*C], x[(ih*W+iw0+lo)*C:(ih*W+iw0+hi)*C])
				clear(seg[hi*C:])
			}
		}
	}
}

// col2im is the adjoint of im2col: it sets dx (H×W×C) to the sum, over output positions
// and kernel offsets, of the entries of dcols (npos×k) at the input values they were
// copied from (the padding entries are dropped). The additions for each input value are
// made in increasing (p, i, j) order, so the result does not depend on scheduling.
func (st *stage) col2im(dx, dcols []float64) {
	C, H, W := st.in.C, st.in.H, st.in.W
	clear(dx[:st.in.Size()])
	row := st.kw * C
	p := 0
	for oh := 0; oh < st.out.H; oh++ {
		for ow := 0; ow < st.out.W; ow++ {
			src := dcols[p*st.k : (p+1)*st.k]
			p++
			iw0 := ow*st.stride - st.pad
			lo, hi := max(0, -iw0), min(st.kw, W-iw0)
			if lo >= hi {
				continue
			}
			for i := 0; i < st.kh; i++ {
				ih := oh*st.stride - st.pad + i
				if ih < 0 || ih >= H {
					continue
				}
				d := dx[(ih*W+iw0+lo)*C : (ih*W+iw0+hi)*C]
				s := src[i*row+lo*C : i*row+hi*C]
				for q, v := range s {
					d[q] += v
				}
			}
		}
	}
}
