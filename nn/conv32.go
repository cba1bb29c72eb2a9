package nn

import igemm "github.com/sdeml/sdeml/internal/gemm"

// The float32 convolutions of a Graph's mixed-precision pass, one sample at a time. A
// stride-1 convolution with enough input channels runs without the unfolded (im2col)
// matrix. The sample's input is copied into a zero-padded image of Hp = H + 2·pad rows
// of Wp = W + e pixels (C values each): e zeros, then the W pixels of the row, so that the
// zeros after a row's pixels are the left padding of the next row, and pad more zeros at
// the end; e = pad, or 2·pad − kw + 1 if larger (every valid output pixel of a row on one
// grid row). Then the values under kernel row i at output pixel (oh, ow) are the kw·C
// consecutive values starting at pixel oh·Wp + ow + i·Wp + e − pad of the padded image.
// Numbering the output pixels q = oh·Wp + ow on the padded grid (pixels with ow ≥ out.W
// are junk: their windows wrap into the next row), row q of the i-th window matrix A_i
// starts at value (q + i·Wp + e − pad)·C: a matrix with leading dimension C, rows overlapping
// (gemm.SgemmSliding). Then
//
//	Z = Σ_i A_i·W_iᵀ,  ∂/∂W_i = A_iᵀ·∂/∂Z   (W_i: the kw·C columns of kernel row i)
//
// over the M = (out.H − 1)·Wp + out.W grid pixels up to the last valid one; Z's valid rows
// are copied out, and ∂/∂Z gets zeros at the junk pixels. The products read the padded
// image in place, where im2col would write and read kh·kw·C values per output pixel;
// the price is the junk rows (Wp − out.W per output row: 1/28 of the work of a 3×3
// "same" convolution at 28×28, 1/7 at 7×7), a copy of the input and of the output, and
// kh products per sample instead of one.

// slideMinC is the fewest input channels for which a stride-1 convolution uses the
// sliding-window products: with fewer, a window row (kw·C values) is too short for the
// products to be efficient, and im2col (by column for short rows) is used.
const slideMinC = 8

// slideMinW is the narrowest output for which the sliding-window products are used: the
// junk pixels add (Wp − out.W)/out.W of the work, and narrow images have little to
// gain (7×7 measured slower than im2col).
const slideMinW = 8

// slideGrid returns, for stage st, the padded width Wp and the number M of grid pixels of
// the sliding-window products, and whether st uses them.
func slideGrid(st *stage) (Wp, M int, ok bool) {
	if st.kind != stageConv || st.direct || st.stride != 1 || st.in.C < slideMinC || st.out.W < slideMinW {
		return 0, 0, false
	}
	Wp = st.in.W + slideGap(st)
	return Wp, (st.out.H-1)*Wp + st.out.W, true
}

// slideGap is e, the zeros between two rows of the padded image.
func slideGap(st *stage) int { return max(st.pad, 2*st.pad-st.kw+1) }

// slideOff is the offset of the first window, (e − pad)·C values.
func slideOff(st *stage) int { return (slideGap(st) - st.pad) * st.in.C }

// paddedSize is the length of the padded image of stage st (padImage) for grid width Wp.
func paddedSize(st *stage, Wp int) int {
	return ((st.in.H+2*st.pad)*Wp + st.pad) * st.in.C
}

// padImage writes the sample x (H×W×C) into xp (paddedSize values): pad rows of zeros,
// then each row as e zeros and its W pixels, then pad rows and pad pixels of zeros.
func padImage(st *stage, xp, x []float32) {
	C, H, W, pad := st.in.C, st.in.H, st.in.W, st.pad
	e := slideGap(st)
	Wp := W + e
	clear(xp[:(pad*Wp+e)*C])
	for h := range H {
		base := ((h+pad)*Wp + e) * C
		copy(xp[base:base+W*C], x[h*W*C:(h+1)*W*C])
		clear(xp[base+W*C : base+Wp*C]) // the left padding of the next row
	}
	clear(xp[((H+pad)*Wp+e)*C : paddedSize(st, Wp)])
}

// convForward32 sets z (n samples of out.H·out.W × out.C) to the convolution of the n
// samples in x (in.Size() values each) with W (out.C × k), without bias: by the sliding-
// window products when st qualifies and scratch holds the padded image and the grid
// output, else by im2col into scratch and one product per sample.
func convForward32(st *stage, scratch, z, x, W []float32, n int) {
	ni, no, co := st.in.Size(), st.out.Size(), st.out.C
	Wp, M, ok := slideGrid(st)
	if ok {
		np := paddedSize(st, Wp)
		if np+M*co <= len(scratch) {
			xp, zp := scratch[:np], scratch[np:np+M*co]
			for s := range n {
				slideForward(st, zp, xp, x[s*ni:(s+1)*ni], W, Wp, M)
				oW := st.out.W
				zs := z[s*no : (s+1)*no]
				for oh := range st.out.H {
					copy(zs[oh*oW*co:(oh+1)*oW*co], zp[oh*Wp*co:])
				}
			}
			return
		}
	}
	// One sample at a time: its unfolded input (npos×k) stays in cache between im2col
	// and the product.
	cols := scratch[:st.npos()*st.k]
	for s := range n {
		im2colT(st, cols, x[s*ni:(s+1)*ni])
		igemm.Sgemm(false, true, st.npos(), co, st.k, 1, cols, st.k, W, st.k, 0, z[s*no:(s+1)*no], co)
	}
}

// slideForward sets zp (M grid pixels × out.C) to Σ_i A_i·W_iᵀ for one sample x, padded
// into xp.
func slideForward(st *stage, zp, xp, x, W []float32, Wp, M int) {
	padImage(st, xp, x)
	C, co, r := st.in.C, st.out.C, st.kw*st.in.C
	for i := range st.kh {
		igemm.SgemmSliding(false, true, M, co, r, 1, xp[i*Wp*C+slideOff(st):], C, W[i*r:], st.k, float32(min(i, 1)), zp, co)
	}
}

// convWeightGrad32 sets g (out.C × k) to Σ_s ∂/∂Z_sᵀ·A_s, the weight gradient of the
// convolution over the n samples of x with output errors dy, in the order of the
// samples (β = 1 from the second). It forms gᵀ (k × out.C) in tmp, one product per
// sample (and kernel row), and transposes it into g: the products' many rows (k) and
// out.C columns suit the kernels' tiles better than out.C rows (16 rows on 12-row tiles
// leave a third of the second tile idle; same-run timing: 1.3–1.6× faster). A_s is read
// through the sliding windows of the padded sample when st qualifies and scratch holds
// the padded image and the grid errors, else unfolded by im2col into scratch. With tmp
// shorter than k·out.C, g is formed directly (∂/∂Zᵀ·A per sample).
func convWeightGrad32(st *stage, scratch, tmp, g, dy, x []float32, n int) {
	ni, no, co := st.in.Size(), st.out.Size(), st.out.C
	if len(tmp) < st.k*co {
		cols := scratch[:st.npos()*st.k]
		for s := range n {
			im2colT(st, cols, x[s*ni:(s+1)*ni])
			igemm.Sgemm(true, false, co, st.k, st.npos(), 1, dy[s*no:(s+1)*no], co, cols, st.k, float32(min(s, 1)), g, st.k)
		}
		return
	}
	gT := tmp[:st.k*co]
	Wp, M, ok := slideGrid(st)
	np := paddedSize(st, Wp)
	if ok && np+M*co <= len(scratch) {
		xp, dp := scratch[:np], scratch[np:np+M*co]
		C, r, oW := st.in.C, st.kw*st.in.C, st.out.W
		for s := range n {
			padImage(st, xp, x[s*ni:(s+1)*ni])
			ds := dy[s*no : (s+1)*no]
			for oh := range st.out.H {
				row := dp[oh*Wp*co : min(M, (oh+1)*Wp)*co]
				copy(row, ds[oh*oW*co:(oh+1)*oW*co])
				clear(row[oW*co:]) // the junk pixels
			}
			beta := float32(min(s, 1))
			for i := range st.kh {
				igemm.SgemmSliding(true, false, r, co, M, 1, xp[i*Wp*C+slideOff(st):], C, dp, co, beta, gT[i*r*co:], co)
			}
		}
	} else {
		cols := scratch[:st.npos()*st.k]
		for s := range n {
			im2colT(st, cols, x[s*ni:(s+1)*ni])
			igemm.Sgemm(true, false, st.k, co, st.npos(), 1, cols, st.k, dy[s*no:(s+1)*no], co, float32(min(s, 1)), gT, co)
		}
	}
	for t := range st.k {
		for o, v := range gT[t*co : (t+1)*co] {
			g[o*st.k+t] = v
		}
	}
}
