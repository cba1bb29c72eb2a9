package sam

import (
	"fmt"
	"math"

	"github.com/sdeml/sdeml/nn"
)

// GSAM is surrogate-gap guided SAM (Zhuang et al., ICLR 2022). With the batch gradient
// g = ∇f_γ(w), the SAM perturbation ε = ρ_t g/(‖g‖ + eps) and g_p = ∇f_γ(w + ε) (the
// gradient of the perturbed loss f_p), GSAM splits g into its part along g_p and the rest,
//
//	g⊥ = g − (⟨g, g_p⟩/‖g_p‖²) g_p,
//	d  = g_p − α g⊥,
//	w ← Base.Update(w, clip(d)).
//
// With the surrogate gap h = f_p − f (∇h = g_p − g), the component of ∇h orthogonal to g_p
// is −g⊥, so d = g_p + α(∇h)⊥: the step descends f_p as SAM does and, within the directions
// orthogonal to g_p (which leave f_p unchanged to first order), descends the gap, i.e. moves
// towards flatter points. α = 0 would be SAM; ⟨d, g_p⟩ = ‖g_p‖², so the correction never
// slows the descent of f_p to first order. A zero g_p gives g⊥ = g.
//
// The radius follows the learning rate, as in the paper:
//
//	ρ_t = ρ_min + (ρ_max − ρ_min)·(f(t) − f_min)/(f_max − f_min),  clamped to [ρ_min, ρ_max],
//
// where f(t) = Schedule.Factor(t) is the factor of the base learning rate at update t
// (pass the Base updater's Schedule), f_max = FactorMax and f_min = FactorMin (defaults 1
// and 0: a cosine decay to zero, or a step decay, gives ρ_t ∝ lr_t for ρ_min = 0). t counts
// this optimizer's steps from 0 and is part of its state. A nil Schedule means ρ_t = Rho.
//
// Defaults: α = 0.4 (Alpha = 0), pytorch_optimizer's default; ρ_min = 0. The zero-gradient guard of SAM applies: if ε = 0 the step is one pass with
// d = g. Step costs 2 passes over the batch (Coster).
type GSAM struct {
	// Base applies d at the unperturbed w.
	Base Updater
	// Rho is ρ_max >= 0; RhoMin is ρ_min in [0, Rho].
	Rho, RhoMin float64
	// Alpha is α in [0, 1] (0 means the default 0.4).
	Alpha float64
	// Schedule is the learning-rate factor schedule of Base (nil: constant ρ = Rho).
	Schedule Schedule
	// FactorMax and FactorMin bound Schedule's factor (0 and 0 mean 1 and 0).
	FactorMax, FactorMin float64
	// Eps is added to ‖g‖ in ε (0: 1e-12; negative: none).
	Eps float64
	// ClipNorm > 0 clips d; AscentClipNorm > 0 clips g before it forms ε (Euclidean norms).
	ClipNorm, AscentClipNorm float64

	t int
	v pair
}

func (s *GSAM) alpha() float64 { return orDefaultPos(s.Alpha, 0.4) }

func (s *GSAM) validate() error {
	fmax := orDefaultPos(s.FactorMax, 1)
	switch {
	case s.Rho < 0 || !finite(s.Rho):
		return fmt.Errorf("sam: GSAM.Rho = %v must be finite and >= 0", s.Rho)
	case math.IsNaN(s.Alpha) || s.Alpha < 0 || s.Alpha > 1:
		return fmt.Errorf("sam: GSAM.Alpha = %v must be in [0, 1]", s.Alpha)
	case math.IsNaN(s.RhoMin) || s.RhoMin < 0 || s.RhoMin > s.Rho:
		return fmt.Errorf("sam: GSAM.RhoMin = %v must be in [0, Rho = %v]", s.RhoMin, s.Rho)
	case !finite(s.FactorMax) || !finite(s.FactorMin) || s.FactorMin >= fmax:
		return fmt.Errorf("sam: GSAM.FactorMin = %v, FactorMax = %v must be finite with FactorMin < FactorMax (0 means 1)", s.FactorMin, s.FactorMax)
	}
	return nil
}

// RhoAt returns ρ_t, the radius of step t.
func (s *GSAM) RhoAt(t int) float64 {
	if s.Schedule == nil {
		return s.Rho
	}
	fmax := orDefaultPos(s.FactorMax, 1)
	r := (s.Schedule.Factor(t) - s.FactorMin) / (fmax - s.FactorMin)
	r = math.Max(0, math.Min(1, r))
	return s.RhoMin + (s.Rho-s.RhoMin)*r
}

// Step takes one GSAM step; see GSAM.
func (s *GSAM) Step(w []float64, obj nn.Objective, batch []int) (float64, error) {
	if err := s.validate(); err != nil {
		return 0, err
	}
	rho := s.RhoAt(s.t)
	if !finite(rho) || rho < 0 {
		return 0, fmt.Errorf("sam: GSAM: ρ_t = %v at step %d (Schedule.Factor = %v) is not finite and >= 0", rho, s.t, factor(s.Schedule, s.t))
	}
	v := &s.v
	loss, err := v.begin("GSAM", s.Base, rho, s.Eps, s.ClipNorm, s.AscentClipNorm, w, obj, batch)
	if err != nil {
		return loss, err
	}
	moved, err := v.ascend(v.sc.g, w, obj, batch)
	if err != nil {
		return loss, err
	}
	if moved {
		// d = g_p − α g⊥; v.d holds g⊥ first.
		projOut(v.d, v.sc.g, v.gp)
		a := s.alpha()
		for i, gp := range v.gp {
			v.d[i] = gp - a*v.d[i]
		}
	} else {
		copy(v.d, v.sc.g)
	}
	s.t++
	return v.finish(s.Base, s.ClipNorm, w, loss)
}

// LastCost returns the cost of the last Step: two passes over the batch (one if ε = 0).
func (s *GSAM) LastCost() Cost { return s.v.cost }

// MarshalState returns the state of Base and the step count that drives ρ_t.
func (s *GSAM) MarshalState() ([]byte, error) { return countState("GSAM", s.Base, s.t) }

// UnmarshalState restores the state written by MarshalState.
func (s *GSAM) UnmarshalState(b []byte) error { return restoreCount("GSAM", s.Base, &s.t, b) }
