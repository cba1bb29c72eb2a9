package nn

import igemm "github.com/sdeml/sdeml/internal/gemm"

// Strided float32 convolutions (stride S ≥ 2, e.g. a ResNet's downsampling) without the
// unfolded (im2col) matrix. The sample's zero-padded image (padded rows y = 0, 1, … of
// Wp pixels: pad zeros, the W pixels of input row y − pad, zeros) is split by row phase:
// phase image R_a holds the padded rows y = S·h' + a, h' = 0 … Hq − 1, one after the
// other. Output pixel (oh, ow) under kernel row i reads the kw·C consecutive values from
// pixel S·ow of padded row S·oh + i, that is of row oh + ⌊i/S⌋ of R_{i mod S}. With
// Wp = S·Wq and the output pixels numbered q = oh·Wq + ow on a grid of width Wq (pixels
// with ow ≥ out.W are junk), that window starts at value S·C·q + ⌊i/S⌋·Wp·C of R_{i mod S}:
// a sliding-window matrix A_i with leading dimension S·C (gemm.SgemmSliding), and
//
//	Z = Σ_i A_i·W_iᵀ,  ∂/∂W_i = A_iᵀ·∂/∂Z,
//
// as for stride 1 (conv32.go), with the same bits as Sgemm on the explicit A_i. For ∂/∂x
// the kernel row's kw pixels are cut into chunks t of S pixels (j = t·S … t·S + S − 1):
// for a fixed chunk the windows of the grid pixels of one output row no longer overlap, so
// ∂/∂A_i's chunk, ∂/∂Z·W_{i,t}ᵀ, is added into the padded gradient image of R_{i mod S}
// by a plain product with leading dimension S·C (β = 1). The products run for decreasing
// (i, t), which adds the terms of each input value in the order col2im adds them (by
// increasing output pixel), each term the same FMA chain over the output channels, so
// ∂/∂x has the bits of the im2col path (Sgemm of ∂/∂Z and W, then col2im).

// phaseLayout is the grid and the phase images of a strided stage (phaseGrid).
type phaseLayout struct {
	S      int // stride
	Wq, Hq int // grid width (output pixels per grid row) and rows per phase image
	Wp     int // pixels per padded row, S·Wq
	M, Mr  int // grid pixels up to the last valid one, and M rounded up to whole row tiles
	ps     int // values per phase image (including the zeros read by the rows past M)
	nph    int // phase images used: min(S, kh)
}

// phaseGrid returns the layout of stage st's strided products, whose row count is rounded
// up to a multiple of mr, and whether st uses them for outputs at least minW wide
// (slideMinW for the forward products and ∂/∂x, slideMinWGrad for the weight gradient,
// as for stride 1): stride ≥ 2 and at least slideMinC input channels. The junk pixels
// add (Wq − out.W)/out.W of the work: 1/14 at 14×14 and 1/7 at 7×7 for a 3×3 kernel with
// padding 1, none for a 1×1 kernel without padding, which takes the products at any
// width.
func phaseGrid(st *stage, mr, minW int) (l phaseLayout, ok bool) {
	if st.kind != stageConv || st.direct || st.stride < 2 || st.in.C < slideMinC {
		return l, false
	}
	S, C := st.stride, st.in.C
	l.S = S
	l.Wq = ceilDiv(max(S*(st.out.W-1)+st.kw, st.pad+st.in.W), S)
	l.Wp = S * l.Wq
	l.Hq = st.out.H + (st.kh-1)/S
	l.M = (st.out.H-1)*l.Wq + st.out.W
	l.Mr = roundUp(l.M, mr)
	l.ps = max(l.Hq*l.Wp*C, (st.kh-1)/S*l.Wp*C+(l.Mr-1)*S*C+st.kw*C)
	l.nph = min(S, st.kh)
	return l, st.out.W >= minW || l.Wq == st.out.W
}

// phaseTile returns the row multiple of the strided products of st: a multiple of the row
// tiles of the products out.C wide (forward) and up to S·in.C wide (∂/∂x), so that no row
// panel of their left operand is packed.
func phaseTile(st *stage) int {
	a, b, c := igemm.SgemmRowTile(st.out.C), igemm.SgemmRowTile(st.stride*st.in.C), igemm.SgemmRowTile(st.in.C)
	return lcm(lcm(a, b), c)
}

// lcm is the least common multiple of a, b ≥ 1.
func lcm(a, b int) int {
	x, y := a, b
	for y != 0 {
		x, y = y, x%y
	}
	return a / x * b
}

// window returns the start of A_i (kernel row i) in the phase images xp.
func (l *phaseLayout) window(st *stage, xp []float32, i int) []float32 {
	return xp[(i%l.S)*l.ps+i/l.S*l.Wp*st.in.C:]
}

// padPhases writes the sample x (H×W×C) into the phase images xp (nph·ps values).
func padPhases(st *stage, l *phaseLayout, xp, x []float32) {
	C, H, W, pad := st.in.C, st.in.H, st.in.W, st.pad
	rw := l.Wp * C
	for a := range l.nph {
		ph := xp[a*l.ps : (a+1)*l.ps]
		for h := range l.Hq {
			row := ph[h*rw : (h+1)*rw]
			y := l.S*h + a - pad
			if y < 0 || y >= H {
				clear(row)
				continue
			}
			clear(row[:pad*C])
			copy(row[pad*C:(pad+W)*C], x[y*W*C:(y+1)*W*C])
			clear(row[(pad+W)*C:])
		}
		clear(ph[l.Hq*rw:])
	}
}

// stridedForward sets z (n samples) to the convolution of x with W plus bias (nil: none,
// see convForward32) by the strided
// sliding-window products, if st qualifies and scratch holds the phase images and the
// grid output; it reports whether it did.
func stridedForward(st *stage, scratch, z, x, W, bias []float32, n int) bool {
	l, ok := phaseGrid(st, phaseTile(st), slideMinW)
	if !ok || l.nph*l.ps+l.Mr*st.out.C > len(scratch) {
		return false
	}
	ni, no, co := st.in.Size(), st.out.Size(), st.out.C
	C, oW := st.in.C, st.out.W
	xp, zp := scratch[:l.nph*l.ps], scratch[l.nph*l.ps:l.nph*l.ps+l.Mr*co]
	wt := weightsT(st, scratch[l.nph*l.ps+l.Mr*co:], W)
	for s := range n {
		padPhases(st, &l, xp, x[s*ni:(s+1)*ni])
		for i := range st.kh {
			slideProduct(st, l.Mr, l.window(st, xp, i), l.S*C, W, wt, i, zp)
		}
		zs := z[s*no : (s+1)*no]
		for oh := range st.out.H {
			copyBias(zs[oh*oW*co:(oh+1)*oW*co], zp[oh*l.Wq*co:], bias)
		}
	}
	return true
}

// gridErrors writes the output errors ds of one sample (out.H·out.W × out.C) onto the
// grid dp (rows × out.C, rows ≥ M): row oh·Wq + ow holds ds[oh, ow]; junk and trailing
// rows are zero.
func gridErrors(st *stage, dp, ds []float32, Wq int) {
	co, oW := st.out.C, st.out.W
	for oh := range st.out.H {
		row := dp[oh*Wq*co : min(len(dp)/co, (oh+1)*Wq)*co]
		copy(row, ds[oh*oW*co:(oh+1)*oW*co])
		clear(row[oW*co:])
	}
	clear(dp[min(len(dp), st.out.H*Wq*co):])
}

// stridedWeightGrad sets gT (k × out.C) to Σ_s A_sᵀ·∂/∂Z_s over the n samples (in sample
// order, β = 1 from the second) by the strided sliding-window products, if st qualifies
// and scratch holds the phase images and the grid errors; it reports whether it did.
func stridedWeightGrad(st *stage, scratch, gT, dy, x []float32, n int) bool {
	l, ok := phaseGrid(st, 1, slideMinWGrad)
	if !ok || l.nph*l.ps+l.M*st.out.C > len(scratch) {
		return false
	}
	ni, no, co := st.in.Size(), st.out.Size(), st.out.C
	C, r := st.in.C, st.kw*st.in.C
	xp, dp := scratch[:l.nph*l.ps], scratch[l.nph*l.ps:l.nph*l.ps+l.M*co]
	rb := igemm.SgemmInPlaceRows(co)
	if rb <= 0 {
		rb = r
	}
	for s := range n {
		padPhases(st, &l, xp, x[s*ni:(s+1)*ni])
		gridErrors(st, dp, dy[s*no:(s+1)*no], l.Wq)
		beta := float32(min(s, 1))
		for i := range st.kh {
			a := l.window(st, xp, i)
			for t0 := 0; t0 < r; t0 += rb {
				igemm.SgemmSliding(true, false, min(rb, r-t0), co, l.M, 1, a[t0:], l.S*C, dp, co, beta, gT[(i*r+t0)*co:], co)
			}
		}
	}
	return true
}

// stridedInputGrad sets dx (n samples) to ∂/∂x of the convolution with W for the output
// errors dy by the chunked products into the phase images' gradients (see the top of this
// file), if st qualifies and scratch holds them and the grid errors; it reports whether
// it did. The bits are those of convInputGrad32's im2col path.
func stridedInputGrad(st *stage, scratch, dx, dy, W []float32, n int) bool {
	l, ok := phaseGrid(st, phaseTile(st), slideMinW)
	if !ok || l.nph*l.ps+l.Mr*st.out.C > len(scratch) {
		return false
	}
	ni, no, co := st.in.Size(), st.out.Size(), st.out.C
	C, H, Wd, S, pad := st.in.C, st.in.H, st.in.W, l.S, st.pad
	dxp, dp := scratch[:l.nph*l.ps], scratch[l.nph*l.ps:l.nph*l.ps+l.Mr*co]
	chunks := ceilDiv(st.kw, S)
	for s := range n {
		clear(dxp)
		gridErrors(st, dp, dy[s*no:(s+1)*no], l.Wq)
		for i := st.kh - 1; i >= 0; i-- {
			a := l.window(st, dxp, i)
			for t := chunks - 1; t >= 0; t-- {
				j0 := t * S
				jw := min(S, st.kw-j0)
				igemm.Sgemm(false, false, l.Mr, jw*C, co, 1, dp, co, W[(i*st.kw+j0)*C:], st.k, 1, a[j0*C:], S*C)
			}
		}
		xs := dx[s*ni : (s+1)*ni]
		for y := range H {
			Y := y + pad
			if Y%S >= l.nph || Y/S >= l.Hq {
				clear(xs[y*Wd*C : (y+1)*Wd*C]) // a row no kernel row reads
				continue
			}
			copy(xs[y*Wd*C:(y+1)*Wd*C], dxp[(Y%S)*l.ps+(Y/S)*l.Wp*C+pad*C:])
		}
	}
	return true
}

// convInputGrad32 sets dx (n samples of in.Size() values) to ∂/∂x of the convolution of
// stage st with W (out.C × k) for the output errors dy: by stridedInputGrad when st
// qualifies, else per sample as col2im(∂/∂Z·W) with the unfolded errors in scratch.
func convInputGrad32(st *stage, scratch, dx, dy, W []float32, n int) {
	if stridedInputGrad(st, scratch, dx, dy, W, n) {
		return
	}
	ni, no, co := st.in.Size(), st.out.Size(), st.out.C
	dc := scratch[:st.npos()*st.k]
	for s := range n {
		igemm.Sgemm(false, false, st.npos(), st.k, co, 1, dy[s*no:(s+1)*no], co, W, st.k, 0, dc, st.k)
		col2imT(st, dx[s*ni:(s+1)*ni], dc, addRun32)
	}
}
