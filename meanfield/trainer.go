package meanfield

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/sdeml/sdeml/internal/parallel"
)

// Method selects the particle dynamics of a Trainer. Every method takes the per-neuron
// step h_n = Schedule.Step(n) at iteration n, which sits at mean-field time
// t_n = Schedule.Time(n); with α = 0, h = g_N = γN^{β−1} for every n.
type Method int

const (
	// GD is full-batch gradient descent on Data: W^k ← W^k − h_n b(W^k, μ^N_n), with
	// b(w, μ) = Σ_q π_q ∂ℓ(f_μ(x_q), y_q)ᵀ ∇_w F(w, x_q) = N ∇_{w^k} R^N.
	GD Method = iota
	// SGD is minibatch SGD exactly as the paper's code: one minibatch of Batch iid
	// samples per step, shared by all neurons, W^k ← W^k − h_n (1/M) Σ_{i∈B} G(W^k, μ^N; X_i, Y_i).
	SGD
	// GaussianSGD is the Euler–Maruyama step (dt = g_N) of the particle SDE with the SGD
	// noise covariance, cross-neuron blocks included (docs/derivations/msgld.md §3):
	// W^k ← W^k − h_n [ b(W^k, μ^N) + M^{−1/2} Σ_q A_q^k Z_q ], A_q^k = √π_q (G_q^k − b^k),
	// with one standard normal Z_q per data point, shared by all neurons.
	GaussianSGD
	// MSGLD is the same step with independent normals Z^k_q per neuron: per-neuron noise
	// with the SGD marginal covariance Σ(W^k, μ^N)/M and no cross-neuron correlation
	// (docs/derivations/msgld.md §4, a reconstruction of the paper's mSGLD).
	MSGLD
)

// String names the method.
func (m Method) String() string {
	switch m {
	case GD:
		return "GD"
	case SGD:
		return "SGD"
	case GaussianSGD:
		return "GaussianSGD"
	case MSGLD:
		return "mSGLD"
	}
	return fmt.Sprintf("Method(%d)", int(m))
}

// Trainer steps a particle system under one Method. The zero value is not usable: set
// Unit, Loss, Method, Schedule and the data fields. A Trainer keeps scratch space and its
// random streams between steps and is not safe for concurrent use.
//
// Randomness: the minibatches (SGD) and the shared normals (GaussianSGD) come from the
// stream parallel.Stream(Seed, −1); particle k's normals (MSGLD) come from
// parallel.Stream(Seed, k). A second Trainer with the same Seed and Limit set (a twin
// run) therefore sees exactly the same increments.
type Trainer struct {
	// Unit is the per-neuron map F(w, x); particles have Unit.Dim() coordinates.
	Unit Unit
	// Loss is ℓ(f, y), applied to the network field f = Σ_k ω_k F(W^k, x).
	Loss Loss
	// Method selects the dynamics (GD, SGD, GaussianSGD, MSGLD).
	Method Method
	// Schedule gives the per-neuron step h_n = Schedule.Step(n) of iteration n. Its width
	// Schedule.N must equal the particle count unless ReferenceSystem is set or β = 1 (then
	// the step g_N = γ^{1/(1−α)} does not depend on N, so N changes nothing computed).
	Schedule Schedule
	// ReferenceSystem declares that the particles are not the width-Schedule.N network but
	// a reference system stepped with that network's schedule: the weighted Gauss–Hermite
	// quadrature of λ_0 whose GD run is the deterministic mean-field limit
	// (GaussHermiteParticles, RecordField), or a large system for the noisy limit. Only then
	// may Schedule.N differ from the particle count when β < 1; otherwise that mismatch is an
	// error, because the step h_n would silently belong to another width.
	ReferenceSystem bool
	// Data is the law π as weighted points: required by GD, GaussianSGD and MSGLD; SGD
	// samples from it with replacement when Sampler is nil.
	Data *Points
	// Sampler draws SGD's iid samples (optional for SGD, unused otherwise).
	Sampler Sampler
	// Batch is the minibatch size M (SGD) or the noise scale M^{−1/2} (GaussianSGD, MSGLD).
	Batch int
	// Penalty λ ≥ 0 adds V(w) = λ|w|²/2 to the risk, so the drift gains λw.
	Penalty float64
	// Seed keys the random streams.
	Seed uint64
	// Limit, when set, replaces the particle field by a stored field: step n uses
	// f = Limit.F[n]. A particle stepped this way is the mean-field twin: it follows
	// b(·, λ_{t_n}) (and, for MSGLD, the diffusion factor at λ_{t_n}) with its own
	// initial value and normals.
	Limit *FieldPath

	ready bool
	nPart int
	dense bool
	lay   denseLayout
	dw    denseWork
	fw    fieldWork
	st    stepState
	field []float64
	batch Points
	sampl Sampler
	// shared is the stream parallel.Stream(Seed, −1) (its PCG in sharedPCG); the
	// per-particle streams live in st, their PCGs in pcgs (kept for checkpoints).
	shared    *rand.Rand
	sharedPCG *rand.PCG
	pcgs      []*rand.PCG
}

// stepState is what the parallel update passes of one step read: the particles, the
// step's points, the loss gradients ∂ℓ_q (n×K), the shared step weights c_q, the step
// size and noise scale, the per-particle streams (mSGLD) and per-worker scratch.
type stepState struct {
	ps              *Particles
	pts             *Points
	dl, coef        []float64
	decay, h, sigma float64
	parts           []*rand.Rand
	cbuf, gbuf      [][]float64
	bad             []bool
}

// ensureWorkers sizes the per-worker scratch for nb parallel items (GOMAXPROCS may have
// grown since the last step).
func (st *stepState) ensureWorkers(nb, n, d int) {
	w := parallel.Workers(nb)
	for len(st.cbuf) < w {
		st.cbuf = append(st.cbuf, make([]float64, n))
		st.gbuf = append(st.gbuf, make([]float64, d))
	}
}

// coefs returns particle k's step weights: the shared c_q, or (mSGLD) weights built from
// n fresh normals of particle k's own stream, in worker's scratch.
func (st *stepState) coefs(worker, k int) []float64 {
	if st.parts == nil {
		return st.coef
	}
	c := st.cbuf[worker]
	noiseCoef(c, st.pts, st.h, st.sigma, st.parts[k])
	return c
}

// firstBad returns the first particle flagged non-finite, or −1.
func (st *stepState) firstBad() int {
	for k, b := range st.bad {
		if b {
			return k
		}
	}
	return -1
}

// Reset discards the scratch space and restarts the random streams from Seed.
func (tr *Trainer) Reset() { tr.ready = false }

// Field returns the particle field f_μ on the points of the last Step (Data, or the
// minibatch for SGD), n×K. It is overwritten by the next Step.
func (tr *Trainer) Field() []float64 { return tr.field }

func (tr *Trainer) validate(ps *Particles) error {
	if tr.Unit == nil {
		return fmt.Errorf("meanfield: Trainer.Unit is nil")
	}
	if tr.Loss == nil {
		return fmt.Errorf("meanfield: Trainer.Loss is nil")
	}
	if err := tr.Schedule.Validate(); err != nil {
		return err
	}
	if ps == nil || ps.N < 1 || len(ps.W) != ps.N*ps.D {
		return fmt.Errorf("meanfield: invalid Particles")
	}
	if ps.D != tr.Unit.Dim() {
		return fmt.Errorf("meanfield: Particles.D = %d, but Unit.Dim() = %d", ps.D, tr.Unit.Dim())
	}
	if tr.Schedule.N != ps.N && tr.Schedule.Beta != 1 && !tr.ReferenceSystem {
		return fmt.Errorf("meanfield: Trainer.Schedule.N = %d, but Particles.N = %d (beta = %v, so the step depends on N); use the particle count, or set Trainer.ReferenceSystem to step a reference system (e.g. a Gauss–Hermite quadrature of the limit) with the schedule of width %d", tr.Schedule.N, ps.N, tr.Schedule.Beta, tr.Schedule.N)
	}
	if !(tr.Penalty >= 0) || math.IsInf(tr.Penalty, 0) {
		return fmt.Errorf("meanfield: Trainer.Penalty = %v, want finite >= 0", tr.Penalty)
	}
	p, k := tr.Unit.InDim(), tr.Unit.OutDim()
	switch tr.Method {
	case GD, GaussianSGD, MSGLD:
		if tr.Data == nil {
			return fmt.Errorf("meanfield: Trainer.Data is nil (Method %v)", tr.Method)
		}
	case SGD:
		if tr.Sampler == nil && tr.Data == nil {
			return fmt.Errorf("meanfield: Trainer.Sampler and Trainer.Data are both nil (Method SGD)")
		}
		if tr.Limit != nil {
			return fmt.Errorf("meanfield: Trainer.Limit is set with Method SGD; a twin of SGD is a GD or MSGLD run")
		}
	default:
		return fmt.Errorf("meanfield: Trainer.Method = %d is unknown", int(tr.Method))
	}
	if tr.Method != GD && tr.Batch < 1 {
		return fmt.Errorf("meanfield: Trainer.Batch = %d, want >= 1", tr.Batch)
	}
	if tr.Data != nil {
		if err := tr.Data.Validate(); err != nil {
			return fmt.Errorf("meanfield: Trainer.Data: %w", err)
		}
	}
	if tr.Data != nil && (tr.Data.P != p || tr.Data.K != k) {
		return fmt.Errorf("meanfield: Trainer.Data has P = %d, K = %d; Unit has InDim %d, OutDim %d", tr.Data.P, tr.Data.K, p, k)
	}
	if tr.Sampler != nil {
		if sp, sk := tr.Sampler.Dims(); sp != p || sk != k {
			return fmt.Errorf("meanfield: Trainer.Sampler has dims (%d, %d); Unit has (%d, %d)", sp, sk, p, k)
		}
	}
	if tr.Limit != nil && (tr.Limit.Q != tr.Data.Len() || tr.Limit.K != k) {
		return fmt.Errorf("meanfield: Trainer.Limit has Q = %d, K = %d; Data has %d points, K = %d", tr.Limit.Q, tr.Limit.K, tr.Data.Len(), k)
	}
	return nil
}

func (tr *Trainer) prepare(ps *Particles) error {
	if tr.ready && tr.nPart == ps.N {
		return nil
	}
	if err := tr.validate(ps); err != nil {
		return err
	}
	p, k := tr.Unit.InDim(), tr.Unit.OutDim()
	n := 0
	if tr.Method == SGD {
		n = tr.Batch
		tr.batch = Points{P: p, K: k, X: make([]float64, n*p), Y: make([]float64, n*k)}
		tr.sampl = tr.Sampler
		if tr.sampl == nil {
			s, err := NewDatasetSampler(tr.Data)
			if err != nil {
				return err
			}
			tr.sampl = s
		}
	} else {
		n = tr.Data.Len()
	}
	tr.field = make([]float64, n*k)
	st := &tr.st
	st.dl = make([]float64, n*k)
	st.coef = make([]float64, n)
	st.cbuf, st.gbuf = nil, nil
	st.bad = make([]bool, ps.N)
	tr.sharedPCG = parallel.Stream(tr.Seed, -1)
	tr.shared = rand.New(tr.sharedPCG)
	st.parts, tr.pcgs = nil, nil
	if tr.Method == MSGLD {
		st.parts = make([]*rand.Rand, ps.N)
		tr.pcgs = make([]*rand.PCG, ps.N)
		for i := range st.parts {
			tr.pcgs[i] = parallel.Stream(tr.Seed, i)
			st.parts[i] = rand.New(tr.pcgs[i])
		}
	}
	tr.dense = false
	if du, ok := tr.Unit.(denseUnit); ok {
		tr.dense, tr.lay = true, du.layout()
	} else {
		tr.fw.ensure(tr.Unit, ps.N, n)
	}
	tr.nPart = ps.N
	tr.ready = true
	return nil
}

// noiseCoef writes the per-point weights c_q = h π_q + σ(√π_q Z_q − π_q Σ_r √π_r Z_r)
// of one step, so that Σ_q c_q G_q = h b + σ Σ_q A_q Z_q with A_q = √π_q (G_q − b).
func noiseCoef(c []float64, pts *Points, h, sigma float64, r *rand.Rand) {
	if r == nil {
		for q := range c {
			c[q] = h * pts.W(q)
		}
		return
	}
	var s float64
	for q := range c {
		z := r.NormFloat64()
		sp := math.Sqrt(pts.W(q))
		c[q] = sp * z
		s += c[q]
	}
	for q := range c {
		pq := pts.W(q)
		c[q] = h*pq + sigma*(c[q]-pq*s)
	}
}

// Step advances the particles by iteration n (mean-field time t_n to t_{n+1}) and returns
// the risk Σ_q π_q ℓ(f_q, y_q) of the field the step used (the particles' field, or
// Limit.F[n] for a twin) on the step's points. A non-finite risk or particle stops with
// an error; the particles are then partly updated.
func (tr *Trainer) Step(ps *Particles, n int) (float64, error) {
	if err := tr.prepare(ps); err != nil {
		return 0, err
	}
	if n < 0 {
		return 0, fmt.Errorf("meanfield: Step n = %d, want >= 0", n)
	}
	h := tr.Schedule.Step(n)
	pts := tr.Data
	if tr.Method == SGD {
		pts = &tr.batch
		x, y := pts.X, pts.Y
		for i := range tr.Batch {
			tr.sampl.Sample(x[i*pts.P:(i+1)*pts.P], y[i*pts.K:(i+1)*pts.K], tr.shared)
		}
	}
	nq, K := pts.Len(), pts.K
	if tr.dense {
		tr.dw.forward(tr.field, tr.lay, ps, pts)
	} else {
		tr.fw.compute(tr.field, tr.Unit, ps, pts)
	}
	f := tr.field
	if tr.Limit != nil {
		if n >= len(tr.Limit.F) {
			return 0, fmt.Errorf("meanfield: Step n = %d beyond Trainer.Limit, which holds the field of steps 0…%d (%d fields, as stored by RecordField with steps = %d)", n, len(tr.Limit.F)-1, len(tr.Limit.F), len(tr.Limit.F)-1)
		}
		f = tr.Limit.F[n]
	}
	st := &tr.st
	var risk float64
	for q := range nq {
		risk += pts.W(q) * tr.Loss.ValueGrad(st.dl[q*K:(q+1)*K], f[q*K:(q+1)*K], pts.Y[q*K:(q+1)*K])
	}
	if math.IsNaN(risk) || math.IsInf(risk, 0) {
		return risk, fmt.Errorf("meanfield: non-finite risk %v at step %d", risk, n)
	}
	st.ps, st.pts, st.h, st.sigma = ps, pts, h, 0
	var shared *rand.Rand
	switch tr.Method {
	case GaussianSGD:
		st.sigma = h / math.Sqrt(float64(tr.Batch))
		shared = tr.shared
	case MSGLD:
		st.sigma = h / math.Sqrt(float64(tr.Batch))
	}
	noiseCoef(st.coef, pts, h, st.sigma, shared)
	st.decay = 1 - h*tr.Penalty
	var bad int
	if tr.dense {
		st.ensureWorkers((ps.N+rowBlock-1)/rowBlock, nq, ps.D)
		bad = tr.dw.backward(st)
	} else {
		st.ensureWorkers((ps.N+blockSize-1)/blockSize, nq, ps.D)
		bad = tr.fw.update(st)
	}
	if bad >= 0 {
		return risk, fmt.Errorf("meanfield: particle %d became non-finite at step %d", bad, n)
	}
	return risk, nil
}

// Run performs steps iterations n = first, …, first+steps−1, calling hook (if non-nil)
// after each with the iteration index and risk; a hook error stops the run. It returns an
// error for first < 0 or steps < 0 (naming the schedule's problem when the count came
// from Schedule.Iterations of an invalid schedule).
func (tr *Trainer) Run(ps *Particles, first, steps int, hook func(n int, risk float64) error) error {
	_, err := tr.RunContext(context.Background(), ps, first, steps, hook)
	return err
}

// RunContext is Run that also stops when ctx is done. ctx is checked before every step, so
// a cancelled run stops cleanly at the end of the step in progress, with the particles and
// the random streams between two steps: a Checkpoint taken then (with the returned index)
// resumes bit-identically. It returns the index of the next step to run (first+steps when
// the run completes) and, when stopped by ctx, an error wrapping ctx.Err().
func (tr *Trainer) RunContext(ctx context.Context, ps *Particles, first, steps int, hook func(n int, risk float64) error) (next int, err error) {
	switch {
	case first < 0:
		return first, fmt.Errorf("meanfield: Trainer.Run: first = %d, want >= 0", first)
	case steps < 0:
		if err := tr.Schedule.Validate(); err != nil {
			return first, fmt.Errorf("meanfield: Trainer.Run: steps = %d (from an invalid schedule?): %w", steps, err)
		}
		return first, fmt.Errorf("meanfield: Trainer.Run: steps = %d, want >= 0", steps)
	case steps > math.MaxInt-first:
		return first, fmt.Errorf("meanfield: Trainer.Run: first + steps = %d + %d overflows int", first, steps)
	}
	for n := first; n < first+steps; n++ {
		if err := ctx.Err(); err != nil {
			return n, fmt.Errorf("meanfield: run stopped before step %d: %w", n, err)
		}
		risk, err := tr.Step(ps, n)
		if err != nil {
			return n, err
		}
		if hook != nil {
			if err := hook(n, risk); err != nil {
				return n + 1, err
			}
		}
	}
	return first + steps, nil
}
