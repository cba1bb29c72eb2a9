package nn

import "math"

// LayerNormEps is the ε of LayerNorm: u = (h − mean h)/√(var h + ε).
const LayerNormEps = 1e-5

// LayerNorm normalises each row of h (rows × width, row-major) to zero mean and unit
// variance without an affine part, u = (h − μ)/√(σ² + ε) with ε = LayerNormEps, writing u
// into dst and 1/√(σ² + ε) of each row into inv (len rows). dst may alias h.
func LayerNorm(dst, inv, h []float64, width int) {
	if len(dst) != len(h) || len(h) != len(inv)*width {
		panic("nn: LayerNorm: need len(dst) = len(h) = len(inv)·width")
	}
	for r := range inv {
		row := h[r*width : r*width+width]
		var mu float64
		for _, v := range row {
			mu += v
		}
		mu /= float64(width)
		var va float64
		for _, v := range row {
			va += (v - mu) * (v - mu)
		}
		s := 1 / math.Sqrt(va/float64(width)+LayerNormEps)
		inv[r] = s
		out := dst[r*width : r*width+width]
		for i, v := range row {
			out[i] = (v - mu) * s
		}
	}
}

// LayerNormBackward turns the gradient du of the LayerNorm output u (computed by
// LayerNorm with the returned inv) into the gradient of its input,
//
//	dh = inv·(du − mean(du) − u·mean(du ⊙ u))   per row,
//
// and adds it to dh if accumulate is true (writes it otherwise).
func LayerNormBackward(dh, du, u, inv []float64, width int, accumulate bool) {
	if len(dh) != len(du) || len(du) != len(u) || len(u) != len(inv)*width {
		panic("nn: LayerNormBackward: mismatched lengths")
	}
	for r, s := range inv {
		g, ur := du[r*width:r*width+width], u[r*width:r*width+width]
		var m1, m2 float64
		for i, v := range g {
			m1 += v
			m2 += v * ur[i]
		}
		m1 /= float64(width)
		m2 /= float64(width)
		out := dh[r*width : r*width+width]
		for i, v := range g {
			d := s * (v - m1 - ur[i]*m2)
			if accumulate {
				out[i] += d
			} else {
				out[i] = d
			}
		}
	}
}
