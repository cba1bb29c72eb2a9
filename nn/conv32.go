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

// slideMinW and slideMinWGrad are the narrowest outputs for which the forward products
// and the weight gradient use the sliding windows: the junk pixels add (Wp − out.W)/out.W
// of the work (1/7 for a 3×3 "same" convolution at 7×7), which the forward products
// still win back from im2col at 7×7 (1.2–1.4× on 7×7×32 and 7×7×64), the weight
// gradient not (equal or 1.2× slower there; 1.1–1.5× faster from 14×14 on).
const (
	slideMinW     = 7
	slideMinWGrad = 8
)

// slideGrid returns, for stage st, the padded width Wp and the number M of grid pixels of
// the sliding-window products, and whether st uses them for outputs at least minW wide
// (slideMinW for the forward products, slideMinWGrad for the weight gradient).
func slideGrid(st *stage, minW int) (Wp, M int, ok bool) {
	if st.kind != stageConv || st.direct || st.stride != 1 || st.in.C < slideMinC || st.out.W < minW {
		return 0, 0, false
	}
	Wp = st.in.W + slideGap(st)
	return Wp, (st.out.H-1)*Wp + st.out.W, true
}

// slideGap is e, the zeros between two rows of the padded image.
func slideGap(st *stage) int { return max(st.pad, 2*st.pad-st.kw+1) }

// roundUp is n rounded up to a multiple of m ≥ 1.
func roundUp(n, m int) int { return (n + m - 1) / m * m }

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

// stacked reports whether the sliding-window products of stage st stack the kernel rows
// into the output columns: with few output channels (kh·out.C ≤ 16, e.g. the one-channel
// output convolution of a U-Net), a product with out.C columns would leave most lanes of
// the kernels' 16-wide tiles idle, so one product Y = A_0·Wsᵀ with the kh·out.C stacked
// rows Ws[i·out.C + o] = W_i[o] over M + (kh − 1)·Wp grid pixels forms every kernel row's
// contribution, and Z[q, o] = Σ_i Y[q + i·Wp, i·out.C + o] (in increasing i) combines
// them; the weight gradient likewise reads A_0 once against the errors shifted by i·Wp.
func stacked(st *stage) bool { return st.kh > 1 && st.kh*st.out.C <= 16 }

// stackedCombine writes z (one sample, out.H·out.W × out.C) from the stacked products yp
// (grid pixels × kh·out.C): z[oh, ow, o] = Σ_i yp[oh·Wp + ow + i·Wp, i·out.C + o], a
// float32 sum in increasing i.
func stackedCombine(st *stage, z, yp []float32, Wp int) {
	co, q, oW := st.out.C, st.kh*st.out.C, st.out.W
	for oh := range st.out.H {
		for ow := range oW {
			zr := z[(oh*oW+ow)*co : (oh*oW+ow+1)*co]
			g := oh*Wp + ow
			copy(zr, yp[g*q:g*q+co])
			for i := 1; i < st.kh; i++ {
				yr := yp[(g+i*Wp)*q+i*co : (g+i*Wp)*q+(i+1)*co]
				yr = yr[:len(zr)]
				for o, v := range yr {
					zr[o] += v
				}
			}
		}
	}
}

// convForward32 sets z (n samples of out.H·out.W × out.C) to the convolution of the n
// samples in x (in.Size() values each) with W (out.C × k), plus bias (out.C values, added
// to each output pixel in float32 as the products are copied out; nil: none): by the sliding-
// window products when st qualifies and scratch holds the padded image and the grid
// output (for a stride ≥ 2, the strided products of conv32strided.go), else by im2col
// into scratch and one product per sample.
func convForward32(st *stage, scratch, z, x, W, bias []float32, n int) {
	if stridedForward(st, scratch, z, x, W, bias, n) {
		return
	}
	ni, no, co := st.in.Size(), st.out.Size(), st.out.C
	Wp, M, ok := slideGrid(st, slideMinW)
	if ok && stacked(st) {
		np, M2, q := paddedSize(st, Wp), M+(st.kh-1)*Wp, st.kh*co
		r, M2r := st.kw*st.in.C, roundUp(M2, igemm.SgemmRowTile(q))
		if np2 := np + (M2r-M2)*st.in.C; np2+M2r*q+q*r <= len(scratch) {
			xp, yp, ws := scratch[:np2], scratch[np2:np2+M2r*q], scratch[np2+M2r*q:np2+M2r*q+q*r]
			clear(xp[np:])
			for i := range st.kh {
				for o := range co {
					copy(ws[(i*co+o)*r:(i*co+o+1)*r], W[o*st.k+i*r:o*st.k+(i+1)*r])
				}
			}
			for s := range n {
				padImage(st, xp, x[s*ni:(s+1)*ni])
				igemm.SgemmSliding(false, true, M2r, q, r, 1, xp[slideOff(st):], st.in.C, ws, r, 0, yp, q)
				stackedCombine(st, z[s*no:(s+1)*no], yp, Wp)
				addBias(z[s*no:(s+1)*no], bias)
			}
			return
		}
	}
	if ok {
		// M rounded up to whole row tiles of the product (junk rows past the last valid
		// one, reading as many zeros after the padded image): no row panel of A_i is
		// packed (4–10 % on the 28×28 and 14×14 shapes).
		np, Mr := paddedSize(st, Wp), roundUp(M, igemm.SgemmRowTile(co))
		if np2 := np + (Mr-M)*st.in.C; np2+Mr*co <= len(scratch) {
			xp, zp := scratch[:np2], scratch[np2:np2+Mr*co]
			clear(xp[np:])
			wt := weightsT(st, scratch[np2+Mr*co:], W)
			for s := range n {
				slideForward(st, zp, xp, x[s*ni:(s+1)*ni], W, wt, Wp, Mr)
				oW := st.out.W
				zs := z[s*no : (s+1)*no]
				for oh := range st.out.H {
					copyBias(zs[oh*oW*co:(oh+1)*oW*co], zp[oh*Wp*co:], bias)
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
		addBias(z[s*no:(s+1)*no], bias)
	}
}

// copyBias sets dst = src + bias per row of len(bias) values (gemm.AddBias32: float32
// additions), or copies src when bias is nil; src is at least as long as dst.
func copyBias(dst, src, bias []float32) {
	if bias == nil {
		copy(dst, src)
		return
	}
	igemm.AddBias32(dst, src[:len(dst)], bias)
}

// addBias adds bias to each row of z (len(bias) values) unless bias is nil.
func addBias(z, bias []float32) {
	if bias != nil {
		igemm.AddBias32(z, z, bias)
	}
}

// slideForward sets zp (M grid pixels × out.C) to Σ_i A_i·W_iᵀ for one sample x, padded
// into xp, with W_iᵀ read from wt = Wᵀ (weightsT) unless wt is nil.
func slideForward(st *stage, zp, xp, x, W, wt []float32, Wp, M int) {
	padImage(st, xp, x)
	C := st.in.C
	for i := range st.kh {
		slideProduct(st, M, xp[i*Wp*C+slideOff(st):], C, W, wt, i, zp)
	}
}

// slideProduct sets zp (M × out.C) to A_i·W_iᵀ (i = 0) or adds it (i > 0) for the sliding
// window matrix A_i (rows of kw·C values at a[q·lda]): with B = W_iᵀ read from wt (rows
// i·kw·C … of Wᵀ, weightsT) when wt is not nil, else from W transposed by the product.
// Either way the bits are the same: the same values in the same order.
func slideProduct(st *stage, M int, a []float32, lda int, W, wt []float32, i int, zp []float32) {
	co, r := st.out.C, st.kw*st.in.C
	if wt != nil {
		igemm.SgemmSliding(false, false, M, co, r, 1, a, lda, wt[i*r*co:], co, float32(min(i, 1)), zp, co)
		return
	}
	igemm.SgemmSliding(false, true, M, co, r, 1, a, lda, W[i*r:], st.k, float32(min(i, 1)), zp, co)
}

// weightsT returns Wᵀ (k × out.C: row t holds W[o, t] for o = 0 … out.C − 1) formed in
// the front of tmp, or nil if tmp is too short. With it the forward products read
// op(B) = B with rows out.C wide, which they read in place, without packing it for every
// sample and kernel row, when out.C is the kernel's panel width (gemm's problem.split);
// without it they transpose W's rows into packed panels for every product.
func weightsT(st *stage, tmp, W []float32) []float32 {
	co, k := st.out.C, st.k
	if len(tmp) < k*co {
		return nil
	}
	wt := tmp[:k*co]
	for o := range co {
		for t, v := range W[o*k : (o+1)*k] {
			wt[t*co+o] = v
		}
	}
	return wt
}

// convWeightGrad32 sets g (out.C × k) to Σ_s ∂/∂Z_sᵀ·A_s, the weight gradient of the
// convolution over the n samples of x with output errors dy, in the order of the
// samples (β = 1 from the second). It forms gᵀ (k × out.C) in tmp, one product per
// sample (and kernel row), and transposes it into g: the products' many rows (k) and
// out.C columns suit the kernels' tiles better than out.C rows (16 rows on 12-row tiles
// leave a third of the second tile idle; same-run timing: 1.3–1.6× faster). A_s is read
// through the sliding windows of the padded sample (or its phase images, for a stride
// ≥ 2: conv32strided.go) when st qualifies and scratch holds them and the grid errors,
// else unfolded by im2col into scratch. With tmp
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
	Wp, M, ok := slideGrid(st, slideMinWGrad)
	np := paddedSize(st, Wp)
	if M2, q := M+(st.kh-1)*Wp, st.kh*co; ok && stacked(st) && np+M2*q <= len(scratch) && st.kw*st.in.C*q <= len(tmp) {
		// G (kw·C × kh·out.C) = A_0ᵀ·B with B[g, i·out.C + o] = ∂/∂Z at grid pixel
		// g − i·Wp (zero at junk pixels and outside the grid); then
		// ∂/∂W_i[o, t] = G[t, i·out.C + o].
		xp, bs := scratch[:np], scratch[np:np+M2*q]
		r, oW := st.kw*st.in.C, st.out.W
		G := tmp[:r*q]
		for s := range n {
			padImage(st, xp, x[s*ni:(s+1)*ni])
			clear(bs)
			ds := dy[s*no : (s+1)*no]
			for i := range st.kh {
				for oh := range st.out.H {
					for ow := range oW {
						g := oh*Wp + ow + i*Wp
						copy(bs[g*q+i*co:g*q+(i+1)*co], ds[(oh*oW+ow)*co:(oh*oW+ow+1)*co])
					}
				}
			}
			igemm.SgemmSliding(true, false, r, q, M2, 1, xp[slideOff(st):], st.in.C, bs, q, float32(min(s, 1)), G, q)
		}
		for i := range st.kh {
			for t := range r {
				for o := range co {
					g[o*st.k+i*r+t] = G[t*q+i*co+o]
				}
			}
		}
		return
	}
	switch {
	case stridedWeightGrad(st, scratch, gT, dy, x, n):
	case ok && np+M*co <= len(scratch):
		xp, dp := scratch[:np], scratch[np:np+M*co]
		C, r, oW := st.in.C, st.kw*st.in.C, st.out.W
		rb := igemm.SgemmInPlaceRows(co)
		if rb <= 0 {
			rb = r
		}
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
				// Row blocks that read ∂/∂Z in place (no packing of it per block of rows:
				// 1.1–1.5× on the 28×28 and 14×14 shapes).
				for t0 := 0; t0 < r; t0 += rb {
					igemm.SgemmSliding(true, false, min(rb, r-t0), co, M, 1, xp[i*Wp*C+slideOff(st)+t0:], C, dp, co, beta, gT[(i*r+t0)*co:], co)
				}
			}
		}
	default:
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
