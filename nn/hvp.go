package nn

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
)

// Hessian computes Hessian-vector products H(w)v of an Objective's mean loss over a batch
// by central differences of its gradients along the unit direction u = v/‖v‖:
//
//	H(w)v ≈ ‖v‖ · [∇L(w + h u) − ∇L(w − h u)] / (2h),
//
// whose error is h²/6·‖∇³L[u,u,·]‖ (truncation) plus about ε‖∇L‖/h (rounding of the two
// gradients), minimised at h ∝ ε^{1/3}. The default step is h = ε^{1/3}·(1 + ‖w‖_∞) with ε
// the float64 machine epsilon: the cube-root balance for O(1) curvature scales, enlarged
// with the magnitude of w so that w ± h u is not dominated by the rounding of w itself.
// At ReLU kinks the product is the average of the one-sided curvatures.
//
// A Hessian reuses its buffers and does not allocate after the first call; it must not
// be used by two goroutines at once.
type Hessian struct {
	// Obj is the objective whose Hessian is applied.
	Obj Objective
	// Step is the difference step h; 0 means the default ε^{1/3}(1 + ‖w‖_∞).
	Step float64

	wp, gp, gm []float64
}

// MulVec writes H(w)v into dst, the Hessian of Obj's mean loss over the samples idx.
func (h *Hessian) MulVec(dst, w, v []float64, idx []int) {
	n := h.Obj.Dim()
	if len(dst) != n || len(w) != n || len(v) != n {
		panic(fmt.Sprintf("nn: Hessian.MulVec lengths dst %d, w %d, v %d, want %d", len(dst), len(w), len(v), n))
	}
	if len(h.wp) != n {
		h.wp = make([]float64, n)
		h.gp = make([]float64, n)
		h.gm = make([]float64, n)
	}
	nv := floats.Norm(v, 2)
	if nv == 0 {
		clear(dst)
		return
	}
	step := h.Step
	if step <= 0 {
		step = math.Cbrt(eps) * (1 + floats.Norm(w, math.Inf(1)))
	}
	s := step / nv
	floats.AddScaledTo(h.wp, w, s, v)
	h.Obj.LossGrad(h.gp, h.wp, idx)
	floats.AddScaledTo(h.wp, w, -s, v)
	h.Obj.LossGrad(h.gm, h.wp, idx)
	// The actual step is (w+sv) − (w−sv) as rounded; dividing by the nominal 2s is
	// accurate to O(ε‖w‖/(s‖v‖)), far below the rounding error of the gradients.
	floats.SubTo(dst, h.gp, h.gm)
	floats.Scale(1/(2*s), dst)
}

// eps is the float64 machine epsilon 2^-52.
const eps = 0x1p-52

// HVP writes the Hessian-vector product H(w)v of obj's mean loss over the samples idx
// into dst, with the default step of Hessian. It allocates three Dim()-length buffers;
// use a Hessian value to reuse them.
func HVP(dst []float64, obj Objective, w, v []float64, idx []int) {
	(&Hessian{Obj: obj}).MulVec(dst, w, v, idx)
}
