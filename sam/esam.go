package sam

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/sdeml/sdeml/internal/binfmt"
	"github.com/sdeml/sdeml/nn"
)

// ESAM is efficient SAM (Du et al., ICLR 2022): SAM with stochastic weight perturbation
// (SWP) and sharpness-sensitive data selection (SDS). With g = ∇f_γ(w) on the batch γ of
// size B and independent masks m_i ~ Bernoulli(β) per coordinate,
//
//	ε_i = m_i·ρ g_i/(β(‖g‖ + eps))            (E ε = SAM's ρ g/(‖g‖ + eps)),
//	s_j = ℓ_j(w + ε) − ℓ_j(w)  for j ∈ γ      (the loss increase of each sample),
//	γ⁺  = the k = max(1, ⌊κB⌋) samples with the largest s_j (ties: earlier in the batch),
//	d   = ∇f_{γ⁺}(w + ε),   w ← Base.Update(w, clip(d)),
//
// with β = Beta and κ = Keep. SWP perturbs only a random β-fraction of the coordinates,
// scaled by 1/β; SDS takes the descent gradient only on the samples whose loss the
// perturbation raised most. Keep = 1 skips the selection (every sample) and Beta = 1 the
// masks (SAM's ε).
//
// The paper's savings come from skipping backward work for unperturbed weights and
// unselected samples inside one framework pass. Through nn.Objective the per-sample losses
// need their own forward passes, so a step here costs a gradient pass over B at w, a
// forward pass over B at w and one at w + ε (only if Keep < 1), and a gradient pass over
// the k selected samples at w + ε (Coster reports it); it is not faster than SAM here.
// The official code masks whole parameter tensors and normalises over the kept ones;
// parameters here are one flat vector, so each coordinate is kept with probability β and
// ‖g‖ is the whole gradient's, which makes ε unbiased for SAM's. The masks come from a PCG
// stream seeded with Seed (state: Stateful).
//
// Defaults: β = 0.6 (Beta = 0) and κ = 0.5 (Keep = 0), the authors' ResNet-18 setting.
// If ε = 0 (ρ = 0, g = 0) the step is d = g with one pass.
type ESAM struct {
	// Base applies d at the unperturbed w.
	Base Updater
	// Rho is ρ >= 0.
	Rho float64
	// Beta is the SWP probability β in (0, 1] (0 means 0.6).
	Beta float64
	// Keep is the SDS keep ratio κ in (0, 1] (0 means 0.5).
	Keep float64
	// Seed seeds the SWP masks.
	Seed uint64
	// Eps is added to ‖g‖ in ε (0: 1e-12; negative: none).
	Eps float64
	// ClipNorm > 0 clips d; AscentClipNorm > 0 clips g before it forms ε (Euclidean norms).
	ClipNorm, AscentClipNorm float64

	v        pair
	rng      stream
	lb, la   []float64
	pos, sel []int
}

func (s *ESAM) validate() error {
	switch {
	case math.IsNaN(s.Beta) || s.Beta < 0 || s.Beta > 1:
		return fmt.Errorf("sam: ESAM.Beta = %v must be in (0, 1] (0 means the default 0.6)", s.Beta)
	case math.IsNaN(s.Keep) || s.Keep < 0 || s.Keep > 1:
		return fmt.Errorf("sam: ESAM.Keep = %v must be in (0, 1] (0 means the default 0.5)", s.Keep)
	}
	return nil
}

// Step takes one ESAM step; see ESAM.
func (s *ESAM) Step(w []float64, obj nn.Objective, batch []int) (float64, error) {
	if err := s.validate(); err != nil {
		return 0, err
	}
	beta, keep := orDefaultPos(s.Beta, 0.6), orDefaultPos(s.Keep, 0.5)
	v := &s.v
	loss, err := v.begin("ESAM", s.Base, s.Rho, s.Eps, s.ClipNorm, s.AscentClipNorm, w, obj, batch)
	if err != nil {
		return loss, err
	}
	var nrm float64
	coef, ok := 0.0, s.Rho > 0
	if ok {
		coef, ok = v.p.coef(s.Rho, v.sc.g, w, nil, nil, &nrm)
	}
	if !ok {
		copy(v.d, v.sc.g)
		return v.finish(s.Base, s.ClipNorm, w, loss)
	}
	coef /= beta
	wp, g := v.sc.wp, v.sc.g
	if beta == 1 {
		for i := range wp {
			wp[i] = w[i] + coef*g[i]
		}
	} else {
		rng := s.rng.get(s.Seed, 0x6573616d)
		for i := range wp {
			wp[i] = w[i]
			if rng.Float64() < beta {
				wp[i] += coef * g[i]
			}
		}
	}
	desc, err := s.selectSamples(obj, w, wp, batch, keep)
	if err != nil {
		return loss, err
	}
	obj.LossGrad(v.d, wp, desc)
	v.cost.grad(len(desc))
	return v.finish(s.Base, s.ClipNorm, w, loss)
}

// selectSamples returns the k = max(1, ⌊keep·B⌋) samples of batch with the largest loss
// increase ℓ(wp) − ℓ(w), in batch order (all of batch if k = B).
func (s *ESAM) selectSamples(obj nn.Objective, w, wp []float64, batch []int, keep float64) ([]int, error) {
	b := len(batch)
	k := max(1, int(keep*float64(b)))
	if k >= b {
		return batch, nil
	}
	s.lb, s.la = resize(s.lb, b), resize(s.la, b)
	obj.Losses(s.lb, w, batch)
	obj.Losses(s.la, wp, batch)
	s.v.cost.loss(b)
	s.v.cost.loss(b)
	for j := range b {
		s.la[j] -= s.lb[j]
	}
	if j := firstNonFinite(s.la); j >= 0 {
		return nil, fmt.Errorf("sam: ESAM: loss increase of sample batch[%d] = %d is %v, not finite", j, batch[j], s.la[j])
	}
	if cap(s.pos) < b {
		s.pos, s.sel = make([]int, b), make([]int, b)
	}
	pos := s.pos[:b]
	for j := range pos {
		pos[j] = j
	}
	inc := s.la
	slices.SortStableFunc(pos, func(x, y int) int { return cmp.Compare(inc[y], inc[x]) })
	pos = pos[:k]
	slices.Sort(pos)
	sel := s.sel[:k]
	for j, p := range pos {
		sel[j] = batch[p]
	}
	return sel, nil
}

// LastCost returns the cost of the last Step (see ESAM).
func (s *ESAM) LastCost() Cost { return s.v.cost }

// MarshalState returns the state of Base and the position of the mask stream.
func (s *ESAM) MarshalState() ([]byte, error) {
	base, err := baseState("ESAM", s.Base)
	if err != nil {
		return nil, err
	}
	e := binfmt.NewBody()
	e.Blob(base)
	s.rng.encode(e)
	return e.Bytes(), nil
}

// UnmarshalState restores the state written by MarshalState.
func (s *ESAM) UnmarshalState(b []byte) error {
	d := binfmt.NewDecoder(b)
	base := d.Blob("ESAM Base state")
	errRNG := s.rng.decode(d, "ESAM mask stream")
	if err := errors.Join(d.Err(), errRNG); err != nil {
		return fmt.Errorf("sam: ESAM.UnmarshalState: %w", err)
	}
	return restoreBase("ESAM", s.Base, base)
}
