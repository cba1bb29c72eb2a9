package nn

// im2colT is stage.im2col for float32 or float64 values (the float64 methods call it,
// the float32 path of a Graph too).
func im2colT[T float32 | float64](st *stage, cols, x []T) {
	if st.kw*st.in.C < shortRun {
		im2colByColumnT(st, cols, x)
		return
	}
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
				copy(seg[lo*C:hi*C], x[(ih*W+iw0+lo)*C:])
				clear(seg[hi*C:])
			}
		}
	}
}

// im2colByColumnT is stage.im2colByColumn for float32 or float64 values.
func im2colByColumnT[T float32 | float64](st *stage, cols, x []T) {
	C, H, W := st.in.C, st.in.H, st.in.W
	k, S, oW := st.k, st.stride, st.out.W
	for oh := 0; oh < st.out.H; oh++ {
		block := cols[oh*oW*k : (oh+1)*oW*k]
		for i := 0; i < st.kh; i++ {
			ih := oh*S - st.pad + i
			for j := 0; j < st.kw; j++ {
				owLo := min(oW, max(0, ceilDiv(st.pad-j, S)))
				owHi := max(owLo, min(oW, ceilDiv(W+st.pad-j, S)))
				if ih < 0 || ih >= H {
					owLo, owHi = oW, oW
				}
				for c := 0; c < C; c++ {
					row := block[(i*st.kw+j)*C+c:]
					for q := 0; q < owLo*k; q += k {
						row[q] = 0
					}
					s := (ih*W+owLo*S-st.pad+j)*C + c
					for q := owLo * k; q < owHi*k; q += k {
						row[q] = x[s]
						s += S * C
					}
					for q := owHi * k; q < len(row); q += k {
						row[q] = 0
					}
				}
			}
		}
	}
}

// col2imT is stage.col2im for float32 or float64 values: the additions for each input
// value in increasing (p, i, j) order, each run of kw·C values added by addRun.
func col2imT[T float32 | float64](st *stage, dx, dcols []T, addRun func(d, s []T)) {
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
				s := src[i*row+lo*C : i*row+hi*C]
				d := dx[(ih*W+iw0+lo)*C:]
				addRun(d[:len(s)], s)
			}
		}
	}
}

// addRun32 sets d[q] += s[q] in float32.
func addRun32(d, s []float32) { add32(d, s) }
