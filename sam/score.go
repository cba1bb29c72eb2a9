package sam

import (
	"fmt"
	"gonum.org/v1/gonum/floats"
	"math"

	"github.com/sdeml/sdeml/internal/parallel"
	"github.com/sdeml/sdeml/nn"
)

// Scorer assigns each sample of a batch a sharpness score s_k >= 0, the quantity RW-SAM's
// Gibbs distribution weights. Score writes s_k for sample batch[k] into dst[k] and returns
// the work it did.
type Scorer interface {
	Score(dst, w []float64, obj nn.Objective, batch []int) (Cost, error)
}

// observer is implemented by scorers that learn from the per-unit ascent-gradient norms
// RW-SAM measures anyway (Stale).
type observer interface {
	observe(batch []int, norm float64)
}

// PerSampleGradNormer is the optional objective method that gives exact per-sample gradient
// norms ‖∇ℓ_i(w)‖ in one batched pass (nn.Supervised has it, through the outer-product
// structure ‖δ⊗a‖² = ‖δ‖²‖a‖² of dense-layer gradients).
type PerSampleGradNormer interface {
	PerSampleGradNorms(dst []float64, w []float64, idx []int)
}

// LossGradNormer is the optional objective method that returns the mean batch loss, writes
// the batch gradient ∇f_idx(w) into grad and the exact per-sample gradient norms
// ‖∇ℓ_{idx[k]}(w)‖ (not divided by |idx|) into norms[k], all from one forward and backward
// pass (nn.Supervised has it: the norms are row norms of the errors δ_l and activations that
// the batch backward pass computes anyway). The gradient must equal LossGrad's.
type LossGradNormer interface {
	LossGradNorms(grad, norms, w []float64, idx []int) float64
}

// ExactNorm scores sample i by its exact gradient norm s_i = ‖∇ℓ_i(w)‖. It uses the
// objective's PerSampleGradNorms if it has one (one batched forward and backward pass);
// otherwise it falls back to one single-sample LossGrad pass per sample, in parallel.
// RWSAM with this scorer takes the scores from the batch-gradient pass itself when the
// objective is a LossGradNormer, and calls Score only otherwise.
type ExactNorm struct {
	work []scratch
}

// Score writes ‖∇ℓ_{batch[k]}(w)‖ into dst[k].
func (e *ExactNorm) Score(dst, w []float64, obj nn.Objective, batch []int) (Cost, error) {
	var c Cost
	if p, ok := obj.(PerSampleGradNormer); ok {
		p.PerSampleGradNorms(dst, w, batch)
		c.grad(len(batch))
		c.Serial, c.Depth = 1, 1
		return c, nil
	}
	nw := parallel.Workers(len(batch))
	for len(e.work) < nw {
		e.work = append(e.work, scratch{})
	}
	parallel.For(len(batch), func(wk, k int) {
		sc := &e.work[wk]
		sc.g = resize(sc.g, len(w))
		obj.LossGrad(sc.g, w, batch[k:k+1])
		dst[k] = norm(sc.g)
	})
	for range batch {
		c.grad(1)
	}
	c.Serial, c.Depth = len(batch), 1
	return c, nil
}

// FiniteDiff estimates gradient norms from forward passes only: with u_1..u_R independent
// uniform unit vectors in R^d (d = Dim()), E[d⟨g, u⟩²] = ‖g‖², so
//
//	s_i = sqrt( (d/R) Σ_r ((ℓ_i(w + h u_r) − ℓ_i(w))/h)² ),
//
// a forward difference with step h = Delta (default 1e-4) and R = Dirs directions (default
// 2). It costs 1 + R forward passes over the batch and no backward pass; its relative
// spread is about sqrt(2/R) per sample (a chi-square with R degrees of freedom). The
// directions come from a stream seeded with Seed.
type FiniteDiff struct {
	Delta float64
	Dirs  int
	Seed  uint64

	rng         stream
	u, wu       []float64
	base, shift []float64
}

// Score writes the finite-difference norm estimate for batch[k] into dst[k].
func (f *FiniteDiff) Score(dst, w []float64, obj nn.Objective, batch []int) (Cost, error) {
	h, r := f.Delta, f.Dirs
	switch {
	case h < 0 || !finite(h):
		return Cost{}, fmt.Errorf("sam: FiniteDiff.Delta = %v must be finite and >= 0", h)
	case r < 0:
		return Cost{}, fmt.Errorf("sam: FiniteDiff.Dirs = %d must be >= 0", r)
	}
	if h == 0 {
		h = 1e-4
	}
	if r == 0 {
		r = 2
	}
	rng := f.rng.get(f.Seed, 0x66642d73636f7265)
	d, b := len(w), len(batch)
	f.u, f.wu = resize(f.u, d), resize(f.wu, d)
	f.base, f.shift = resize(f.base, b), resize(f.shift, b)
	c := Cost{Serial: 1 + r, Depth: 2}
	obj.Losses(f.base, w, batch)
	c.loss(b)
	clear(dst[:b])
	for range r {
		for i := range f.u {
			f.u[i] = rng.NormFloat64()
		}
		floats.AddScaledTo(f.wu, w, h/norm(f.u), f.u) // w + h·u/‖u‖, vectorized
		obj.Losses(f.shift, f.wu, batch)
		c.loss(b)
		for k := range b {
			q := (f.shift[k] - f.base[k]) / h
			dst[k] += q * q
		}
	}
	for k := range b {
		dst[k] = math.Sqrt(dst[k] * float64(d) / float64(r))
		if !finite(dst[k]) {
			return c, fmt.Errorf("sam: FiniteDiff score of sample %d = %v is not finite", batch[k], dst[k])
		}
	}
	return c, nil
}

// Stale scores each sample by the last ascent-gradient norm RW-SAM measured for it: when
// sample i is drawn for a correction, its ‖∇ℓ_i(w)‖ (or its micro-batch's ‖∇f_γ(w)‖) is
// computed anyway, and Stale remembers it. Samples never measured get the mean of the
// measured ones (1 before any measurement). It costs no pass at all; scores are stale by
// the number of steps since the sample was last drawn.
type Stale struct {
	s    []float64
	seen []bool
	sum  float64
	cnt  int
}

// Score writes the remembered score of batch[k] into dst[k].
func (st *Stale) Score(dst, w []float64, obj nn.Objective, batch []int) (Cost, error) {
	if n := obj.Len(); len(st.s) != n {
		st.s, st.seen, st.sum, st.cnt = make([]float64, n), make([]bool, n), 0, 0
	}
	def := 1.0
	if st.cnt > 0 {
		def = st.sum / float64(st.cnt)
	}
	for k, i := range batch {
		if st.seen[i] {
			dst[k] = st.s[i]
		} else {
			dst[k] = def
		}
	}
	return Cost{}, nil
}

func (st *Stale) observe(batch []int, v float64) {
	for _, i := range batch {
		if i >= len(st.s) {
			continue
		}
		if st.seen[i] {
			st.sum -= st.s[i]
		} else {
			st.seen[i] = true
			st.cnt++
		}
		st.s[i] = v
		st.sum += v
	}
}
