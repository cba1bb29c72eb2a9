package nn

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas/blas64"
)

// Loss is a per-sample loss ℓ(o, t) between a network output o and the target t of a
// dataset sample.
type Loss interface {
	// Check returns an error if the loss cannot be used with networks of outDim outputs
	// on the dataset d (missing or out-of-range targets).
	Check(outDim int, d *Dataset) error
	// Eval writes ℓ(out_k, t_{idx[k]}) into dst[k] for every row k of out, and, unless
	// grad.Data is nil, scale·∂ℓ/∂o evaluated at out_k into row k of grad.
	Eval(dst []float64, grad blas64.General, scale float64, out blas64.General, d *Dataset, idx []int)
}

// SoftmaxCE is the softmax cross-entropy with integer labels y ∈ {0..K-1}:
//
//	ℓ(o, y) = log Σ_k e^{o_k} − o_y,   ∂ℓ/∂o_k = softmax(o)_k − [k = y],
//
// evaluated with the max subtracted so it is finite for any finite logits.
// It uses Dataset.Labels.
//
// Smoothing ε ∈ [0, 1) is label smoothing: the target is the distribution
// q = (1−ε)·e_y + ε/K instead of e_y, so
//
//	ℓ(o, y) = log Σ_k e^{o_k} − Σ_k q_k o_k,   ∂ℓ/∂o_k = softmax(o)_k − q_k
//
// (PyTorch's CrossEntropyLoss(label_smoothing=ε)); the Hessian in o does not depend on the
// target, so HessVec is unchanged. The zero value is the plain cross-entropy.
type SoftmaxCE struct {
	Smoothing float64
}

// Check requires Labels with len(Labels) = d.Len() and every label in [0, outDim).
func (l SoftmaxCE) Check(outDim int, d *Dataset) error {
	if !(l.Smoothing >= 0 && l.Smoothing < 1) {
		return fmt.Errorf("nn: SoftmaxCE.Smoothing = %v outside [0, 1)", l.Smoothing)
	}
	if d.Labels == nil {
		return fmt.Errorf("nn: SoftmaxCE needs Dataset.Labels, got nil")
	}
	if len(d.Labels) != d.Len() {
		return fmt.Errorf("nn: len(Dataset.Labels) = %d, want %d rows", len(d.Labels), d.Len())
	}
	if outDim < 2 {
		return fmt.Errorf("nn: SoftmaxCE needs at least 2 outputs, network has %d", outDim)
	}
	for i, y := range d.Labels {
		if y < 0 || y >= outDim {
			return fmt.Errorf("nn: Dataset.Labels[%d] = %d outside [0, %d)", i, y, outDim)
		}
	}
	return nil
}

// Eval implements Loss.
func (l SoftmaxCE) Eval(dst []float64, grad blas64.General, scale float64, out blas64.General, d *Dataset, idx []int) {
	K := out.Cols
	eps := l.Smoothing
	u := eps / float64(K) // the uniform part of the target
	for r := 0; r < out.Rows; r++ {
		o := out.Data[r*out.Stride : r*out.Stride+K]
		y := d.Labels[idx[r]]
		mx := o[0]
		for _, v := range o[1:] {
			mx = max(mx, v)
		}
		s := 0.0
		for _, v := range o {
			s += math.Exp(v - mx)
		}
		lse := mx + math.Log(s)
		if eps == 0 {
			dst[r] = lse - o[y]
		} else {
			mean := 0.0
			for _, v := range o {
				mean += v
			}
			dst[r] = lse - (1-eps)*o[y] - u*mean
		}
		if grad.Data != nil {
			g := grad.Data[r*grad.Stride : r*grad.Stride+K]
			for k, v := range o {
				g[k] = scale * (math.Exp(v-lse) - u)
			}
			g[y] -= scale * (1 - eps)
		}
	}
}

// MSE is the squared error with the ½ convention, summed over outputs:
//
//	ℓ(o, y) = ½‖o − y‖²,   ∂ℓ/∂o = o − y.
//
// (PyTorch's MSELoss averages over outputs and has no ½: it equals 2ℓ/OutDim.)
// It uses Dataset.Y.
type MSE struct{}

// Check requires Y with d.Len() rows and outDim columns.
func (MSE) Check(outDim int, d *Dataset) error {
	if d.Y == nil {
		return fmt.Errorf("nn: MSE needs Dataset.Y, got nil")
	}
	r, c := d.Y.Dims()
	if r != d.Len() || c != outDim {
		return fmt.Errorf("nn: Dataset.Y is %d×%d, want %d×%d", r, c, d.Len(), outDim)
	}
	return nil
}

// Eval implements Loss.
func (MSE) Eval(dst []float64, grad blas64.General, scale float64, out blas64.General, d *Dataset, idx []int) {
	K := out.Cols
	y := d.Y.RawMatrix()
	for r := 0; r < out.Rows; r++ {
		o := out.Data[r*out.Stride : r*out.Stride+K]
		t := y.Data[idx[r]*y.Stride : idx[r]*y.Stride+K]
		s := 0.0
		for k, v := range o {
			e := v - t[k]
			s += e * e
		}
		dst[r] = 0.5 * s
		if grad.Data != nil {
			g := grad.Data[r*grad.Stride : r*grad.Stride+K]
			for k, v := range o {
				g[k] = scale * (v - t[k])
			}
		}
	}
}
