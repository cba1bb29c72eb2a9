package sam

import (
	"fmt"

	"github.com/sdeml/sdeml/internal/binfmt"
	"github.com/sdeml/sdeml/nn"
)

// LookSAM is SAM that computes the perturbed gradient only every k-th step (Liu et al.,
// CVPR 2022) and reuses, in between, the part of it that the plain gradient lacks. With
// g = ∇f_γ(w) and t the step count (from 0),
//
//	t ≡ 0 (mod k):  g_s = ∇f_γ(w + ρ g/(‖g‖ + eps)),
//	                g_v = g_s − (⟨g_s, g⟩/‖g‖²) g     (stored: g_s's component ⊥ g),
//	                d = g_s;
//	otherwise:      d = g + α (‖g‖/‖g_v‖) g_v          (d = g if g_v = 0),
//	w ← Base.Update(w, clip(d)).
//
// The reused g_v is rescaled to the current gradient's norm, so the sharpness direction
// keeps its relative weight as ‖g‖ changes. A SAM step costs 2 passes, the others 1: on
// average (k+1)/k passes per step. g_v and t are state (Stateful).
//
// Defaults: k = 5 (K = 0) and α = 0.7 (Alpha = 0), the values of public reimplementations'
// examples (pytorch_optimizer's default k is 10).
type LookSAM struct {
	// Base applies d at the unperturbed w.
	Base Updater
	// Rho is ρ >= 0.
	Rho float64
	// K is the interval k >= 1 between SAM steps (0 means 5; negative is an error).
	K int
	// Alpha is α >= 0 (0 means 0.7).
	Alpha float64
	// Eps is added to ‖g‖ in ε (0: 1e-12; negative: none).
	Eps float64
	// ClipNorm > 0 clips d; AscentClipNorm > 0 clips g before it forms ε (Euclidean norms).
	ClipNorm, AscentClipNorm float64

	t  int
	gv []float64
	v  pair
}

func (s *LookSAM) k() int {
	if s.K == 0 {
		return 5
	}
	return s.K
}

// Step takes one LookSAM step; see LookSAM.
func (s *LookSAM) Step(w []float64, obj nn.Objective, batch []int) (float64, error) {
	switch {
	case s.K < 0:
		return 0, fmt.Errorf("sam: LookSAM.K = %d must be >= 1 (0 means the default 5)", s.K)
	case s.Alpha < 0 || !finite(s.Alpha):
		return 0, fmt.Errorf("sam: LookSAM.Alpha = %v must be finite and >= 0", s.Alpha)
	}
	v := &s.v
	loss, err := v.begin("LookSAM", s.Base, s.Rho, s.Eps, s.ClipNorm, s.AscentClipNorm, w, obj, batch)
	if err != nil {
		return loss, err
	}
	g := v.sc.g
	if len(s.gv) != len(w) {
		s.gv = make([]float64, len(w)) // also a restored g_v of another length
		s.t = 0
	}
	if s.t%s.k() == 0 {
		if _, err := v.ascend(g, w, obj, batch); err != nil {
			return loss, err
		}
		projOut(s.gv, v.gp, g)
		copy(v.d, v.gp)
	} else {
		copy(v.d, g)
		if nv := norm(s.gv); nv > 0 {
			c := orDefaultPos(s.Alpha, 0.7) * norm(g) / nv
			for i, x := range s.gv {
				v.d[i] += c * x
			}
		}
	}
	s.t++
	return v.finish(s.Base, s.ClipNorm, w, loss)
}

// LastCost returns the cost of the last Step: 2 passes on a SAM step, 1 otherwise.
func (s *LookSAM) LastCost() Cost { return s.v.cost }

// MarshalState returns the state of Base, the step count and g_v.
func (s *LookSAM) MarshalState() ([]byte, error) {
	base, err := baseState("LookSAM", s.Base)
	if err != nil {
		return nil, err
	}
	e := binfmt.NewBody()
	e.Blob(base)
	e.Int(s.t)
	e.Floats(s.gv)
	return e.Bytes(), nil
}

// UnmarshalState restores the state written by MarshalState.
func (s *LookSAM) UnmarshalState(b []byte) error {
	d := binfmt.NewDecoder(b)
	base := d.Blob("LookSAM Base state")
	t := d.Int("LookSAM step count", 0, 1<<62)
	gv := d.Floats("LookSAM g_v")
	err := d.Err()
	if err == nil {
		if i := firstNonFinite(gv); i >= 0 {
			err = fmt.Errorf("g_v[%d] = %v is not finite", i, gv[i])
		}
	}
	if err != nil {
		return fmt.Errorf("sam: LookSAM.UnmarshalState: %w", err)
	}
	if err := restoreBase("LookSAM", s.Base, base); err != nil {
		return err
	}
	if len(gv) == 0 {
		gv = nil
	}
	s.t, s.gv = t, gv
	return nil
}
