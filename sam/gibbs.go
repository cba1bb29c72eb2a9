package sam

import (
	"fmt"
	"gonum.org/v1/gonum/stat"
	"math"

	"github.com/sdeml/sdeml/nn"
)

// RWForm selects how RWSAM uses the Gibbs distribution over per-sample scores.
type RWForm int

const (
	// VirtualMicro (the zero value) is RW-SAM as one batched "virtual micro-batch": each
	// step splits the batch into K = B/m units of m = EquivM samples (consecutive, like
	// m-SAM's micro-batches), draws a uniformly random zero-sum sign s_j ∈ {−1, 0, +1} per
	// unit, and reweights the samples of unit j by p_i = (1 + b s_j)/B with b = √(K−1)
	// (√K for odd K, where one unit gets 0):
	//
	//	g_p = ∇f_p(w),  f_p = Σ_i p_i ℓ_i,   ε = ρ g_p/‖g_p‖ (or the USAM / unified form),
	//	δ = [∇f_p(w + ε) − g_p] − [∇f_B(w + ε) − g_B],   d = g_B + min(1, τ‖g_B‖/‖δ‖)·δ.
	//
	// Over the sign draw E[g_p] = g_B and E‖g_p‖² = (1/K)Σ_j ‖g_{γ_j}‖² (the SGN identity
	// ‖g‖² + c_m tr Σ of one m-sample unit), and to first order in ε, in the USAM form,
	// E[d] = g_B + ρ[(1/K)Σ_j H_{γ_j} g_{γ_j} − H_B g_B]: m-SAM's variance drift, each
	// unit's Hessian paired with its own gradient, without the shared-direction term whose
	// noise a single virtual unit cannot average out (docs/derivations/sam.md §6). The
	// trust ratio τ = DriftTrust (default 1) bounds the drift by the gradient, so that at
	// large ρ it cannot dominate the step (with τ <= 1 the step never points against g_B;
	// §6.4); while ‖δ‖ <= τ‖g_B‖, as on the Fashion-MNIST study's ρ, it changes nothing.
	// δ is computed as Δ(w + ε) − Δ(w), Δ = ∇Σ_i (p_i − 1/B) ℓ_i. Cost: two passes over
	// the whole batch on a DualGrader (nn.SeqSupervised, nn.Supervised, DiagNet: g_B and
	// Δ(w) from one pass), three on a WeightedLossGrader, else one LossGrad per sign group.
	// Temperature, Draws, Unit, WithoutReplacement and Score do not apply.
	VirtualMicro RWForm = iota
	// GibbsAscent is RW-SAM in the form the paper's public summaries
	// describe, reconstructed from them (docs/derivations/sam.md): per-sample scores
	// s_i ≈ ‖∇ℓ_i(w)‖, Gibbs weights over the batch
	//
	//	p_i = exp(s_i/(T·s̄)) / Σ_j exp(s_j/(T·s̄)),   s̄ = mean_i s_i,  T = Temperature,
	//
	// one perturbation along the gradient of the reweighted batch loss,
	//
	//	g_p = ∇ Σ_i p_i ℓ_i(w),   ε = ρ g_p/‖g_p‖ (or the USAM / unified form),
	//
	// and the descent gradient of the plain batch loss at the perturbed point,
	// d = ∇f_B(w + ε). T = +Inf gives p_i = 1/B, which is SAM (the same bits); as T → 0
	// the weights concentrate on the top-scoring sample and ε points along its gradient.
	// Cost: the scores (one batched pass with exact norms, or two forward passes with the
	// finite-difference default), one pass for g_p and one for d, all over the batch, so
	// it stays as parallel as SAM. Draws, Unit and WithoutReplacement do not apply and must
	// be zero.
	GibbsAscent
	// Corrections is the importance-sampled m-SAM corrections form (see RWSAM): k = Draws
	// micro-batches of size m = Unit drawn from the Gibbs distribution over units, each
	// adding an importance-weighted m-SAM correction to the batch gradient. Unit must be
	// set: single-sample corrections (Unit = 1) suit the diagonal linear network, but are
	// too noisy for an MLP on MNIST, where Unit >= 8 works (docs/REPRODUCTION.md).
	Corrections
)

// WeightedLossGrader is the optional objective method that returns the weighted loss
// Σ_k p[k]·ℓ_{idx[k]}(w) and writes its gradient into grad in one batched pass
// (nn.Supervised and nn.SeqSupervised have it). The GibbsAscent form uses it for g_p;
// without it, g_p is the mean gradient over a systematic resample of the batch (see
// resample).
type WeightedLossGrader interface {
	WeightedLossGrad(grad, p, w []float64, idx []int) float64
}

// defaultScorer is the scorer of a nil RWSAM.Score on obj: exact norms when obj gives them
// in one batched pass, the one-direction finite-difference estimate otherwise, so the
// scores never cost one pass per sample unless the caller asks for ExactNorm explicitly.
func (r *RWSAM) defaultScorer(obj nn.Objective) Scorer {
	if r.Score != nil {
		return r.Score
	}
	_, fused := obj.(LossGradNormer)
	_, norms := obj.(PerSampleGradNormer)
	if fused || norms {
		return &r.exact
	}
	if r.fd.Dirs == 0 {
		r.fd = FiniteDiff{Dirs: 1, Seed: r.Seed ^ 0x6664}
	}
	return &r.fd
}

func (r *RWSAM) validateGibbs() error {
	switch {
	case r.Draws != 0:
		return fmt.Errorf("sam: RWSAM.Draws = %d applies to Form = Corrections only (Form is GibbsAscent)", r.Draws)
	case r.Unit != 0:
		return fmt.Errorf("sam: RWSAM.Unit = %d applies to Form = Corrections only (Form is GibbsAscent)", r.Unit)
	case r.WithoutReplacement:
		return fmt.Errorf("sam: RWSAM.WithoutReplacement applies to Form = Corrections only (Form is GibbsAscent)")
	}
	if _, ok := r.Score.(*Stale); ok {
		return fmt.Errorf("sam: RWSAM.Score = *Stale needs Form = Corrections (GibbsAscent measures no per-unit norms)")
	}
	return nil
}

// gibbsStep is Step in the GibbsAscent form.
func (r *RWSAM) gibbsStep(w []float64, obj nn.Objective, batch []int) (float64, error) {
	n, b := len(w), len(batch)
	r.gB, r.d = resize(r.gB, n), resize(r.d, n)
	r.cost = Cost{}
	var loss float64
	if math.IsInf(r.temperature(), 1) {
		// Uniform weights: g_p = g_B, which is SAM.
		loss = cleanGrad(obj, r.gB, w, batch)
		r.cost.grad(b)
	} else {
		openStep(obj, w, batch, &r.cost)
		var err error
		if loss, err = r.gibbsWeights(w, obj, batch); err != nil {
			return loss, err
		}
		r.weightedGrad(w, obj, batch)
	}
	if !finite(loss) {
		return loss, checkDirection(loss, nil, -1)
	}
	sc := &r.gsc
	sc.ensure(n)
	r.p.perturb(sc, r.gB, nil, w, obj, batch, &r.cost)
	obj.LossGrad(r.d, sc.wp, batch)
	r.cost.grad(b)
	r.cost.Serial, r.cost.Depth = r.cost.Forward, r.cost.Forward
	if err := checkDirection(loss, r.d, firstNonFinite(r.d)); err != nil {
		return loss, err
	}
	clip(r.d, r.ClipNorm)
	r.Base.Update(w, r.d)
	return loss, checkParams(w)
}

// gibbsWeights scores the batch into r.s, turns the scores into the Gibbs weights r.q
// (one per sample) and returns the batch loss at w: from the fused exact pass, from the
// finite-difference base pass, or else from one forward pass of its own.
func (r *RWSAM) gibbsWeights(w []float64, obj nn.Objective, batch []int) (float64, error) {
	b := len(batch)
	r.s = resize(r.s, b)
	sc := r.defaultScorer(obj)
	var loss float64
	haveLoss := false
	if ln, ok := obj.(LossGradNormer); ok && sc == &r.exact {
		loss, haveLoss = ln.LossGradNorms(r.gB, r.s, w, batch), true
		r.cost.grad(b)
	} else {
		c, err := sc.Score(r.s, w, obj, batch)
		r.cost.add(c)
		if err != nil {
			return 0, err
		}
		if sc == &r.fd {
			loss, haveLoss = stat.Mean(r.fd.base[:b], nil), true
		}
	}
	if !haveLoss {
		r.losses = resize(r.losses, b)
		obj.Losses(r.losses, w, batch)
		r.cost.loss(b)
		loss = stat.Mean(r.losses, nil)
	}
	r.q = resize(r.q, b)
	return loss, gibbsProbs(r.q, r.s, r.temperature())
}

// gibbsProbs writes q_j = exp(s_j/(T s̄)) / Σ_l exp(s_l/(T s̄)) with s̄ = mean_j s_j (1 if
// the scores are all 0), computed with the largest exponent subtracted so that small T
// gives the top-scoring entries (shared equally on ties) instead of overflowing.
func gibbsProbs(q, s []float64, t float64) error {
	var avg float64
	for j, v := range s {
		if !finite(v) || v < 0 {
			return fmt.Errorf("sam: RWSAM score %d = %v is not finite and >= 0", j, v)
		}
		avg += v / float64(len(s))
	}
	if avg == 0 {
		avg = 1
	}
	hi := math.Inf(-1)
	for j, v := range s {
		q[j] = v / (t * avg)
		hi = max(hi, q[j])
	}
	var z float64
	for j, v := range q {
		q[j] = math.Exp(v - hi)
		z += q[j]
	}
	scale(q, 1/z)
	return nil
}

// weightedGrad writes g_p = Σ_i p_i ∇ℓ_i(w) into r.gB: exactly with a WeightedLossGrader,
// otherwise as the mean gradient over the systematic resample of the batch.
func (r *RWSAM) weightedGrad(w []float64, obj nn.Objective, batch []int) {
	b := len(batch)
	if wg, ok := obj.(WeightedLossGrader); ok {
		wg.WeightedLossGrad(r.gB, r.q, w, batch)
		r.cost.grad(b)
		return
	}
	r.resampled = resample(r.resampled[:0], batch, r.q)
	obj.LossGrad(r.gB, w, r.resampled)
	r.cost.grad(b)
}

// resample appends to dst the systematic resample of batch under weights p (Σ p = 1):
// sample k appears c_k = ⌊B·P_k + ½⌋ − ⌊B·P_{k−1} + ½⌋ times, P_k = p_0 + … + p_k, so the
// B entries' mean gradient differs from Σ p_k ∇ℓ_k by at most 1/B per weight. Uniform
// weights give every sample once (the plain batch); one weight near 1 gives B copies of
// that sample.
func resample(dst, batch []int, p []float64) []int {
	b := float64(len(batch))
	var acc float64
	prev := 0
	for k, i := range batch {
		acc += p[k]
		next := min(int(math.Floor(b*acc+0.5)), len(batch))
		if k == len(batch)-1 {
			next = len(batch)
		}
		for ; prev < next; prev++ {
			dst = append(dst, i)
		}
	}
	return dst
}
