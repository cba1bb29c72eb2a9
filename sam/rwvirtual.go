package sam

import (
	"fmt"
	"math"

	"github.com/sdeml/sdeml/nn"
)

// defaultEquivM is the equivalent micro-batch size of a zero RWSAM.EquivM (when it divides
// the batch): the m whose m-SAM gains the VirtualMicro form was tuned to reproduce
// (docs/derivations/sam.md §6).
const defaultEquivM = 4

// equivM returns the unit size m of the VirtualMicro form for a batch of b samples: EquivM,
// or for EquivM = 0 the largest divisor of b not above defaultEquivM that leaves at least
// two units (b itself when b < 2, which makes the step SAM).
func (r *RWSAM) equivM(b int) int {
	if r.EquivM > 0 {
		return r.EquivM
	}
	for m := min(defaultEquivM, b/2); m >= 1; m-- {
		if b%m == 0 {
			return m
		}
	}
	return b
}

func (r *RWSAM) validateVirtual(b int) error {
	switch {
	case r.EquivM < 0:
		return fmt.Errorf("sam: RWSAM.EquivM = %d must be >= 0 (0 means %d or the largest divisor of the batch below it)", r.EquivM, defaultEquivM)
	case r.EquivM > 0 && b%r.EquivM != 0:
		return fmt.Errorf("sam: RWSAM.EquivM = %d does not divide len(batch) = %d", r.EquivM, b)
	case r.Temperature != 0:
		return fmt.Errorf("sam: RWSAM.Temperature = %v applies to Form = GibbsAscent or Corrections only (Form is VirtualMicro)", r.Temperature)
	case r.Draws != 0:
		return fmt.Errorf("sam: RWSAM.Draws = %d applies to Form = Corrections only (Form is VirtualMicro)", r.Draws)
	case r.Unit != 0:
		return fmt.Errorf("sam: RWSAM.Unit = %d applies to Form = Corrections only (Form is VirtualMicro; set EquivM)", r.Unit)
	case r.WithoutReplacement:
		return fmt.Errorf("sam: RWSAM.WithoutReplacement applies to Form = Corrections only (Form is VirtualMicro)")
	case r.Score != nil:
		return fmt.Errorf("sam: RWSAM.Score = %T applies to Form = GibbsAscent or Corrections only (VirtualMicro uses no scores)", r.Score)
	}
	return nil
}

// drawSigns fills r.signs with a uniformly random zero-sum sign per unit (K even: K/2 of
// each sign; K odd: one unit 0) from the draw stream and returns b = √((K−1)/v), the
// amplitude that makes the virtual micro-batch's gradient covariance that of m-SAM's units
// (v = E[s_j²] = 1, or (K−1)/K for odd K).
func (r *RWSAM) drawSigns(k int) float64 {
	r.signs = resize(r.signs, k)
	if k < 2 {
		clear(r.signs)
		return 0
	}
	if r.forceSigns != nil {
		copy(r.signs, r.forceSigns)
	} else {
		rng := r.rng.get(r.Seed, 0x72772d76697274)
		half := k / 2
		for j := range r.signs {
			switch {
			case j < half:
				r.signs[j] = 1
			case j < 2*half:
				r.signs[j] = -1
			default:
				r.signs[j] = 0
			}
		}
		rng.Shuffle(k, func(a, b int) { r.signs[a], r.signs[b] = r.signs[b], r.signs[a] })
	}
	v := 1.0
	if k%2 == 1 {
		v = float64(k-1) / float64(k)
	}
	return math.Sqrt(float64(k-1) / v)
}

// DualGrader is the optional objective method that returns the mean loss over idx and
// writes both its gradient (into grad) and the weighted gradient Σ_k p[k]·∇ℓ_{idx[k]}(w)
// (into pgrad) from one forward and backward pass (nn.SeqSupervised has it). The
// VirtualMicro form uses it for g_B and Δ(w), so that a step takes two passes over the
// batch (the first with one more weight-gradient product per layer) instead of three.
type DualGrader interface {
	LossGradWeighted(grad, pgrad, p, w []float64, idx []int) float64
}

// virtualStep is Step in the VirtualMicro form:
//
//	p_i = (1 + b s_{u(i)})/B,   g_p = ∇f_p(w),   ε = perturbation of g_p,
//	δ = [∇f_p(w + ε) − g_p] − [∇f_B(w + ε) − g_B],   f_p = Σ_i p_i ℓ_i,
//	d = g_B + min(1, τ‖g_B‖/‖δ‖)·δ,                   τ = DriftTrust,
//
// with δ computed as Δ(w + ε) − Δ(w), Δ = ∇f_Δ, f_Δ = f_p − f_B = Σ_i (b s_{u(i)}/B) ℓ_i,
// so the perturbed point needs one weighted gradient, and g_p = g_B + Δ(w).
func (r *RWSAM) virtualStep(w []float64, obj nn.Objective, batch []int) (float64, error) {
	n, b := len(w), len(batch)
	m := r.equivM(b)
	k := b / m
	amp := r.drawSigns(k)
	r.gB, r.d = resize(r.gB, n), resize(r.d, n)
	r.gp, r.gtmp = resize(r.gp, n), resize(r.gtmp, n)
	r.cost = Cost{}
	// Its passes are reweighted or on sign groups, none a clean pass on the batch: a
	// stateful objective is advanced by a forward-only pass first.
	openStep(obj, w, batch, &r.cost)
	r.q = resize(r.q, b)
	for i := range r.q {
		r.q[i] = amp * r.signs[i/m] / float64(b)
	}
	// r.gtmp = Δ(w), r.gB = g_B.
	wg, weighted := obj.(WeightedLossGrader)
	dg, dual := obj.(DualGrader)
	var loss float64
	switch {
	case dual && weighted:
		loss = dg.LossGradWeighted(r.gB, r.gtmp, r.q, w, batch)
		r.cost.grad(b)
	case weighted:
		loss = obj.LossGrad(r.gB, w, batch)
		r.cost.grad(b)
		if finite(loss) {
			wg.WeightedLossGrad(r.gtmp, r.q, w, batch)
			r.cost.grad(b)
		}
	default:
		loss = r.groupGrads(r.gB, r.gtmp, w, obj, batch, m, amp)
	}
	if !finite(loss) {
		return loss, checkDirection(loss, nil, -1)
	}
	for i, g := range r.gB {
		r.gp[i] = g + r.gtmp[i]
	}
	sc := &r.gsc
	sc.ensure(n)
	if r.p.perturb(sc, r.gp, nil, w, obj, batch, &r.cost) {
		// r.d = Δ(w + ε); d = g_B + Δ(w + ε) − Δ(w).
		if weighted {
			wg.WeightedLossGrad(r.d, r.q, sc.wp, batch)
			r.cost.grad(b)
		} else {
			r.groupGrads(nil, r.d, sc.wp, obj, batch, m, amp)
		}
		// r.d = δ = Δ(w + ε) − Δ(w), scaled down to ‖δ‖ <= τ‖g_B‖; d = g_B + δ.
		var dd, gg float64
		for i, gb := range r.gB {
			r.d[i] -= r.gtmp[i]
			dd += r.d[i] * r.d[i]
			gg += gb * gb
		}
		f := 1.0
		if tau := r.driftTrust(); !math.IsInf(tau, 1) && dd > tau*tau*gg {
			f = tau * math.Sqrt(gg/dd)
		}
		for i, gb := range r.gB {
			r.d[i] = gb + f*r.d[i]
		}
	} else {
		copy(r.d, r.gB)
	}
	r.cost.Serial, r.cost.Depth = r.cost.Forward, r.cost.Forward
	if err := checkDirection(loss, r.d, firstNonFinite(r.d)); err != nil {
		return loss, err
	}
	clip(r.d, r.ClipNorm)
	r.Base.Update(w, r.d)
	return loss, checkParams(w)
}

// groupGrads computes, for an objective without WeightedLossGrad, Δ(x) = ∇f_Δ(x) (into
// delta) and, unless gB is nil, ∇f_B(x) and f_B(x) (returned, else 0), from one LossGrad
// pass per sign group (the samples of the +, − and, for ∇f_B only, 0 units): with n_σ
// samples and mean gradient G_σ in group σ, ∇f_B = Σ_σ (n_σ/B) G_σ and
// Δ = Σ_σ (n_σ/B) b σ G_σ. The groups cover the batch once (the ± units only for Δ alone).
func (r *RWSAM) groupGrads(gB, delta, x []float64, obj nn.Objective, batch []int, m int, amp float64) float64 {
	b := len(batch)
	r.gscr = resize(r.gscr, len(x))
	if gB != nil {
		clear(gB)
	}
	clear(delta)
	var loss float64
	for _, sign := range []float64{1, -1, 0} {
		if sign == 0 && gB == nil {
			break
		}
		r.ascIdx = r.ascIdx[:0]
		for j, s := range r.signs {
			if s == sign {
				r.ascIdx = append(r.ascIdx, batch[j*m:(j+1)*m]...)
			}
		}
		if len(r.ascIdx) == 0 {
			continue
		}
		frac := float64(len(r.ascIdx)) / float64(b)
		l := obj.LossGrad(r.gscr, x, r.ascIdx)
		r.cost.grad(len(r.ascIdx))
		loss += frac * l
		for i, g := range r.gscr {
			if gB != nil {
				gB[i] += frac * g
			}
			delta[i] += frac * amp * sign * g
		}
	}
	if gB == nil {
		return 0
	}
	return loss
}

// defaultDriftTrust is τ of a zero RWSAM.DriftTrust (docs/derivations/sam.md §6.4): the
// drift may turn the step by at most 90° from g_B, never against it.
const defaultDriftTrust = 1

// driftTrust returns τ: DriftTrust, or defaultDriftTrust for 0.
func (r *RWSAM) driftTrust() float64 {
	if r.DriftTrust == 0 {
		return defaultDriftTrust
	}
	return r.DriftTrust
}
