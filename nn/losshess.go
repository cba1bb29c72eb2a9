package nn

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas/blas64"
)

// SecondOrderLoss is a Loss that can also multiply by its Hessian in the network output,
// ∇²_o ℓ(o, t). Supervised.HVP is exact for such losses (SoftmaxCE and MSE are).
type SecondOrderLoss interface {
	Loss
	// HessVec writes scale·∇²_o ℓ(out_k, t_{idx[k]}) dir_k into row k of dst for every row
	// k of out. dst must not share memory with out or dir.
	HessVec(dst blas64.General, scale float64, out, dir blas64.General, d *Dataset, idx []int)
}

// checkHessVec panics unless dst, out and dir have the same shape and idx one entry per row.
func checkHessVec(dst, out, dir blas64.General, idx []int) {
	if dst.Rows != out.Rows || dst.Cols != out.Cols || dir.Rows != out.Rows || dir.Cols != out.Cols || len(idx) != out.Rows {
		panic(fmt.Sprintf("nn: HessVec shapes dst %d×%d, out %d×%d, dir %d×%d, len(idx) %d",
			dst.Rows, dst.Cols, out.Rows, out.Cols, dir.Rows, dir.Cols, len(idx)))
	}
}

// HessVec implements SecondOrderLoss. The Hessian of the softmax cross-entropy in the
// logits is diag(p) − ppᵀ with p = softmax(o) (it does not depend on the label), so
//
//	∇²_o ℓ · r = p ⊙ (r − (pᵀr)·1).
func (SoftmaxCE) HessVec(dst blas64.General, scale float64, out, dir blas64.General, d *Dataset, idx []int) {
	checkHessVec(dst, out, dir, idx)
	K := out.Cols
	for r := 0; r < out.Rows; r++ {
		o := out.Data[r*out.Stride : r*out.Stride+K]
		u := dir.Data[r*dir.Stride : r*dir.Stride+K]
		p := dst.Data[r*dst.Stride : r*dst.Stride+K]
		mx := o[0]
		for _, v := range o[1:] {
			mx = max(mx, v)
		}
		s := 0.0
		for k, v := range o {
			p[k] = math.Exp(v - mx)
			s += p[k]
		}
		pu := 0.0
		for k := range p {
			p[k] /= s
			pu += p[k] * u[k]
		}
		for k := range p {
			p[k] = scale * p[k] * (u[k] - pu)
		}
	}
}

// HessVec implements SecondOrderLoss: the Hessian of ½‖o − y‖² is the identity, so
// ∇²_o ℓ · r = r.
func (MSE) HessVec(dst blas64.General, scale float64, out, dir blas64.General, d *Dataset, idx []int) {
	checkHessVec(dst, out, dir, idx)
	K := out.Cols
	for r := 0; r < out.Rows; r++ {
		u := dir.Data[r*dir.Stride : r*dir.Stride+K]
		g := dst.Data[r*dst.Stride : r*dst.Stride+K]
		for k, v := range u {
			g[k] = scale * v
		}
	}
}
