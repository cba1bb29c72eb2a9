package sam

import (
	"fmt"

	"github.com/sdeml/sdeml/nn"
)

// IntervalSAM takes a SAM step every k-th step and a plain gradient step otherwise (the
// periodic SAM that LookSAM improves on; Composer's SAM `interval` option). With t the step count
// (from 0) and g = ∇f_γ(w),
//
//	t ≡ 0 (mod k):  d = ∇f_γ(w + ρ g/(‖g‖ + eps)),     otherwise  d = g,
//	w ← Base.Update(w, clip(d)).
//
// k = 1 is SAM. Average cost (k+1)/k passes per step. t is state (Stateful).
// Default k = 5 (Every = 0), LookSAM's default interval, so the two compare at equal cost.
type IntervalSAM struct {
	// Base applies d at the unperturbed w.
	Base Updater
	// Rho is ρ >= 0.
	Rho float64
	// Every is k >= 1 (0 means 5; negative is an error).
	Every int
	// Eps is added to ‖g‖ in ε (0: 1e-12; negative: none).
	Eps float64
	// ClipNorm > 0 clips d; AscentClipNorm > 0 clips g before it forms ε (Euclidean norms).
	ClipNorm, AscentClipNorm float64

	t int
	v pair
}

// Step takes one step; see IntervalSAM.
func (s *IntervalSAM) Step(w []float64, obj nn.Objective, batch []int) (float64, error) {
	if s.Every < 0 {
		return 0, fmt.Errorf("sam: IntervalSAM.Every = %d must be >= 1 (0 means the default 5)", s.Every)
	}
	k := s.Every
	if k == 0 {
		k = 5
	}
	v := &s.v
	loss, err := v.begin("IntervalSAM", s.Base, s.Rho, s.Eps, s.ClipNorm, s.AscentClipNorm, w, obj, batch)
	if err != nil {
		return loss, err
	}
	if s.t%k == 0 {
		if _, err := v.ascend(v.sc.g, w, obj, batch); err != nil {
			return loss, err
		}
		copy(v.d, v.gp)
	} else {
		copy(v.d, v.sc.g)
	}
	s.t++
	return v.finish(s.Base, s.ClipNorm, w, loss)
}

// LastCost returns the cost of the last Step: 2 passes on a SAM step, 1 otherwise.
func (s *IntervalSAM) LastCost() Cost { return s.v.cost }

// MarshalState returns the state of Base and the step count.
func (s *IntervalSAM) MarshalState() ([]byte, error) { return countState("IntervalSAM", s.Base, s.t) }

// UnmarshalState restores the state written by MarshalState.
func (s *IntervalSAM) UnmarshalState(b []byte) error {
	return restoreCount("IntervalSAM", s.Base, &s.t, b)
}
