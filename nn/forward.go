package nn

import (
	"fmt"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// Forward computes the network output f(x_i) for every row x_i of x (B×InDim) and
// writes it to row i of dst (B×OutDim). It keeps the intermediate values in ws for a
// following Backward. Each layer is one matrix product Z_l = A_{l-1}W_lᵀ + 1b_lᵀ.
func (m *MLP) Forward(dst *mat.Dense, w []float64, x *mat.Dense, ws *Workspace) {
	out := m.forward(ws, w, x.RawMatrix())
	r, c := dst.Dims()
	if r != out.Rows || c != out.Cols {
		panic(fmt.Sprintf("nn: Forward dst is %d×%d, want %d×%d", r, c, out.Rows, out.Cols))
	}
	raw := dst.RawMatrix()
	for i := 0; i < out.Rows; i++ {
		copy(raw.Data[i*raw.Stride:i*raw.Stride+c], out.Data[i*c:(i+1)*c])
	}
}

// forward runs the batched forward pass on x and returns a view of the output a_L.
func (m *MLP) forward(ws *Workspace, w []float64, x blas64.General) blas64.General {
	m.checkParams(w)
	ws.check(m)
	if x.Cols != m.Sizes[0] {
		panic(fmt.Sprintf("nn: input has %d columns, want %d", x.Cols, m.Sizes[0]))
	}
	B := x.Rows
	ws.ensure(B)
	ws.batch = B
	ws.in = x
	ws.weights = m.effective(ws, w)
	w = ws.weights
	prev := x
	off := 0
	for l := 0; l < m.NumLayers(); l++ {
		in, outW := m.Sizes[l], m.Sizes[l+1]
		W := general(outW, in, w[off:])
		b := w[off+outW*in : off+outW*(in+1)]
		off += outW * (in + 1)
		z := general(B, outW, ws.z[l])
		for i := 0; i < B; i++ {
			copy(z.Data[i*outW:(i+1)*outW], b)
		}
		gemm(blas.NoTrans, blas.Trans, 1, prev, W, 1, z)
		a := general(B, outW, ws.a[l])
		m.activation(l).apply(a.Data, z.Data)
		prev = a
	}
	return prev
}

// effective returns the parameters the network computes with: w itself, or w⊙Mask
// (stored in ws) for a masked network.
func (m *MLP) effective(ws *Workspace, w []float64) []float64 {
	if m.Mask == nil {
		return w
	}
	if len(m.Mask) != len(w) {
		panic(fmt.Sprintf("nn: len(Mask) = %d, want %d", len(m.Mask), len(w)))
	}
	if len(ws.wm) != len(w) {
		ws.wm = make([]float64, len(w))
	}
	maskTo(ws.wm, w, m.Mask)
	return ws.wm
}
