package sam

import (
	"fmt"

	"github.com/sdeml/sdeml/nn"
)

// Remainder says what m-SAM does when the micro-batch size does not divide the batch.
type Remainder int

const (
	// RemainderError makes Step return an error (the default).
	RemainderError Remainder = iota
	// RemainderPartial keeps a last, smaller micro-batch of B mod m samples; each
	// micro-batch j then enters the average with weight |γ_j|/B, so every sample
	// still counts equally.
	RemainderPartial
)

// SAM is sharpness-aware minimization (Foret et al., ICLR 2021) with its micro-batch form
// m-SAM and the USAM, unified-λ and ASAM perturbations. For a batch γ of size B split into
// consecutive micro-batches γ_1, …, γ_K of size m = Micro (K = B/m; Micro = 0 means m = B),
//
//	g_j = ∇f_{γ_j}(w),   ε_j = perturbation of g_j (see Norm),   d_j = ∇f_{γ_j}(w + ε_j),
//	d = Σ_j (|γ_j|/B) d_j   (= (1/K) Σ_j d_j: the average, not the sum),
//	w ← Base.Update(w, clip(d)).
//
// m = B is SAM, m = 1 is per-sample ("1-SAM") perturbation. TF-Keras's
// SharpnessAwareMinimization(num_batch_splits) sums the d_j instead, i.e. its step is K
// times this one.
//
// Perturbation: with u_j = g_j + AscentWD·w and T = diag(t) (t_i = |w_i| + Eta on the
// coordinates where AdaptiveMask is true or nil if Adaptive, else t_i = 1),
//
//	ε_j = ρ·s(‖T u_j‖)·T² u_j,  s(n) = 1/(n+eps) (Normalized), 1 (Unnormalized = USAM),
//	                            1 − λ + λ/(n+eps) (Unified, λ = Lambda).
//
// A zero ascent gradient gives ε_j = 0 and d_j = g_j without a second pass (the
// zero-gradient guard). AscentSteps > 1 repeats the ascent from w + ε_j on the same
// micro-batch with step AscentStepSize (default ρ), projecting the Normalized form back onto
// ‖T⁻¹ε‖ <= ρ. AscentWD > 0 makes weight decay enter the ascent (google-research/sam);
// by default it does not (davda54/sam). ClipNorm > 0 clips d (the descent gradient only) to
// that Euclidean norm; AscentClipNorm > 0 clips each ascent gradient u_j to that norm before
// it forms ε_j. Both rescale the whole vector, never single coordinates, so the direction is
// kept (per-coordinate clipping would turn the step; google-research/sam's documentation
// warns against it). Eps 0 means 1e-12, negative means no epsilon.
//
// The micro-batches are independent and run in parallel on all cores; the d_j are reduced
// in index order, so the step is bit-identical to the serial loop for any GOMAXPROCS.
// The parameters are never modified during the ascent: perturbed points live in scratch
// buffers, so w is exactly the unperturbed point when Base.Update is called.
//
// Rho = 0 means no perturbation (d = ∇f_γ(w), one pass per micro-batch). A SAM value must
// not be used by several goroutines at once.
type SAM struct {
	// Base applies the descent direction d at the unperturbed w.
	Base Updater
	// Rho is the radius ρ >= 0.
	Rho float64
	// Micro is the micro-batch size m (0: the whole batch, plain SAM).
	Micro int
	// Remainder says what to do when m does not divide the batch.
	Remainder Remainder
	// Norm selects SAM (Normalized), USAM (Unnormalized) or the Unified λ form.
	Norm Norm
	// Lambda is λ ∈ [0, 1] of the Unified form.
	Lambda float64
	// Adaptive turns on ASAM's scaling T = diag(|w| + Eta).
	Adaptive bool
	// Eta is ASAM's η >= 0.
	Eta float64
	// AdaptiveMask, if non-nil, restricts the ASAM scaling to coordinates where it is true
	// (the official ASAM scales weights only); T = 1 elsewhere.
	AdaptiveMask []bool
	// AscentSteps is the number of ascent steps (0 or 1: one).
	AscentSteps int
	// AscentStepSize is the step of each extra ascent step (0: ρ).
	AscentStepSize float64
	// AscentWD adds AscentWD·w to the ascent gradient (weight decay in the ascent).
	AscentWD float64
	// Eps is added to the norm in the normalisation (0: 1e-12; negative: none).
	Eps float64
	// ClipNorm > 0 clips the descent direction d to this Euclidean norm.
	ClipNorm float64
	// AscentClipNorm > 0 clips the Euclidean norm of each ascent gradient u_j (before it is
	// scaled into ε_j); see the perturbation rules above.
	AscentClipNorm float64

	p     perturbation
	d, t  []float64
	eng   engine
	cost  Cost
	w     []float64
	obj   nn.Objective
	batch []int
	m     int
	loss  float64
	whole bool // one micro-batch: its clean pass is cleanGrad
}

func (s *SAM) perturbation() perturbation {
	return perturbation{Rho: s.Rho, Norm: s.Norm, Lambda: s.Lambda, Adaptive: s.Adaptive,
		Eta: s.Eta, AdaptiveMask: s.AdaptiveMask, AscentSteps: s.AscentSteps,
		AscentStepSize: s.AscentStepSize, AscentWD: s.AscentWD, Eps: s.Eps, AscentClip: s.AscentClipNorm}
}

// Step takes one (m-)SAM step on batch and returns the batch loss at the unperturbed w.
func (s *SAM) Step(w []float64, obj nn.Objective, batch []int) (float64, error) {
	s.p = s.perturbation()
	if err := s.p.Validate(); err != nil {
		return 0, err
	}
	if err := checkStep(s.Base, w, obj, batch); err != nil {
		return 0, err
	}
	k, err := microCount(s.Micro, s.Remainder, len(batch))
	if err != nil {
		return 0, err
	}
	if s.ClipNorm < 0 || !finite(s.ClipNorm) {
		return 0, fmt.Errorf("sam: ClipNorm = %v must be finite and >= 0", s.ClipNorm)
	}
	s.m = s.Micro
	if s.m == 0 {
		s.m = len(batch)
	}
	if err := checkMinBatch(obj, len(batch)-(k-1)*s.m, "smallest micro-batch (Micro)"); err != nil {
		return 0, err
	}
	s.w, s.obj, s.batch, s.loss = w, obj, batch, 0
	s.whole = k == 1
	var open Cost
	if !s.whole {
		openStep(obj, w, batch, &open)
	}
	s.t = s.p.scales(s.t, w)
	s.d = resize(s.d, len(w))
	var bad int
	s.cost, bad = s.eng.run(s.d, nil, s, k)
	s.cost.add(open)
	s.cost.Serial += open.Serial
	s.cost.Depth += open.Depth
	loss := s.loss
	s.w, s.obj, s.batch = nil, nil, nil
	if err := checkDirection(loss, s.d, bad); err != nil {
		return loss, err
	}
	clip(s.d, s.ClipNorm)
	s.Base.Update(w, s.d)
	return loss, checkParams(w)
}

// LastCost returns the cost of the last Step: 2 passes per micro-batch (plus one per extra
// ascent step, minus one per zero-gradient micro-batch); Depth counts one micro-batch.
func (s *SAM) LastCost() Cost { return s.cost }

func microCount(m int, rem Remainder, b int) (int, error) {
	switch {
	case m < 0:
		return 0, fmt.Errorf("sam: Micro = %d must be >= 0 (0 means the whole batch)", m)
	case rem != RemainderError && rem != RemainderPartial:
		return 0, fmt.Errorf("sam: Remainder = %d is not RemainderError or RemainderPartial", int(rem))
	case m == 0:
		return 1, nil
	case b%m != 0 && rem == RemainderError:
		return 0, fmt.Errorf("sam: Micro = %d does not divide len(batch) = %d (set Remainder = RemainderPartial to keep a smaller last micro-batch)", m, b)
	}
	return (b + m - 1) / m, nil
}

func (s *SAM) micro(j int) []int {
	return s.batch[j*s.m : min((j+1)*s.m, len(s.batch))]
}

func (s *SAM) unit(sc *scratch, dst []float64, j int) (float64, Cost) {
	mb := s.micro(j)
	var c Cost
	sc.ensure(len(s.w))
	var loss float64
	if s.whole { // the only micro-batch is the batch: its clean pass advances the model state
		loss = cleanGrad(s.obj, sc.g, s.w, mb)
	} else {
		loss = s.obj.LossGrad(sc.g, s.w, mb)
	}
	c.grad(len(mb))
	if s.p.perturb(sc, sc.g, s.t, s.w, s.obj, mb, &c) {
		s.obj.LossGrad(dst, sc.wp, mb)
		c.grad(len(mb))
	} else {
		copy(dst, sc.g)
	}
	return loss, c
}

func (s *SAM) weight(j int, loss float64, _ Cost) (float64, []float64) {
	a := float64(len(s.micro(j))) / float64(len(s.batch))
	s.loss += a * loss
	return a, nil
}
