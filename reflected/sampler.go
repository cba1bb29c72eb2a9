package reflected

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/sdeml/sdeml/internal/parallel"
	"github.com/sdeml/sdeml/sde"
)

// Final selects the last step of the reverse-time sampler (docs/derivations/reflected.md §6).
type Final int

const (
	// FinalNone returns the state at time t₀ of the reflected Euler–Maruyama chain.
	FinalNone Final = iota
	// FinalMean makes the last step deterministic: x ← fold(x + h·s(x, t)), no noise.
	FinalMean
	// FinalTweedie ends with the posterior-mean (Tweedie) step x̂₀ = fold(x + t₀·s(x, t₀)),
	// E[X₀ | X_{t₀} = x] for a Gaussian kernel of variance t₀ (exact away from the boundary).
	// It removes the √(t₀(D − d)) blur normal to the data subspace.
	FinalTweedie
)

// String returns "none", "mean" or "tweedie".
func (f Final) String() string {
	switch f {
	case FinalNone:
		return "none"
	case FinalMean:
		return "mean"
	case FinalTweedie:
		return "tweedie"
	}
	return fmt.Sprintf("Final(%d)", int(f))
}

// Sampler runs the reflected reverse-time SDE from Uniform([0,1]^D) at time T down to t₀
// (docs/derivations/reflected.md §6). In the standard-RBM time of this package the reversal of
// dX = dB + ν dL is dY = s(Y, t) dr + dW + ν dL̃ with t = T − r, discretised as
//
//	x ← fold(x + hₖ·s(x, tₖ) + √hₖ·Z),  hₖ = tₖ − tₖ₊₁,
//
// on the geometric grid tₖ = T·(t₀/T)^{k/Steps}, k = 0..Steps. Because fold of a Gaussian is
// the exact reflected-BM transition, this is a Lie splitting whose only discretised part is
// the drift. The fold is the Domain's projection (sde.FoldBox by default), applied after
// every step. The score model is evaluated on chunks of particles at once (a batched
// network pass), which is why the loop is written here rather than as per-path sde.Solve
// calls. Every particle i draws from its own stream parallel.Stream(seed, i), so output
// is bit-identical for any GOMAXPROCS.
//
// The zero value is usable: see the field defaults.
type Sampler struct {
	// T0 is the final time t₀ > 0; 0 means 2e-4 (heat time s₀ = 1e-4 of §9).
	T0 float64
	// T is the start time; 0 means MixingTime(D, 1e-3).
	T float64
	// Steps is the number of reverse steps; 0 means 200.
	Steps int
	// Final is the last step (FinalNone, FinalMean, FinalTweedie).
	Final Final
	// Chunk is the number of particles per score call and per parallel item; 0 means 64.
	Chunk int
	// Domain maps each particle back into the cube after every step; nil means
	// sde.FoldBox{Lo: 0, Hi: 1} (reflection, the scheme above). sde.ClampBox{Lo: 0, Hi: 1}
	// gives the thresholding scheme, which puts mass on the faces at finite step size.
	Domain sde.Domain
	// Scheme is the reverse step: SchemeEM (the zero value, the scheme above), SchemeHeun
	// (second order in the drift, two score evaluations per step) or SchemeODE (the
	// probability-flow ODE by Heun's method, deterministic after the start); see schemes.go.
	Scheme Scheme
	// Corrector is the number M ≥ 0 of Langevin corrector steps after every reverse step
	// (a predictor–corrector sampler); 0 means none.
	Corrector int
	// SNR is the corrector's signal-to-noise ratio r > 0 (step ε = 2(r‖Z‖/‖s‖)²); 0 means 0.16.
	SNR float64
	// Process is the forward process the score model was trained for. Reflected (the zero
	// value) is the scheme above. Free runs the unreflected reversal of plain Brownian motion:
	// start from N(½, T·I), x ← x + hₖ·s(x, tₖ) + √hₖ·Z with no projection, and clamp into
	// [0,1]^D after the last step (and after the Tweedie step); Domain must then be nil.
	Process Process
}

// MixingTime returns T = 2·log(2D/ε)/π², the time after which reflected Brownian motion on
// [0,1]^D started anywhere is within total variation ≈ ε of Uniform: per coordinate
// ‖pₜ(x,·) − 1‖_∞ ≤ 2e^{−π²t/2}/(1 − e^{−3π²t/2}) (docs/derivations/reflected.md §6).
func MixingTime(D int, eps float64) float64 {
	return 2 * math.Log(2*float64(D)/eps) / (math.Pi * math.Pi)
}

// settings returns the sampler with defaults filled in, or an error naming a bad field.
func (s *Sampler) settings(D int) (Sampler, error) {
	var c Sampler
	if s != nil {
		c = *s
	}
	if c.T0 == 0 {
		c.T0 = 2e-4
	}
	if c.T == 0 {
		c.T = MixingTime(D, 1e-3)
	}
	if c.Steps == 0 {
		c.Steps = 200
	}
	if c.Chunk == 0 {
		c.Chunk = 64
	}
	if c.SNR == 0 {
		c.SNR = 0.16
	}
	if c.Domain == nil {
		c.Domain = sde.FoldBox{Lo: 0, Hi: 1}
	}
	if c.Process == Free {
		c.Domain = noProjection{}
	}
	switch {
	case !(c.T0 > 0) || math.IsInf(c.T0, 0):
		return c, fmt.Errorf("reflected: Sampler.T0 = %v, need 0 < T0 < ∞", c.T0)
	case !(c.T > c.T0) || math.IsInf(c.T, 0):
		return c, fmt.Errorf("reflected: Sampler.T = %v, need T0 = %v < T < ∞", c.T, c.T0)
	case c.Steps < 1:
		return c, fmt.Errorf("reflected: Sampler.Steps = %d, need ≥ 1", c.Steps)
	case c.Final < FinalNone || c.Final > FinalTweedie:
		return c, fmt.Errorf("reflected: Sampler.Final = %d, need FinalNone, FinalMean or FinalTweedie", int(c.Final))
	case !c.Scheme.valid():
		return c, fmt.Errorf("reflected: Sampler.Scheme = %d, need SchemeEM, SchemeHeun or SchemeODE", int(c.Scheme))
	case c.Corrector < 0:
		return c, fmt.Errorf("reflected: Sampler.Corrector = %d, need ≥ 0", c.Corrector)
	case !(c.SNR > 0) || math.IsInf(c.SNR, 0):
		return c, fmt.Errorf("reflected: Sampler.SNR = %v, need 0 < SNR < ∞", c.SNR)
	case c.Chunk < 1:
		return c, fmt.Errorf("reflected: Sampler.Chunk = %d, need ≥ 1", c.Chunk)
	case !c.Process.valid():
		return c, fmt.Errorf("reflected: Sampler.Process = %d, need Reflected or Free", int(c.Process))
	case c.Process == Free && s != nil && s.Domain != nil:
		return c, fmt.Errorf("reflected: Sampler.Domain = %v with Process = Free, need nil (Free clamps once at the end)", s.Domain)
	}
	return c, nil
}

// Grid returns the geometric time grid T = t₀' > … > t_Steps = t₀ the sampler walks, with
// defaults filled in for dimension D.
func (s *Sampler) Grid(D int) ([]float64, error) {
	c, err := s.settings(D)
	if err != nil {
		return nil, err
	}
	g := make([]float64, c.Steps+1)
	r := math.Log(c.T0 / c.T)
	for k := range g {
		g[k] = c.T * math.Exp(r*float64(k)/float64(c.Steps))
	}
	g[c.Steps] = c.T0
	return g, nil
}

// Sample fills dst (m rows of D = model.Dim(), m = len(dst)/D) with reverse-time samples.
// It returns an error for a nil model, bad settings, a dst whose length is not a positive
// multiple of D, or a non-finite score.
func (s *Sampler) Sample(dst []float64, model ScoreModel, seed uint64) error {
	if sn, ok := model.(*ScoreNet); model == nil || ok && (sn == nil || sn.bodies() == 0) {
		return fmt.Errorf("reflected: Sampler.Sample: model is nil")
	}
	D := model.Dim()
	c, err := s.settings(D)
	if err != nil {
		return err
	}
	if D < 1 || len(dst) == 0 || len(dst)%D != 0 {
		return fmt.Errorf("reflected: Sampler.Sample: len(dst) = %d, need a positive multiple of D = %d", len(dst), D)
	}
	grid, _ := s.Grid(D)
	m := len(dst) / D
	chunks := (m + c.Chunk - 1) / c.Chunk
	errs := make([]error, chunks)
	parallel.For(chunks, func(_, ci int) {
		lo, hi := ci*c.Chunk, min((ci+1)*c.Chunk, m)
		errs[ci] = c.run(dst[lo*D:hi*D], model, grid, seed, lo)
	})
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// run integrates particles first..first+len(x)/D−1 in place; particle i uses Stream(seed, i).
func (c *Sampler) run(x []float64, model ScoreModel, grid []float64, seed uint64, first int) error {
	D := model.Dim()
	n := len(x) / D
	rngs := c.start(x, D, grid[0], seed, first)
	if c.Scheme != SchemeEM || c.Corrector > 0 {
		return c.runScheme(x, model, grid, rngs, first)
	}
	score := make([]float64, len(x))
	ts := make([]float64, n)
	steps := len(grid) - 1
	for k := 0; k < steps; k++ {
		t, h := grid[k], grid[k]-grid[k+1]
		for i := range ts {
			ts[i] = t
		}
		model.Score(score, x, ts)
		noise := math.Sqrt(h)
		if k == steps-1 && c.Final == FinalMean {
			noise = 0
		}
		for i, r := range rngs {
			row, sr := x[i*D:i*D+D], score[i*D:i*D+D]
			for j := range row {
				if math.IsNaN(sr[j]) || math.IsInf(sr[j], 0) {
					return fmt.Errorf("reflected: Sampler: non-finite score %v at t = %v (step %d, particle %d)", sr[j], t, k, first+i)
				}
				u := row[j] + h*sr[j]
				if noise != 0 {
					u += noise * r.NormFloat64()
				}
				row[j] = u
			}
			c.Domain.Project(row)
		}
	}
	return c.finish(x, score, ts, model, grid[steps], first)
}

// start draws the initial particles into x (Uniform([0,1]^D), or N(½, T·I) for Free) and
// returns their random streams.
func (c *Sampler) start(x []float64, D int, T float64, seed uint64, first int) []*rand.Rand {
	rngs := make([]*rand.Rand, len(x)/D)
	for i := range rngs {
		rngs[i] = rand.New(parallel.Stream(seed, first+i))
		row := x[i*D : i*D+D]
		for j := range row {
			if c.Process == Free {
				row[j] = 0.5 + math.Sqrt(T)*rngs[i].NormFloat64()
			} else {
				row[j] = rngs[i].Float64()
			}
		}
	}
	return rngs
}

// finish applies the Tweedie step (if chosen) at t0 and the Free process's final clamp.
func (c *Sampler) finish(x, score, ts []float64, model ScoreModel, t0 float64, first int) error {
	D := model.Dim()
	n := len(x) / D
	if c.Final == FinalTweedie {
		for i := range ts {
			ts[i] = t0
		}
		model.Score(score, x, ts)
		for i, v := range score {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("reflected: Sampler: non-finite score %v at t = %v (Tweedie step, particle %d)", v, t0, first+i/D)
			}
			x[i] += t0 * v
		}
		for i := 0; i < n; i++ {
			c.Domain.Project(x[i*D : i*D+D])
		}
	}
	if c.Process == Free {
		for i := 0; i < n; i++ {
			sde.ClampBox{Lo: 0, Hi: 1}.Project(x[i*D : i*D+D])
		}
	}
	return nil
}

// noProjection is the identity Domain of the Free sampler's steps.
type noProjection struct{}

func (noProjection) Project([]float64) {}
