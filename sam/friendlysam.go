package sam

import (
	"fmt"
	"math"

	"github.com/sdeml/sdeml/internal/binfmt"
	"github.com/sdeml/sdeml/nn"
)

// FriendlySAM is F-SAM (Li et al., CVPR 2024): the ascent direction is the batch gradient
// with an estimate of the full-data gradient removed, the estimate being an exponential
// moving average of past batch gradients. With g_t = ∇f_γ(w) at step t,
//
//	t = 0:  u = g_0,              m_0 = g_0,
//	t > 0:  u = g_t − σ m_{t−1},  m_t = λ m_{t−1} + (1−λ) g_t,
//	ε = ρ u/(‖u‖ + eps),  d = ∇f_γ(w + ε),  w ← Base.Update(w, clip(d)).
//
// The full-gradient component of SAM's perturbation mostly adds to the loss along the
// descent direction and does little for flatness; the batch-specific rest carries the
// sharpness information (the paper's analysis). The EMA is of the raw gradients g_t, as in
// the authors' code (pytorch_optimizer averages u instead). m and t are state (Stateful).
//
// Defaults: σ = 1 (Sigma = 0) and λ = 0.9 (Lambda = 0), the authors' code defaults (their
// CIFAR runs also use λ = 0.6 and 0.95). Step costs 2 passes (1 if ε = 0).
type FriendlySAM struct {
	// Base applies d at the unperturbed w.
	Base Updater
	// Rho is ρ >= 0.
	Rho float64
	// Sigma is σ > 0 (0 means 1).
	Sigma float64
	// Lambda is λ in [0, 1) (0 means 0.9).
	Lambda float64
	// Eps is added to ‖u‖ in ε (0: 1e-12; negative: none).
	Eps float64
	// ClipNorm > 0 clips d; AscentClipNorm > 0 clips u before it forms ε (Euclidean norms).
	ClipNorm, AscentClipNorm float64

	m []float64 // nil before the first step
	u []float64
	v pair
}

// Step takes one F-SAM step; see FriendlySAM.
func (s *FriendlySAM) Step(w []float64, obj nn.Objective, batch []int) (float64, error) {
	switch {
	case s.Sigma < 0 || !finite(s.Sigma):
		return 0, fmt.Errorf("sam: FriendlySAM.Sigma = %v must be finite and > 0 (0 means the default 1)", s.Sigma)
	case math.IsNaN(s.Lambda) || s.Lambda < 0 || s.Lambda >= 1:
		return 0, fmt.Errorf("sam: FriendlySAM.Lambda = %v must be in [0, 1) (0 means the default 0.9)", s.Lambda)
	}
	v := &s.v
	loss, err := v.begin("FriendlySAM", s.Base, s.Rho, s.Eps, s.ClipNorm, s.AscentClipNorm, w, obj, batch)
	if err != nil {
		return loss, err
	}
	g := v.sc.g
	s.u = resize(s.u, len(w))
	if len(s.m) != len(w) {
		s.m = append(s.m[:0], g...)
		copy(s.u, g)
	} else {
		sigma, lambda := orDefaultPos(s.Sigma, 1), orDefaultPos(s.Lambda, 0.9)
		for i, gi := range g {
			s.u[i] = gi - sigma*s.m[i]
			s.m[i] = lambda*s.m[i] + (1-lambda)*gi
		}
	}
	if _, err := v.ascend(s.u, w, obj, batch); err != nil {
		return loss, err
	}
	copy(v.d, v.gp)
	return v.finish(s.Base, s.ClipNorm, w, loss)
}

// LastCost returns the cost of the last Step: two passes over the batch.
func (s *FriendlySAM) LastCost() Cost { return s.v.cost }

// MarshalState returns the state of Base and the moving average m.
func (s *FriendlySAM) MarshalState() ([]byte, error) {
	base, err := baseState("FriendlySAM", s.Base)
	if err != nil {
		return nil, err
	}
	e := binfmt.NewBody()
	e.Blob(base)
	e.Floats(s.m)
	return e.Bytes(), nil
}

// UnmarshalState restores the state written by MarshalState.
func (s *FriendlySAM) UnmarshalState(b []byte) error {
	d := binfmt.NewDecoder(b)
	base := d.Blob("FriendlySAM Base state")
	m := d.Floats("FriendlySAM moving average")
	err := d.Err()
	if err == nil {
		if i := firstNonFinite(m); i >= 0 {
			err = fmt.Errorf("m[%d] = %v is not finite", i, m[i])
		}
	}
	if err != nil {
		return fmt.Errorf("sam: FriendlySAM.UnmarshalState: %w", err)
	}
	if err := restoreBase("FriendlySAM", s.Base, base); err != nil {
		return err
	}
	if len(m) == 0 {
		m = nil
	}
	s.m = m
	return nil
}
