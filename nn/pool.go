package nn

import (
	"iter"
	"math"

	"github.com/sdeml/sdeml/internal/maxpool"
)

// maxPool writes the window maxima of one sample x (H×W×C) into y (outH×outW×C) and the
// index in x of each maximum (the first one in window order) into arg. A NaN in a window
// makes its maximum NaN (its first NaN, as arg).
func (st *stage) maxPool(y []float64, arg []int32, x []float64) { maxPoolT(st, y, arg, x) }

// maxPoolT is stage.maxPool for float32 or float64 values.
func maxPoolT[T float32 | float64](st *stage, y []T, arg []int32, x []T) {
	C, W := st.in.C, st.in.W
	for p, base := range st.windows() {
		yo, ao := y[p*C:(p+1)*C], arg[p*C:(p+1)*C]
		for c := range yo {
			m, at := x[base+c], base+c
			for i := 0; i < st.kh && m == m; i++ {
				for q := base + i*W*C + c; q < base+(i*W+st.kw)*C; q += C {
					if v := x[q]; v > m || v != v {
						m, at = v, q
						if v != v {
							break
						}
					}
				}
			}
			yo[c], ao[c] = m, int32(at)
		}
	}
}

// windows yields, for every output position p of a pooling stage in order, the index in
// the input (H×W×C) of the first entry of its window.
func (st *stage) windows() iter.Seq2[int, int] {
	return func(yield func(p, base int) bool) {
		p := 0
		for oh := 0; oh < st.out.H; oh++ {
			for ow := 0; ow < st.out.W; ow++ {
				if !yield(p, (oh*st.stride*st.in.W+ow*st.stride)*st.in.C) {
					return
				}
				p++
			}
		}
	}
}

// maxPoolReLU is maxPool of the activations max(z + b[c], 0) of a fused ReLU convolution
// (stage.fused), computed on the fly from the sample's pre-activations without the bias
// z (H×W×C), with the bits of maxPool applied to those activations (NaN aside, whose
// payload is not kept): the sum z + b is rounded as the convolution's own bias addition
// is, and a NaN in a window is its maximum. The backward pass (maxPoolBack with relu set)
// applies ReLU' at the maxima.
//
// The activations are compared on their bits (maxpool.ReLUBits), which order as the values
// do: the compiler turns the comparisons into conditional moves, where the comparison of
// pre-activations is too unpredictable for a branch.
func (st *stage) maxPoolReLU(y []float64, arg []int32, z, b []float64) {
	if st.kh == 2 && st.kw == 2 {
		st.maxPoolReLU2(y, arg, z, b)
		return
	}
	C, W := st.in.C, st.in.W
	b = b[:C]
	for p, base := range st.windows() {
		yo, ao := y[p*C:(p+1)*C], arg[p*C:(p+1)*C]
		yo, ao = yo[:len(b)], ao[:len(b)]
		for c, bc := range b {
			best, at := uint64(0), base+c // all activations +0: the first entry
			for i := 0; i < st.kh; i++ {
				for q := base + i*W*C + c; q < base+(i*W+st.kw)*C; q += C {
					if u := maxpool.ReLUBits(z[q] + bc); u > best {
						best, at = u, q
					}
				}
			}
			yo[c], ao[c] = math.Float64frombits(best), int32(at)
		}
	}
}

// maxPoolReLU2 is maxPoolReLU for 2×2 windows (any stride), one output row at a time
// through internal/maxpool (AVX-512 or AVX2 where available, the same bits everywhere).
func (st *stage) maxPoolReLU2(y []float64, arg []int32, z, b []float64) {
	C, W, oW := st.in.C, st.in.W, st.out.W
	for oh := 0; oh < st.out.H; oh++ {
		base := oh * st.stride * W * C
		maxpool.ReLUMax2x2(y[oh*oW*C:], arg[oh*oW*C:], z[base:], b,
			maxpool.Row{N: oW, C: C, RowStride: W * C, Step: st.stride * C, Index: base})
	}
}

// maxPoolR is the R-operator of a max pool, linear through the argmax of the forward
// pass: ry[q] = rx[arg[q]], with rx the direction of the pool's input; with y set (the
// pool of a fused ReLU convolution, rx = R{z}), ry[q] = 0 where the maximum y[q] is not
// positive (ReLU' = 0 there).
func (st *stage) maxPoolR(ry, rx, y []float64, arg []int32) {
	ry = ry[:st.out.Size()]
	arg = arg[:len(ry)]
	for q, a := range arg {
		v := rx[a]
		if y != nil && !(y[q] > 0) {
			v = 0
		}
		ry[q] = v
	}
}

// maxPoolBack sets dx to the gradient of one sample's max pool: dy[q] is added at arg[q].
// With relu set (the pool of a fused ReLU convolution, y its output), dx is the gradient
// with respect to the convolution's pre-activations: the windows whose maximum y[q] is
// not positive send nothing (ReLU' = 0 there, as in scaleByDerivative). Windows that share
// an argmax share its value, so they agree on that. Non-overlapping 2×2 windows go through
// internal/maxpool (AVX-512 or AVX2 where available, the same bits).
func (st *stage) maxPoolBack(dx, dy, y []float64, arg []int32, relu bool) {
	if relu && st.kh == 2 && st.kw == 2 && st.stride == 2 {
		st.maxPoolReLU2Back(dx, dy, y, arg)
		return
	}
	clear(dx[:st.in.Size()])
	dy = dy[:st.out.Size()]
	arg = arg[:len(dy)]
	if !relu {
		for q, v := range dy {
			dx[arg[q]] += v
		}
		return
	}
	y = y[:len(dy)]
	for q, v := range dy {
		var keep uint64
		if u := math.Float64bits(y[q]); u-1 < 0x7FF0000000000000 { // 0 < y[q] <= +Inf
			keep = ^uint64(0)
		}
		dx[arg[q]] += math.Float64frombits(math.Float64bits(v) & keep)
	}
}

// maxPoolReLU2Back is maxPoolBack with relu for 2×2 windows with stride 2, one output row
// at a time: the windows are written whole, so only an odd last row or column of the
// input, which no window covers, needs clearing.
func (st *stage) maxPoolReLU2Back(dx, dy, y []float64, arg []int32) {
	C, W, oW := st.in.C, st.in.W, st.out.W
	if st.in.H != 2*st.out.H || W != 2*oW {
		clear(dx[:st.in.Size()])
	}
	for oh := 0; oh < st.out.H; oh++ {
		base := 2 * oh * W * C
		maxpool.ReLUMax2x2Back(dx[base:], dy[oh*oW*C:], y[oh*oW*C:], arg[oh*oW*C:],
			maxpool.Row{N: oW, C: C, RowStride: W * C, Step: 2 * C, Index: base})
	}
}

// avgPool writes the window means of one sample x (H×W×C) into y (outH×outW×C).
func (st *stage) avgPool(y, x []float64) { avgPoolT(st, y, x) }

// avgPoolBack sets dx to the gradient of one sample's average pool: every input value of a
// window receives dy/(Size²) of that window, windows taken in output order.
func (st *stage) avgPoolBack(dx, dy []float64) { avgPoolBackT(st, dx, dy) }

// avgPoolT is stage.avgPool for float32 or float64 values (the window sum in T).
func avgPoolT[T float32 | float64](st *stage, y, x []T) {
	C, W := st.in.C, st.in.W
	inv := 1 / T(st.kh*st.kw)
	for p, base := range st.windows() {
		yo := y[p*C : (p+1)*C]
		clear(yo)
		for i := 0; i < st.kh; i++ {
			for j := 0; j < st.kw; j++ {
				xr := x[base+(i*W+j)*C : base+(i*W+j+1)*C]
				xr = xr[:len(yo)]
				for c, v := range xr {
					yo[c] += v
				}
			}
		}
		for c := range yo {
			yo[c] *= inv
		}
	}
}

// avgPoolBackT is stage.avgPoolBack for float32 or float64 values.
func avgPoolBackT[T float32 | float64](st *stage, dx, dy []T) {
	C, W := st.in.C, st.in.W
	clear(dx[:st.in.Size()])
	inv := 1 / T(st.kh*st.kw)
	for p, base := range st.windows() {
		g := dy[p*C : (p+1)*C]
		for i := 0; i < st.kh; i++ {
			for j := 0; j < st.kw; j++ {
				d := dx[base+(i*W+j)*C : base+(i*W+j+1)*C]
				d = d[:len(g)]
				for c, v := range g {
					d[c] += v * inv
				}
			}
		}
	}
}
