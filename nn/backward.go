package nn

import (
	"fmt"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// Backward writes into grad (len NumParams) the vector-Jacobian product
//
//	grad = Σ_i Σ_k dOut[i,k] ∂f_k(x_i)/∂w,
//
// for the batch of the preceding Forward on ws with the same w (whose input x must not
// have changed since, as ws refers to it). The caller scales dOut
// (e.g. by 1/B for a mean loss). Entries with a false Mask get exactly 0. It is computed
// by reverse-mode recursion δ_L = dOut⊙σ'(z_L), δ_{l-1} = (δ_l W_l)⊙σ'(z_{l-1}),
// ∂/∂W_l = δ_lᵀ A_{l-1}, ∂/∂b_l = δ_lᵀ1, all as batched matrix products.
func (m *MLP) Backward(grad []float64, w []float64, dOut *mat.Dense, ws *Workspace) {
	m.BackwardInput(nil, grad, w, dOut, ws)
}

// BackwardInput is Backward that also writes, unless dX is nil, the input gradient
// dX[i,:] = Σ_k dOut[i,k] ∂f_k(x_i)/∂x_i (B×InDim). grad may be nil to skip the
// parameter gradient.
func (m *MLP) BackwardInput(dX *mat.Dense, grad []float64, w []float64, dOut *mat.Dense, ws *Workspace) {
	var dx blas64.General
	if dX != nil {
		dx = dX.RawMatrix()
		if dx.Rows != ws.batch || dx.Cols != m.Sizes[0] {
			panic(fmt.Sprintf("nn: dX is %d×%d, want %d×%d", dx.Rows, dx.Cols, ws.batch, m.Sizes[0]))
		}
	}
	m.backward(grad, false, dx, w, dOut.RawMatrix(), ws)
}

// backward runs the reverse pass for the last forward on ws. It stores δ_l in ws.d.
// If grad is non-nil the parameter gradient is written (accumulate=false) or added
// (accumulate=true) into it. If dx.Data is non-nil the input gradient is written there.
func (m *MLP) backward(grad []float64, accumulate bool, dx blas64.General, w []float64, dOut blas64.General, ws *Workspace) {
	m.checkParams(w)
	ws.check(m)
	L := m.NumLayers()
	B := ws.batch
	outW := m.Sizes[L]
	if dOut.Rows != B || dOut.Cols != outW {
		panic(fmt.Sprintf("nn: dOut is %d×%d, want %d×%d", dOut.Rows, dOut.Cols, B, outW))
	}
	if grad != nil && len(grad) != len(w) {
		panic(fmt.Sprintf("nn: len(grad) = %d, want %d", len(grad), len(w)))
	}
	weights := m.effective(ws, w)
	d := general(B, outW, ws.d[L-1])
	for i := 0; i < B; i++ {
		copy(d.Data[i*outW:(i+1)*outW], dOut.Data[i*dOut.Stride:i*dOut.Stride+outW])
	}
	beta := 0.0
	if accumulate {
		beta = 1
	}
	off := len(w)
	for l := L - 1; l >= 0; l-- {
		in, out := m.Sizes[l], m.Sizes[l+1]
		off -= out * (in + 1)
		m.activation(l).scaleByDerivative(ws.d[l][:B*out], ws.z[l][:B*out], ws.a[l][:B*out])
		d := general(B, out, ws.d[l])
		prev := ws.in
		if l > 0 {
			prev = general(B, in, ws.a[l-1])
		}
		if grad != nil {
			gemm(blas.Trans, blas.NoTrans, 1, d, prev, beta, general(out, in, grad[off:]))
			gb := grad[off+out*in : off+out*(in+1)]
			if !accumulate {
				clear(gb)
			}
			for i := 0; i < B; i++ {
				row := d.Data[i*out : (i+1)*out]
				for j, v := range row {
					gb[j] += v
				}
			}
		}
		W := general(out, in, weights[off:])
		if l > 0 {
			gemm(blas.NoTrans, blas.NoTrans, 1, d, W, 0, general(B, in, ws.d[l-1]))
		} else if dx.Data != nil {
			gemm(blas.NoTrans, blas.NoTrans, 1, d, W, 0, dx)
		}
	}
	if grad != nil && m.Mask != nil {
		for i, keep := range m.Mask {
			if !keep {
				grad[i] = 0
			}
		}
	}
}
