package reflected

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Scheme selects the reverse-time step of Sampler (docs/derivations/reflected.md §6.1). With
// hₖ = tₖ − tₖ₊₁, s the score model and fold the reflection into the cube:
//
//   - SchemeEM: x ← fold(x + hₖ s(x, tₖ) + √hₖ Z), one score evaluation per step.
//   - SchemeHeun: the stochastic Heun step for additive noise,
//     x̃ = fold(x + hₖ s(x, tₖ) + √hₖ Z), x ← fold(x + ½hₖ[s(x, tₖ) + s(x̃, tₖ₊₁)] + √hₖ Z)
//     with the same Z; the drift is integrated to second order, two evaluations per step.
//   - SchemeODE: the probability-flow ODE dx/dr = ½ s(x, t) (t = T − r), whose solution
//     has the same marginals as the reverse SDE, by Heun's method:
//     x̃ = fold(x + ½hₖ s(x, tₖ)), x ← fold(x + ¼hₖ[s(x, tₖ) + s(x̃, tₖ₊₁)]); two
//     evaluations per step, no noise after the start. The exact score's normal component
//     vanishes on the walls (Neumann condition), so the flow stays in the cube; the fold only
//     undoes the overshoot of a finite step.
//
// Any scheme can be followed by Sampler.Corrector Langevin steps at tₖ₊₁ (a
// predictor–corrector sampler): x ← fold(x + ε s(x, t) + √(2ε) Z), ε = 2(r·‖Z‖/‖s(x, t)‖)²
// with the norms averaged over the particles of one score call (a chunk of Sampler.Chunk
// particles) and r = Sampler.SNR: Song et al.'s step rule. Langevin dynamics with the exact
// score leaves pₜ invariant as ε → 0 (reflected at the walls, where the score's normal
// component vanishes), so the corrector pulls particles back towards pₜ where the predictor
// left them off it. A per-particle ε would explode where one particle's score is near 0.
type Scheme int

const (
	// SchemeEM is the reflected Euler–Maruyama step (the default).
	SchemeEM Scheme = iota
	// SchemeHeun is the stochastic Heun step.
	SchemeHeun
	// SchemeODE is the probability-flow ODE by Heun's method.
	SchemeODE
)

// String returns "em", "heun" or "ode".
func (s Scheme) String() string {
	switch s {
	case SchemeEM:
		return "em"
	case SchemeHeun:
		return "heun"
	case SchemeODE:
		return "ode"
	}
	return fmt.Sprintf("Scheme(%d)", int(s))
}

func (s Scheme) valid() bool { return s >= SchemeEM && s <= SchemeODE }

// Evaluations returns the number of score evaluations per particle of one Sample call with
// these settings (defaults filled in for dimension D): Steps·(1 or 2) for the predictor,
// Steps·Corrector for the corrector, and 1 for the Tweedie step.
func (s *Sampler) Evaluations(D int) (int, error) {
	c, err := s.settings(D)
	if err != nil {
		return 0, err
	}
	per := 1
	if c.Scheme != SchemeEM {
		per = 2
	}
	n := c.Steps * (per + c.Corrector)
	if c.Final == FinalTweedie {
		n++
	}
	return n, nil
}

// runScheme integrates the particles x (started by start) with c.Scheme and the corrector.
func (c *Sampler) runScheme(x []float64, model ScoreModel, grid []float64, rngs []*rand.Rand, first int) error {
	D := model.Dim()
	n := len(x) / D
	s1 := make([]float64, len(x))
	s2 := make([]float64, len(x))
	xt := make([]float64, len(x))
	z := make([]float64, len(x))
	ts := make([]float64, n)
	eval := func(dst, at []float64, t float64, k int, what string) error {
		for i := range ts {
			ts[i] = t
		}
		model.Score(dst, at, ts)
		for i, v := range dst {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("reflected: Sampler: non-finite score %v at t = %v (%s, step %d, particle %d)", v, t, what, k, first+i/D)
			}
		}
		return nil
	}
	steps := len(grid) - 1
	for k := 0; k < steps; k++ {
		t, tn := grid[k], grid[k+1]
		h := t - tn
		noise := math.Sqrt(h)
		if c.Scheme == SchemeODE || (k == steps-1 && c.Final == FinalMean) {
			noise = 0
		}
		drift := h
		if c.Scheme == SchemeODE {
			drift = h / 2
		}
		if err := eval(s1, x, t, k, "predictor"); err != nil {
			return err
		}
		for i, r := range rngs {
			for j := i * D; j < i*D+D; j++ {
				z[j] = 0
				if noise != 0 {
					z[j] = r.NormFloat64()
				}
				xt[j] = x[j] + drift*s1[j] + noise*z[j]
			}
		}
		if c.Scheme == SchemeEM {
			copy(x, xt)
		} else {
			for i := 0; i < n; i++ {
				c.Domain.Project(xt[i*D : i*D+D])
			}
			if err := eval(s2, xt, tn, k, "Heun stage"); err != nil {
				return err
			}
			for j := range x {
				x[j] += drift/2*(s1[j]+s2[j]) + noise*z[j]
			}
		}
		for i := 0; i < n; i++ {
			c.Domain.Project(x[i*D : i*D+D])
		}
		for m := 0; m < c.Corrector; m++ {
			if err := eval(s1, x, tn, k, "corrector"); err != nil {
				return err
			}
			var zn, gn float64 // mean norms over the particles of this call
			for i, r := range rngs {
				var zz, gg float64
				for j := i * D; j < i*D+D; j++ {
					z[j] = r.NormFloat64()
					zz += z[j] * z[j]
					gg += s1[j] * s1[j]
				}
				zn += math.Sqrt(zz) / float64(n)
				gn += math.Sqrt(gg) / float64(n)
			}
			if gn == 0 {
				continue // a zero score everywhere: no direction (ε would be ∞)
			}
			// Capped at tₖ₊₁: near mixing the score is ≈ 0 and the rule's ε would be huge.
			eps := min(2*(c.SNR*zn/gn)*(c.SNR*zn/gn), tn)
			sq := math.Sqrt(2 * eps)
			for j := range x {
				x[j] += eps*s1[j] + sq*z[j]
			}
			for i := 0; i < n; i++ {
				c.Domain.Project(x[i*D : i*D+D])
			}
		}
	}
	return c.finish(x, s1, ts, model, grid[steps], first)
}
