package nn

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
)

// HessianVectorProducer is an Objective with an exact Hessian-vector product:
// HVP writes H(w)v, the Hessian of the mean loss (1/|idx|)Σ_{i∈idx} ℓᵢ at w applied to v,
// into dst (all of length Dim()). Like LossGrad it must be safe for concurrent use with
// distinct dst. *Supervised implements it by the R-operator.
type HessianVectorProducer interface {
	Objective
	HVP(dst, w, v []float64, idx []int)
}

// Hessian computes Hessian-vector products H(w)v of an Objective's mean loss over a batch.
// If Obj is a HessianVectorProducer (as *Supervised is) and Difference is false, MulVec
// is Obj's exact HVP and Step is unused. Otherwise it uses central differences of
// gradients along the unit direction u = v/‖v‖:
//
//	H(w)v ≈ ‖v‖ · [∇L(w + h u) − ∇L(w − h u)] / (2h),
//
// whose error is h²/6·‖∇³L[u,u,·]‖ (truncation) plus about ε‖∇L‖/h (rounding of the two
// gradients), minimised at h ∝ ε^{1/3}. The default step is h = ε^{1/3}·(1 + ‖w‖_∞) with ε
// the float64 machine epsilon: the cube-root balance for O(1) curvature scales, enlarged
// with the magnitude of w so that w ± h u is not dominated by the rounding of w itself.
// On ReLU networks the difference is only meaningful if no pre-activation changes sign
// within the step; across kinks it mixes the curvature of neighbouring activation regions
// with jumps of the gradient divided by 2h.
//
// A Hessian reuses its buffers and does not allocate after the first call; it must not
// be used by two goroutines at once.
type Hessian struct {
	// Obj is the objective whose Hessian is applied.
	Obj Objective
	// Step is the step h of the central-difference path; 0 means the default
	// ε^{1/3}(1 + ‖w‖_∞).
	Step float64
	// Difference forces central differences even if Obj has an exact HVP.
	Difference bool

	wp, gp, gm []float64
}

// MulVec writes H(w)v into dst, the Hessian of Obj's mean loss over the samples idx.
func (h *Hessian) MulVec(dst, w, v []float64, idx []int) {
	n := h.Obj.Dim()
	if len(dst) != n || len(w) != n || len(v) != n {
		panic(fmt.Sprintf("nn: Hessian.MulVec lengths dst %d, w %d, v %d, want %d", len(dst), len(w), len(v), n))
	}
	if e, ok := h.Obj.(HessianVectorProducer); ok && !h.Difference {
		e.HVP(dst, w, v, idx)
		return
	}
	h.difference(dst, w, v, idx)
}

// difference is MulVec by central differences of gradients.
func (h *Hessian) difference(dst, w, v []float64, idx []int) {
	n := h.Obj.Dim()
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
// into dst: obj's exact HVP if it is a HessianVectorProducer, otherwise central
// differences with the default step of Hessian (allocating three Dim()-length buffers;
// use a Hessian value to reuse them).
func HVP(dst []float64, obj Objective, w, v []float64, idx []int) {
	if e, ok := obj.(HessianVectorProducer); ok {
		e.HVP(dst, w, v, idx)
		return
	}
	(&Hessian{Obj: obj}).MulVec(dst, w, v, idx)
}
