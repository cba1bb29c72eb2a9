package sam

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/sdeml/sdeml/nn"
)

// PerSampleGrader is the optional objective method that writes the per-sample gradients
// ∇ℓ_{idx[k]}(w) into row k of dst in one batched pass (nn.Supervised has it). RWSAM
// uses it to take the k ascent gradients of the drawn units in a single pass when the k·m
// rows fit in cache (maxBatchedWork); otherwise each draw takes its own ascent pass.
type PerSampleGrader interface {
	PerSampleGrads(dst *mat.Dense, w []float64, idx []int)
}

// maxBatchedRows bounds the rows (k·m) and maxBatchedWork the entries (k·m·Dim) of the
// batched ascent; above them each unit takes its own ascent pass into per-worker scratch.
// 1<<17 entries (1 MiB) keep the rows in a core's L2 cache until they are used: larger
// row sets come back from memory three times (norm, perturbed point, reduction), and on
// the benchmark MLP (269k parameters, k = 4) one single-sample LossGrad per draw, whose
// gradient stays in cache, measured cheaper than the 4-row PerSampleGrads.
const (
	maxBatchedRows = 64
	maxBatchedWork = 1 << 17
)

// RWSAM is reweighted SAM, reconstructed (docs/derivations/sam.md §3, §4, §6). It is NOT
// verified to be the algorithm of Luo et al. (NeurIPS 2025): neither the paper body nor
// github.com/RitianLuo/RW-SAM could be read. It implements the paper's stated claim —
// reweighting the samples to get m-SAM's generalization while staying parallel — in three
// forms selected by Form. The zero value is VirtualMicro (see that constant): random
// zero-sum unit signs reweight the batch into one synthetic m-sample micro-batch, with
// passes over the whole batch only, whose expected drift is m-SAM's variance drift. GibbsAscent is the
// literal reading of the public summaries (one perturbation along the gradient of the
// Gibbs-reweighted batch loss: trains like SAM, no m-sharpness). Corrections, described
// below, is an unbiased estimator of the m-SAM direction.
//
// Corrections form. Split the batch γ (size B) into K = B/m units γ_1..γ_K of size m = Unit
// (default 1). Since g_B = ∇f_γ(w) = (1/K)Σ_j ∇f_{γ_j}(w), m-SAM's direction is
//
//	d_mSAM = (1/K)Σ_j ∇f_{γ_j}(w + ε_j) = g_B + (1/K)Σ_j c_j,   c_j = ∇f_{γ_j}(w + ε_j) − ∇f_{γ_j}(w),
//
// and the m-sharpness effect (the c_m tr Σ drift term) lives in the corrections c_j. RW-SAM
// computes g_B with one batched pass, scores every unit (S_j = sqrt(mean_{i∈γ_j} s_i²) from
// the per-sample scores s_i of Score), forms the Gibbs distribution
//
//	q_j = exp(S_j/(T·S̄)) / Σ_l exp(S_l/(T·S̄)),   S̄ = mean_j S_j,  T = Temperature,
//
// draws k = Draws units j_1..j_k from q (with replacement) and steps along
//
//	d = g_B + (1/k) Σ_r c_{j_r} / (K q_{j_r}),
//
// an unbiased estimate of d_mSAM (importance weights 1/(K q)): E[d] = d_mSAM. The k
// corrections are independent and run in parallel. Temperature = +Inf is the uniform q;
// only then is WithoutReplacement allowed, and k = K draws without replacement give m-SAM
// exactly (up to rounding). The scores are divided by their batch mean, so T is scale-free
// (T = 1 default); small T concentrates q on the sharpest samples and inflates the
// importance weights' variance.
//
// Measured (docs/REPRODUCTION.md): on A&F's stochastic diagonal net k = 1–4
// single-sample corrections reach m-SAM's (m = 1) test loss and 2-sample units reach m = 2's;
// on an MNIST MLP single-sample corrections are too noisy (use Unit = 8 or more, or uniform q)
// while 8-sample units match m-SAM with m = 8 at a fixed ρ.
//
// Each perturbation ε_j uses the SAM form (Norm = Normalized, ε = ρ g_j/(‖g_j‖+eps)), the
// USAM form (Unnormalized, ε = ρ g_j) or the unified λ form. Cost per step: one batched
// pass, the scorer's passes (ExactNorm: none when the objective is a LossGradNormer, as
// nn.Supervised is, since g_B and the per-sample norms come from the same forward and
// backward pass; otherwise one batched pass with PerSampleGradNorms; FiniteDiff: forward
// passes only; Stale: none), and 2k passes over m samples (k + 1 when the ascent rows are
// batched). The direction is formed in one reduction,
// d_i = ((a_1 (v_1,i − g_1,i) + a_2 (v_2,i − g_2,i)) + …) + g_B,i with a_r = 1/(k K q_{j_r}),
// whose last chunk pass also checks d for NaN/±Inf, so g_B is not scanned on its own.
type RWSAM struct {
	// Form selects VirtualMicro (the zero value: one random virtual micro-batch of EquivM
	// samples per step), GibbsAscent (one perturbation along the gradient of the
	// Gibbs-reweighted batch loss) or Corrections (the importance-sampled m-SAM corrections
	// described above).
	Form RWForm
	// Base applies d at the unperturbed w.
	Base Updater
	// Rho is the radius ρ >= 0 of each unit's perturbation.
	Rho float64
	// Norm, Lambda and Eps shape each ε_j as in SAM (SAM or USAM form).
	Norm   Norm
	Lambda float64
	Eps    float64
	// Temperature is T > 0 of the Gibbs distribution (0: 1; +Inf: uniform q); GibbsAscent
	// and Corrections only (it must be 0 with VirtualMicro).
	Temperature float64
	// Draws is k, the number of corrections per step (Corrections only; 0: 4).
	Draws int
	// Unit is the correction unit m (Corrections only, where it must be set); it must
	// divide the batch.
	Unit int
	// WithoutReplacement draws distinct units (Corrections with uniform q only).
	WithoutReplacement bool
	// Score gives the per-sample scores. nil: the exact norms when the objective gives them
	// in one batched pass (a LossGradNormer or PerSampleGradNormer, as nn.Supervised and
	// nn.SeqSupervised are), else FiniteDiff with one direction (two forward passes). An
	// explicit &ExactNorm{} on another objective costs one pass per sample.
	Score Scorer
	// Seed seeds the draws (Corrections: units; VirtualMicro: the sign vectors).
	Seed uint64
	// EquivM is the equivalent micro-batch size m of the VirtualMicro form (0: 4 when it
	// divides the batch, else the largest divisor of the batch below 4 that leaves two
	// units); it must divide the batch. Smaller m, stronger variance drift.
	EquivM int
	// DriftTrust is the trust ratio τ > 0 of the VirtualMicro form: the variance-drift
	// part δ of the step d = g_B + δ is scaled down to ‖δ‖ <= τ‖g_B‖, so that at large ρ
	// the drift cannot outgrow the gradient (0: 1, under which d never points against
	// g_B; +Inf: unbounded, the plain virtual micro-batch step).
	DriftTrust float64
	// ClipNorm > 0 clips d to this norm.
	ClipNorm float64
	// AscentClipNorm > 0 clips the norm of the ascent gradient (the whole vector, every
	// form) before it forms ε, as SAM's AscentClipNorm.
	AscentClipNorm float64

	p      perturbation
	eng    engine
	gB, d  []float64
	s      []float64
	q, cdf []float64
	draws  []int
	perm   []int
	norms  []float64
	subs   [][]float64
	rng    stream
	cost   Cost
	exact  ExactNorm
	fd     FiniteDiff
	gsc    scratch
	losses []float64
	// resampled is the systematic resample of the batch (GibbsAscent without a
	// WeightedLossGrader).
	resampled []int
	w         []float64
	obj       nn.Objective
	batch     []int
	m, k      int
	force     []int // test hook: fixed draws
	// VirtualMicro: the reweighted gradient g_p, a group gradient, the unit signs and a
	// test hook fixing them.
	gp, gtmp, gscr, signs []float64
	forceSigns            []float64

	batched bool
	observe bool
	gm      *mat.Dense
	gbuf    []float64
	ascIdx  []int
}

func (r *RWSAM) temperature() float64 {
	if r.Temperature == 0 {
		return 1
	}
	return r.Temperature
}

func (r *RWSAM) validate(b int) error {
	if err := r.p.Validate(); err != nil {
		return err
	}
	t := r.temperature()
	switch {
	case r.Form != VirtualMicro && r.Form != GibbsAscent && r.Form != Corrections:
		return fmt.Errorf("sam: RWSAM.Form = %d is not VirtualMicro, GibbsAscent or Corrections", int(r.Form))
	case math.IsNaN(t) || t < 0:
		return fmt.Errorf("sam: RWSAM.Temperature = %v must be > 0 (+Inf: uniform)", r.Temperature)
	case r.Draws < 0:
		return fmt.Errorf("sam: RWSAM.Draws = %d must be >= 0 (0 means 4)", r.Draws)
	case r.Unit < 0:
		return fmt.Errorf("sam: RWSAM.Unit = %d must be >= 0", r.Unit)
	case r.Unit > 1 && b%r.Unit != 0:
		return fmt.Errorf("sam: RWSAM.Unit = %d does not divide len(batch) = %d", r.Unit, b)
	case r.WithoutReplacement && !math.IsInf(t, 1):
		return fmt.Errorf("sam: RWSAM.WithoutReplacement needs Temperature = +Inf (uniform q), got %v", r.Temperature)
	case r.ClipNorm < 0 || !finite(r.ClipNorm):
		return fmt.Errorf("sam: ClipNorm = %v must be finite and >= 0", r.ClipNorm)
	case r.DriftTrust < 0 || math.IsNaN(r.DriftTrust):
		return fmt.Errorf("sam: RWSAM.DriftTrust = %v must be > 0 (0: the default; +Inf: unbounded)", r.DriftTrust)
	case r.DriftTrust != 0 && r.Form != VirtualMicro:
		return fmt.Errorf("sam: RWSAM.DriftTrust = %v applies to Form = VirtualMicro only", r.DriftTrust)
	}
	switch r.Form {
	case VirtualMicro:
		return r.validateVirtual(b)
	case GibbsAscent:
		return r.validateGibbs()
	}
	if r.Unit == 0 {
		return fmt.Errorf("sam: RWSAM.Unit = 0: Form = Corrections needs the unit size m set explicitly " +
			"(1 suits the diagonal linear network; single-sample corrections are too noisy for an MNIST MLP, where 8 or more works)")
	}
	return nil
}

// Step takes one RW-SAM step on batch and returns the batch loss at w.
func (r *RWSAM) Step(w []float64, obj nn.Objective, batch []int) (float64, error) {
	r.p = perturbation{Rho: r.Rho, Norm: r.Norm, Lambda: r.Lambda, Eps: r.Eps, AscentClip: r.AscentClipNorm}
	if err := r.validate(len(batch)); err != nil {
		return 0, err
	}
	if err := checkStep(r.Base, w, obj, batch); err != nil {
		return 0, err
	}
	switch r.Form {
	case VirtualMicro:
		return r.virtualStep(w, obj, batch)
	case GibbsAscent:
		return r.gibbsStep(w, obj, batch)
	}
	r.m = max(r.Unit, 1)
	if err := checkMinBatch(obj, r.m, "RWSAM.Unit"); err != nil {
		return 0, err
	}
	units := len(batch) / r.m
	r.k = r.Draws
	if r.k == 0 {
		r.k = 4
	}
	if r.WithoutReplacement && r.k > units {
		return 0, fmt.Errorf("sam: RWSAM.Draws = %d exceeds the %d units of the batch (WithoutReplacement)", r.k, units)
	}
	n := len(w)
	r.gB, r.d = resize(r.gB, n), resize(r.d, n)
	r.cost = Cost{}
	var loss float64
	fused := r.fusedScores(obj)
	if fused {
		// g_B and the exact per-sample scores from one forward and backward pass.
		r.s = resize(r.s, len(batch))
		openStep(obj, w, batch, &r.cost)
		loss = obj.(LossGradNormer).LossGradNorms(r.gB, r.s, w, batch)
	} else {
		loss = cleanGrad(obj, r.gB, w, batch)
	}
	r.cost.grad(len(batch))
	if !finite(loss) {
		// g_B itself is checked once, inside d = g_B + Σ corrections (NaN and ±Inf survive
		// the sum as NaN or ±Inf).
		return loss, checkDirection(loss, nil, -1)
	}
	sc, err := r.unitGibbs(w, obj, batch, units, fused)
	if err != nil {
		return loss, err
	}
	r.sampleUnits(units)
	r.w, r.obj, r.batch = w, obj, batch
	ac := r.batchAscent(w, obj)
	r.norms = resize(r.norms, r.k)
	if cap(r.subs) < r.k {
		r.subs = make([][]float64, r.k)
	}
	r.subs = r.subs[:r.k]
	o, isObs := r.defaultScorer(obj).(observer)
	r.observe = isObs
	cc, bad := r.eng.run(r.d, r.gB, r, r.k)
	clear(r.subs)
	r.w, r.obj = nil, nil
	r.cost.add(sc)
	r.cost.add(ac)
	r.cost.add(cc)
	r.cost.Serial = 1 + sc.Serial + ac.Forward + cc.Serial
	r.cost.Depth = 1 + sc.Depth + ac.Forward + cc.Depth
	if err := checkDirection(loss, r.d, bad); err != nil {
		r.batch = nil
		return loss, err
	}
	if isObs {
		for i, j := range r.draws[:r.k] {
			o.observe(r.unitIdx(j), r.norms[i])
		}
	}
	r.batch = nil
	clip(r.d, r.ClipNorm)
	r.Base.Update(w, r.d)
	return loss, checkParams(w)
}

// LastCost returns the cost of the last Step.
func (r *RWSAM) LastCost() Cost { return r.cost }

func (r *RWSAM) unitIdx(j int) []int { return r.batch[j*r.m : (j+1)*r.m] }

// fusedScores reports whether the step takes g_B and the scores from one LossGradNorms
// pass: the scores are needed (finite T), they are exact norms (ExactNorm) and the
// objective has the fused method.
func (r *RWSAM) fusedScores(obj nn.Objective) bool {
	if math.IsInf(r.temperature(), 1) {
		return false
	}
	if _, ok := r.defaultScorer(obj).(*ExactNorm); !ok {
		return false
	}
	_, ok := obj.(LossGradNormer)
	return ok
}

// unitGibbs fills r.q with the Gibbs probabilities of the units. With scored set, r.s already
// holds the per-sample scores (from the fused batch pass) and the scorer is not called.
func (r *RWSAM) unitGibbs(w []float64, obj nn.Objective, batch []int, units int, scored bool) (Cost, error) {
	r.q = resize(r.q, units)
	t := r.temperature()
	if math.IsInf(t, 1) {
		for j := range r.q {
			r.q[j] = 1 / float64(units)
		}
		return Cost{}, nil
	}
	var c Cost
	if !scored {
		r.s = resize(r.s, len(batch))
		var err error
		if c, err = r.defaultScorer(obj).Score(r.s, w, obj, batch); err != nil {
			return c, err
		}
	}
	for j := range units {
		var ss float64
		for _, v := range r.s[j*r.m : (j+1)*r.m] {
			ss += v * v
		}
		r.q[j] = math.Sqrt(ss / float64(r.m))
	}
	return c, gibbsProbs(r.q, r.q, t)
}

// sampleUnits draws r.k unit indices into r.draws.
func (r *RWSAM) sampleUnits(units int) {
	if cap(r.draws) < r.k {
		r.draws = make([]int, r.k)
	}
	r.draws = r.draws[:r.k]
	if r.force != nil {
		copy(r.draws, r.force)
		return
	}
	rng := r.rng.get(r.Seed, 0x72772d73616d)
	if r.WithoutReplacement {
		if len(r.perm) != units {
			r.perm = seqInts(r.perm, units)
		}
		for i := range r.k {
			j := i + rng.IntN(units-i)
			r.perm[i], r.perm[j] = r.perm[j], r.perm[i]
		}
		copy(r.draws, r.perm[:r.k])
		return
	}
	r.cdf = resize(r.cdf, units)
	var acc float64
	for j, q := range r.q {
		acc += q
		r.cdf[j] = acc
	}
	for i := range r.draws {
		u := rng.Float64() * acc
		j := 0
		for j < units-1 && u >= r.cdf[j] {
			j++
		}
		r.draws[i] = j
	}
}

// batchAscent computes the ascent gradients of all drawn units in one PerSampleGrads pass
// if the objective has it and the rows fit; r.batched reports whether it did.
func (r *RWSAM) batchAscent(w []float64, obj nn.Objective) Cost {
	var c Cost
	pg, ok := obj.(PerSampleGrader)
	rows, n := r.k*r.m, len(w)
	r.batched = ok && rows <= maxBatchedRows && rows*n <= maxBatchedWork
	if !r.batched {
		return c
	}
	r.ascIdx = r.ascIdx[:0]
	for _, j := range r.draws {
		r.ascIdx = append(r.ascIdx, r.unitIdx(j)...)
	}
	if r.gm == nil || r.gm.RawMatrix().Rows != rows || r.gm.RawMatrix().Cols != n {
		r.gbuf = resize(r.gbuf, rows*n)
		r.gm = mat.NewDense(rows, n, r.gbuf)
	}
	pg.PerSampleGrads(r.gm, w, r.ascIdx)
	c.grad(rows)
	return c
}

// ascent returns the ascent gradient ∇f_{γ_j}(w) of draw i: its row of the batched
// per-sample gradients (m = 1, no copy), their mean written into sc.g, or one LossGrad
// pass into sc.g.
func (r *RWSAM) ascent(sc *scratch, i int, mb []int, c *Cost) []float64 {
	if !r.batched {
		r.obj.LossGrad(sc.g, r.w, mb)
		c.grad(len(mb))
		return sc.g
	}
	raw := r.gm.RawMatrix()
	n := len(sc.g)
	row := func(q int) []float64 { return raw.Data[q*raw.Stride:][:n:n] }
	if r.m == 1 {
		return row(i)
	}
	g := sc.g
	copy(g, row(i*r.m))
	for k := 1; k < r.m; k++ {
		floats.Add(g, row(i*r.m+k))
	}
	scale(g, 1/float64(r.m))
	return g
}

// unit computes the correction c_j = ∇f_{γ_j}(w + ε_j) − ∇f_{γ_j}(w) for draw i.
func (r *RWSAM) unit(sc *scratch, dst []float64, i int) (float64, Cost) {
	mb := r.unitIdx(r.draws[i])
	var c Cost
	sc.ensure(len(r.w))
	g := r.ascent(sc, i, mb, &c)
	moved := r.p.perturb(sc, g, nil, r.w, r.obj, mb, &c)
	if r.observe {
		if r.p.Rho > 0 {
			r.norms[i] = sc.gnorm
		} else {
			r.norms[i] = norm(g)
		}
	}
	r.subs[i] = nil
	if !moved {
		clear(dst)
		return 0, c
	}
	r.obj.LossGrad(dst, sc.wp, mb)
	c.grad(len(mb))
	if (r.batched && r.m == 1) || sc.keep {
		// g is a row of the batched per-sample gradients, valid for the whole step, or
		// scratch the engine does not reuse before reducing this draw: the reduction
		// subtracts it (see weight), saving a pass over dst.
		r.subs[i] = g
		return 0, c
	}
	floats.Sub(dst, g)
	return 0, c
}

// weight is the importance weight 1/(k K q_j) of draw i, with the ascent gradient to
// subtract if unit left it in place.
func (r *RWSAM) weight(i int, _ float64, _ Cost) (float64, []float64) {
	units := len(r.q)
	return 1 / (float64(r.k) * float64(units) * r.q[r.draws[i]]), r.subs[i]
}
