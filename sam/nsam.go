package sam

import (
	"fmt"

	"github.com/sdeml/sdeml/nn"
)

// NSAM is n-SAM (Andriushchenko & Flammarion 2022): the perturbation comes from the
// full-data gradient instead of the mini-batch's,
//
//	g = ∇f(w) = (1/n)Σᵢ∇ℓᵢ(w),  ε = ρ·s(‖g‖)·g  (s as in SAM.Norm),
//	d = ∇f_γ(w + ε)   (descent on the batch γ; on all n samples if FullDescent),
//	w ← Base.Update(w, clip(d)),
//
// with clip the Euclidean-norm clip of ClipNorm (AscentClipNorm clips g likewise).
//
// AscentBatch = 0 uses the exact full gradient (one pass over all n samples per step);
// AscentBatch = a > 0 estimates it from a independent samples drawn uniformly without
// replacement from 0..n-1 by a stream seeded with Seed (the approximation for large n).
// Since ascent and descent samples are decoupled, n-SAM has no variance term in its drift
// (docs/derivations/sam.md §2): the "m = n" end of the m-sharpness curve.
//
// Step returns the mean loss at w on the ascent samples (the full training loss when
// exact). With batch = 0..n-1 in order and AscentBatch = 0 it is SAM bit for bit.
type NSAM struct {
	// Base applies the descent direction at the unperturbed w.
	Base Updater
	// Rho is the radius ρ >= 0.
	Rho float64
	// Norm, Lambda and Eps shape ε as in SAM.
	Norm   Norm
	Lambda float64
	Eps    float64
	// AscentBatch is 0 for the exact full gradient, else the size of the independent
	// uniform ascent sample.
	AscentBatch int
	// FullDescent takes the descent gradient on all n samples instead of the batch.
	FullDescent bool
	// Seed seeds the ascent samples.
	Seed uint64
	// ClipNorm > 0 clips the descent direction to this norm.
	ClipNorm float64
	// AscentClipNorm > 0 clips the norm of the ascent gradient g before it forms ε.
	AscentClipNorm float64

	p    perturbation
	sc   scratch
	d    []float64
	all  []int
	perm []int
	rng  stream
	cost Cost
}

// Step takes one n-SAM step; see NSAM.
func (s *NSAM) Step(w []float64, obj nn.Objective, batch []int) (float64, error) {
	s.p = perturbation{Rho: s.Rho, Norm: s.Norm, Lambda: s.Lambda, Eps: s.Eps, AscentClip: s.AscentClipNorm}
	if err := s.p.Validate(); err != nil {
		return 0, err
	}
	if err := checkStep(s.Base, w, obj, batch); err != nil {
		return 0, err
	}
	n := obj.Len()
	switch {
	case s.AscentBatch < 0 || s.AscentBatch > n:
		return 0, fmt.Errorf("sam: NSAM.AscentBatch = %d must be in [0, n = %d]", s.AscentBatch, n)
	case s.ClipNorm < 0 || !finite(s.ClipNorm):
		return 0, fmt.Errorf("sam: ClipNorm = %v must be finite and >= 0", s.ClipNorm)
	}
	if len(s.all) != n {
		s.all = seqInts(s.all, n)
	}
	asc := s.all
	if s.AscentBatch > 0 {
		if err := checkMinBatch(obj, s.AscentBatch, "NSAM.AscentBatch"); err != nil {
			return 0, err
		}
		asc = s.sample(n)
	}
	desc := batch
	if s.FullDescent {
		desc = s.all
	}
	s.sc.ensure(len(w))
	s.d = resize(s.d, len(w))
	s.cost = Cost{Serial: 2, Depth: 2}
	openStep(obj, w, batch, &s.cost)
	loss := obj.LossGrad(s.sc.g, w, asc)
	s.cost.grad(len(asc))
	if err := checkFinite(loss, s.sc.g); err != nil {
		return loss, err
	}
	if !s.p.perturb(&s.sc, s.sc.g, nil, w, obj, asc, &s.cost) && s.AscentBatch == 0 && s.FullDescent {
		copy(s.d, s.sc.g)
		s.cost.Serial, s.cost.Depth = 1, 1
	} else {
		obj.LossGrad(s.d, s.sc.wp, desc)
		s.cost.grad(len(desc))
	}
	if err := checkFinite(loss, s.d); err != nil {
		return loss, err
	}
	clip(s.d, s.ClipNorm)
	s.Base.Update(w, s.d)
	return loss, checkParams(w)
}

// LastCost returns the cost of the last Step: an ascent pass over n (or AscentBatch)
// samples and a descent pass over the batch (or n).
func (s *NSAM) LastCost() Cost { return s.cost }

// sample returns AscentBatch distinct indices, uniform without replacement (partial
// Fisher–Yates on a persistent permutation).
func (s *NSAM) sample(n int) []int {
	rng := s.rng.get(s.Seed, 0x6e73616d)
	if len(s.perm) != n {
		s.perm = seqInts(s.perm, n)
	}
	a := s.AscentBatch
	for i := range a {
		j := i + rng.IntN(n-i)
		s.perm[i], s.perm[j] = s.perm[j], s.perm[i]
	}
	return s.perm[:a]
}

func seqInts(s []int, n int) []int {
	if cap(s) < n {
		s = make([]int, n)
	}
	s = s[:n]
	for i := range s {
		s[i] = i
	}
	return s
}
