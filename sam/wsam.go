package sam

import (
	"fmt"
	"math"

	"github.com/sdeml/sdeml/nn"
)

// WSAM is weighted-sharpness SAM (Yue et al., KDD 2023): the loss plus the SAM sharpness
// f(w + ε) − f(w) weighted by γ/(1−γ) as a regulariser,
//
//	L(w) = f(w) + (γ/(1−γ))·[f(w + ε) − f(w)],   ε = ρ g/(‖g‖ + eps),  g = ∇f_γ(w),
//	d = g + (γ/(1−γ))·(g_p − g),   g_p = ∇f_γ(w + ε),
//	w ← Base.Update(w, clip(d)).
//
// γ = 1/2 is SAM (d = g_p); γ → 0 is the base optimizer alone. The default γ = 0.9 (Gamma
// = 0) is pytorch_optimizer's, so the sharpness gradient g_p − g enters with weight 9 (to
// first order WSAM at ρ is SAM at 9ρ; docs/derivations/sam-variants.md).
//
// This is the coupled form: one direction handed to Base. The reference implementations
// default to a decoupled form that lets Base step with g and then subtracts
// lr·(γ/(1−γ))·(g_p − g) from w outside Base; for plain SGD without momentum or weight decay
// the two coincide, with momentum or Adam they differ (the sharpness term then is not
// accumulated in the momentum or preconditioned).
//
// Step costs 2 passes over the batch (1 if ε = 0: ρ = 0 or g = 0).
type WSAM struct {
	// Base applies d at the unperturbed w.
	Base Updater
	// Rho is ρ >= 0.
	Rho float64
	// Gamma is γ in [0, 1) (0 means the default 0.9).
	Gamma float64
	// Eps is added to ‖g‖ in ε (0: 1e-12; negative: none).
	Eps float64
	// ClipNorm > 0 clips d; AscentClipNorm > 0 clips g before it forms ε (Euclidean norms).
	ClipNorm, AscentClipNorm float64

	v pair
}

// Step takes one WSAM step; see WSAM.
func (s *WSAM) Step(w []float64, obj nn.Objective, batch []int) (float64, error) {
	if math.IsNaN(s.Gamma) || s.Gamma < 0 || s.Gamma >= 1 {
		return 0, fmt.Errorf("sam: WSAM.Gamma = %v must be in [0, 1)", s.Gamma)
	}
	gamma := orDefaultPos(s.Gamma, 0.9)
	v := &s.v
	loss, err := v.begin("WSAM", s.Base, s.Rho, s.Eps, s.ClipNorm, s.AscentClipNorm, w, obj, batch)
	if err != nil {
		return loss, err
	}
	if _, err := v.ascend(v.sc.g, w, obj, batch); err != nil {
		return loss, err
	}
	a := gamma / (1 - gamma)
	for i, g := range v.sc.g {
		v.d[i] = g + a*(v.gp[i]-g)
	}
	return v.finish(s.Base, s.ClipNorm, w, loss)
}

// LastCost returns the cost of the last Step: two passes over the batch.
func (s *WSAM) LastCost() Cost { return s.v.cost }

// MarshalState returns the state of Base (WSAM keeps none of its own).
func (s *WSAM) MarshalState() ([]byte, error) { return baseState("WSAM", s.Base) }

// UnmarshalState restores the state of Base.
func (s *WSAM) UnmarshalState(b []byte) error { return restoreBase("WSAM", s.Base, b) }
