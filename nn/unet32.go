package nn

import (
	"math"

	isilu "github.com/sdeml/sdeml/internal/silu"
)

// The float32 kernels of the U-Net layers (customLayer32), for the mixed-precision path of
// a Graph. Each follows its float64 kernel: GroupNorm's statistics and normalisation,
// SiLU (with a fast exponential), and Fourier's features are formed in float64 from the
// float32 inputs and rounded once; ScaleShift runs in float32; Channels moves values; every parameter-gradient and
// per-sample sum over pixels is a float64 sum.

// forward32 is GroupNorm's forward on float32 values: the float64 kernel's results
// (groupNormForward) rounded once.
func (l GroupNorm) forward32(in []Shape, w []float64, _ []float32, x [][]float32, y []float32, keep []float64, n int) {
	groupNormForward(l, in[0], w, x[0], y, keep, n)
}

// backward32 is GroupNorm.backward on float32 values, dx rounded once.
func (l GroupNorm) backward32(in []Shape, _ int, w []float64, _ []float32, x [][]float32, _, dy []float32, keep []float64, dx []float32, gw []float64, n int) {
	groupNormBackward(l, in[0], w, x[0], dy, keep, dx, gw, n)
}

// keepSize32 keeps σ(x) of every value for the backward pass (one exp per value instead
// of two).
func (SiLU) keepSize32(in []Shape) int { return in[0].Size() }

// forward32 is SiLU in float64 from the float32 input with the fast exponential of
// internal/silu (relative error below silu.ExpErr, AVX2 or Go, the same bits), rounded
// once; it keeps σ(x) = 1/(1 + e^{−x}) in float64 and forms y = x·σ(x) from it.
func (SiLU) forward32(_ []Shape, _ []float64, _ []float32, x [][]float32, y []float32, keep []float64, _ int) {
	isilu.Forward(y, keep[:len(y)], x[0][:len(y)])
}

// infer32 is forward32 without keeping σ (the same y, internal/silu.Apply), for passes
// without a backward pass.
func (SiLU) infer32(x [][]float32, y []float32) {
	isilu.Apply(y, x[0][:len(y)])
}

// backward32 is SiLU's derivative product in float64 from the kept σ(x), rounded once
// (internal/silu).
func (SiLU) backward32(_ []Shape, _ int, _ []float64, _ []float32, x [][]float32, _, dy []float32, keep []float64, dx []float32, _ []float64, _ int) {
	if dx == nil {
		return
	}
	isilu.Backward(dx, dy[:len(dx)], keep[:len(dx)], x[0][:len(dx)])
}

// forward32 is ScaleShift in float32: y = h·(1 + γ) + β.
func (ScaleShift) forward32(in []Shape, _ []float64, _ []float32, x [][]float32, y []float32, _ []float64, n int) {
	C, size := in[0].C, in[0].Size()
	for i := range n {
		h, ys, m := x[0][i*size:(i+1)*size], y[i*size:(i+1)*size], x[1][i*2*C:(i+1)*2*C]
		for p := 0; p < size; p += C {
			hr, yr := h[p:p+C], ys[p:p+C]
			for c := range hr {
				yr[c] = hr[c]*(1+m[c]) + m[C+c]
			}
		}
	}
}

// backward32: ∂/∂h = ∂/∂y·(1 + γ) in float32; ∂/∂γ_c = Σ_p ∂/∂y·h and ∂/∂β_c = Σ_p ∂/∂y
// summed in float64, rounded once.
func (ScaleShift) backward32(in []Shape, k int, _ []float64, _ []float32, x [][]float32, _, dy []float32, _ []float64, dx []float32, _ []float64, n int) {
	if dx == nil {
		return
	}
	C, size := in[0].C, in[0].Size()
	for i := range n {
		h, ds, m := x[0][i*size:(i+1)*size], dy[i*size:(i+1)*size], x[1][i*2*C:(i+1)*2*C]
		if k == 0 {
			d := dx[i*size : (i+1)*size]
			for p := 0; p < size; p += C {
				dr, sr := d[p:p+C], ds[p:p+C]
				for c := range dr {
					dr[c] = sr[c] * (1 + m[c])
				}
			}
			continue
		}
		scaleShiftSums32(dx[i*2*C:(i+1)*2*C], ds, h, C)
	}
}

// scaleShiftSums32 sets d[c] = Σ_p ∂y·h and d[C+c] = Σ_p ∂y over the pixels p of one
// sample (rows of C channels), float64 sums in pixel order rounded once: ScaleShift's
// ∂/∂γ and ∂/∂β, the float64 kernel's sums. The rows are read in memory order, blocks of
// up to 128 channels summed at once.
func scaleShiftSums32(d, ds, h []float32, C int) {
	const blk = 128
	var acc [2 * blk]float64
	for c0 := 0; c0 < C; c0 += blk {
		cb := min(blk, C-c0)
		sg, sb := acc[:cb], acc[blk:blk+cb]
		clear(sg)
		clear(sb)
		for p := c0; p < len(ds); p += C {
			dr, hr := ds[p:p+cb], h[p:p+cb]
			hr = hr[:len(dr)]
			for c, v := range dr {
				x := float64(v)
				sg[c] += x * float64(hr[c])
				sb[c] += x
			}
		}
		for c := range cb {
			d[c0+c], d[C+c0+c] = float32(sg[c]), float32(sb[c])
		}
	}
}

// forward32 is Fourier's features in float64 from the float32 input, rounded once.
func (l Fourier) forward32(in []Shape, _ []float64, _ []float32, x [][]float32, y []float32, _ []float64, n int) {
	F := l.Freqs
	for q, v32 := range x[0][:n*in[0].Size()] {
		v := float64(v32)
		o := y[q*(1+2*F) : (q+1)*(1+2*F)]
		o[0] = v32
		for j := 1; j <= F; j++ {
			s, c := math.Sincos(l.omega(j) * v)
			o[2*j-1], o[2*j] = float32(s), float32(c)
		}
	}
}

// backward32: ∂/∂v = ∂y₀ + Σ_j ω_j·(cos(ω_j v)·∂sin_j − sin(ω_j v)·∂cos_j) in float64
// (sin and cos recomputed from v), rounded once.
func (l Fourier) backward32(in []Shape, _ int, _ []float64, _ []float32, x [][]float32, _, dy []float32, _ []float64, dx []float32, _ []float64, n int) {
	if dx == nil {
		return
	}
	F := l.Freqs
	for q, v32 := range x[0][:n*in[0].Size()] {
		v := float64(v32)
		d := dy[q*(1+2*F) : (q+1)*(1+2*F)]
		s := float64(d[0])
		for j := 1; j <= F; j++ {
			om := l.omega(j)
			sn, cs := math.Sincos(om * v)
			s += om * (cs*float64(d[2*j-1]) - sn*float64(d[2*j]))
		}
		dx[q] = float32(s)
	}
}

// forward32 is Channels on float32 values.
func (l Channels) forward32(in []Shape, _ []float64, _ []float32, x [][]float32, y []float32, _ []float64, n int) {
	C, k := in[0].C, l.To-l.From
	for p := range n * in[0].H * in[0].W {
		copy(y[p*k:(p+1)*k], x[0][p*C+l.From:p*C+l.To])
	}
}

// backward32 is Channels' backward on float32 values.
func (l Channels) backward32(in []Shape, _ int, _ []float64, _ []float32, _ [][]float32, _, dy []float32, _ []float64, dx []float32, _ []float64, n int) {
	if dx == nil {
		return
	}
	C, k := in[0].C, l.To-l.From
	for p := range n * in[0].H * in[0].W {
		d := dx[p*C : (p+1)*C]
		clear(d)
		copy(d[l.From:l.To], dy[p*k:(p+1)*k])
	}
}
