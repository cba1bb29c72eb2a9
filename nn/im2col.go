package nn

import "gonum.org/v1/gonum/floats"

// im2col writes the unfolded input of one sample for a convolution stage: row p = (oh, ow)
// of cols (npos×k) holds the input values under the kernel at output position p, in
// (i, j, c) order, with zeros where the kernel overhangs the padded border. Then the
// convolution of the sample is the matrix product cols·Wᵀ (see docs/derivations/conv.md).
// x is the sample's input (H×W×C, channels last).
//
// Each kernel row is a run of kw·C values contiguous in x, moved by one copy; short
// runs go column by column instead (im2colByColumn).
func (st *stage) im2col(cols, x []float64) {
	if st.kw*st.in.C < shortRun {
		st.im2colByColumn(cols, x)
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

// im2colByColumn is im2col for short kernel rows (kw·C < shortRun values, e.g. a
// one-channel image), where a copy call per row would cost more than the values it moves:
// for each output row it fills the columns t = (i, j, c) of that row's block of cols in
// turn, a strided loop over the output positions whose input lies inside the image (zeros
// elsewhere). The block (out.W·k values) stays in the L1 cache across its columns.
func (st *stage) im2colByColumn(cols, x []float64) {
	C, H, W := st.in.C, st.in.H, st.in.W
	k, S, oW := st.k, st.stride, st.out.W
	for oh := 0; oh < st.out.H; oh++ {
		block := cols[oh*oW*k : (oh+1)*oW*k]
		for i := 0; i < st.kh; i++ {
			ih := oh*S - st.pad + i
			for j := 0; j < st.kw; j++ {
				// Output columns ow with 0 <= ow·S − pad + j < W.
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

// ceilDiv is ⌈a/b⌉ for b > 0 (a of any sign).
func ceilDiv(a, b int) int {
	if a <= 0 {
		return -(-a / b)
	}
	return (a + b - 1) / b
}

// shortRun is the kernel-row length (kw·C values) below which im2col fills columns
// instead of copying rows.
const shortRun = 16

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
				s := src[i*row+lo*C : i*row+hi*C]
				d := dx[(ih*W+iw0+lo)*C:]
				d = d[:len(s)]
				if len(s) >= shortRun {
					floats.Add(d, s)
					continue
				}
				for q, v := range s {
					d[q] += v
				}
			}
		}
	}
}
