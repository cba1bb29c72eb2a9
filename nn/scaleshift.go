package nn

import (
	"fmt"
	"math/rand/v2"
)

// ScaleShift conditions a feature map on a vector (feature-wise linear modulation, the way
// a diffusion U-Net injects the noise-level embedding into every block). Its inputs are h
// (C×H×W) and m (2C×1×1, e.g. a Dense layer of the embedding); with γ = m[0:C] and
// β = m[C:2C],
//
//	y_{p,c} = h_{p,c}·(1 + γ_c) + β_c    at every pixel p.
//
// A zero m leaves h unchanged. No parameters. A Graph layer taking two inputs.
type ScaleShift struct{}

func (ScaleShift) layerName() string { return "ScaleShift" }
func (ScaleShift) arity() (int, int) { return 2, 2 }
func (ScaleShift) keepSize([]Shape) int {
	return 0
}
func (ScaleShift) initParams([]Shape, []float64, *rand.Rand) {
	panic("nn: ScaleShift has no parameters")
}

func (ScaleShift) compile(in []Shape) (Shape, int, error) {
	if in[1].Size() != 2*in[0].C {
		return Shape{}, 0, fmt.Errorf("input 1 has shape %v (%d values), want 2·C = %d values for input 0 of shape %v", in[1], in[1].Size(), 2*in[0].C, in[0])
	}
	return in[0], 0, nil
}

func (ScaleShift) forward(in []Shape, _ []float64, x [][]float64, y, _ []float64, n int) {
	C, size := in[0].C, in[0].Size()
	for i := range n {
		h, ys, m := x[0][i*size:(i+1)*size], y[i*size:(i+1)*size], x[1][i*2*C:(i+1)*2*C]
		for p := 0; p < size; p += C {
			for c := range C {
				ys[p+c] = h[p+c]*(1+m[c]) + m[C+c]
			}
		}
	}
}

// backward: ∂/∂h = ∂/∂y·(1 + γ); ∂/∂γ_c = Σ_p ∂/∂y·h, ∂/∂β_c = Σ_p ∂/∂y.
func (ScaleShift) backward(in []Shape, k int, _ []float64, x [][]float64, _, dy, _, dx, _ []float64, n int) {
	if dx == nil {
		return
	}
	C, size := in[0].C, in[0].Size()
	for i := range n {
		h, ds, m := x[0][i*size:(i+1)*size], dy[i*size:(i+1)*size], x[1][i*2*C:(i+1)*2*C]
		if k == 0 {
			d := dx[i*size : (i+1)*size]
			for p := 0; p < size; p += C {
				for c := range C {
					d[p+c] = ds[p+c] * (1 + m[c])
				}
			}
			continue
		}
		d := dx[i*2*C : (i+1)*2*C]
		clear(d)
		for p := 0; p < size; p += C {
			for c := range C {
				d[c] += ds[p+c] * h[p+c]
				d[C+c] += ds[p+c]
			}
		}
	}
}
