package sam

import (
	"fmt"
	"gonum.org/v1/gonum/floats"
	"math"

	"github.com/sdeml/sdeml/nn"
)

// Optimizer takes one training step: it changes w in place using the samples batch of obj
// and returns the mean loss on batch at the parameters before the step. A step that meets a
// non-finite loss, gradient or parameter returns an error and leaves w unchanged (the base
// updater is not called).
type Optimizer interface {
	Step(w []float64, obj nn.Objective, batch []int) (loss float64, err error)
}

// Cost counts the work of one optimizer step. A "pass" is one call into the objective; a
// pass over s samples adds s to ForwardSamples (and to BackwardSamples if it returns a
// gradient), the FLOP-like measure. Serial is the number of gradient/loss evaluations a
// single-device loop performs one after another (m-SAM: 2·B/m; SAM: 2); Depth is the same
// count when independent evaluations run concurrently (the critical path; m-SAM: 2).
type Cost struct {
	Forward, Backward               int
	ForwardSamples, BackwardSamples int
	Serial, Depth                   int
}

// Coster is implemented by optimizers that report the Cost of their last step.
type Coster interface {
	LastCost() Cost
}

func (c *Cost) grad(samples int) {
	c.Forward++
	c.Backward++
	c.ForwardSamples += samples
	c.BackwardSamples += samples
}

func (c *Cost) loss(samples int) {
	c.Forward++
	c.ForwardSamples += samples
}

// add merges the counts of other into c (Serial and Depth are left to the caller).
func (c *Cost) add(o Cost) {
	c.Forward += o.Forward
	c.Backward += o.Backward
	c.ForwardSamples += o.ForwardSamples
	c.BackwardSamples += o.BackwardSamples
}

// plain is the gradient step shared by SGD.Step and Adam.Step.
type plain struct {
	g    []float64
	cost Cost
}

func (p *plain) run(u Updater, w []float64, obj nn.Objective, batch []int) (float64, error) {
	if err := checkStep(u, w, obj, batch); err != nil {
		return 0, err
	}
	p.g = resize(p.g, len(w))
	p.cost = Cost{Serial: 1, Depth: 1}
	loss := cleanGrad(obj, p.g, w, batch)
	p.cost.grad(len(batch))
	if err := checkFinite(loss, p.g); err != nil {
		return loss, err
	}
	u.Update(w, p.g)
	return loss, checkParams(w)
}

// Step takes one plain SGD step on batch: w ← Update(w, ∇f_batch(w)).
func (s *SGD) Step(w []float64, obj nn.Objective, batch []int) (float64, error) {
	return s.step.run(s, w, obj, batch)
}

// LastCost returns the cost of the last Step: one pass over the batch.
func (s *SGD) LastCost() Cost { return s.step.cost }

// Step takes one plain Adam step on batch: w ← Update(w, ∇f_batch(w)).
func (a *Adam) Step(w []float64, obj nn.Objective, batch []int) (float64, error) {
	return a.step.run(a, w, obj, batch)
}

// LastCost returns the cost of the last Step: one pass over the batch.
func (a *Adam) LastCost() Cost { return a.step.cost }

// checkStep validates the arguments shared by every Step.
func checkStep(base Updater, w []float64, obj nn.Objective, batch []int) error {
	if base == nil {
		return fmt.Errorf("sam: Base = nil: a base Updater (SGD, Adam) is required")
	}
	if v, ok := base.(validator); ok {
		if err := v.Validate(); err != nil {
			return err
		}
	}
	if obj == nil {
		return fmt.Errorf("sam: objective = nil")
	}
	if len(w) != obj.Dim() {
		return fmt.Errorf("sam: len(w) = %d, objective Dim() = %d", len(w), obj.Dim())
	}
	if len(batch) == 0 {
		return fmt.Errorf("sam: batch is empty (len(batch) = 0)")
	}
	if err := checkMinBatch(obj, len(batch), "len(batch)"); err != nil {
		return err
	}
	n := obj.Len()
	for k, i := range batch {
		if i < 0 || i >= n {
			return fmt.Errorf("sam: batch[%d] = %d out of range [0, %d)", k, i, n)
		}
	}
	return checkParams(w)
}

func checkParams(w []float64) error {
	if i := firstNonFinite(w); i >= 0 {
		return fmt.Errorf("sam: parameter w[%d] = %v is not finite", i, w[i])
	}
	return nil
}

func checkFinite(loss float64, g []float64) error {
	if !finite(loss) {
		return fmt.Errorf("sam: loss = %v is not finite", loss)
	}
	if i := firstNonFinite(g); i >= 0 {
		return fmt.Errorf("sam: gradient[%d] = %v is not finite", i, g[i])
	}
	return nil
}

// checkDirection is checkFinite for a direction g whose first non-finite entry bad (-1:
// none) the engine found while forming it.
func checkDirection(loss float64, g []float64, bad int) error {
	if !finite(loss) {
		return fmt.Errorf("sam: loss = %v is not finite", loss)
	}
	if bad >= 0 {
		return fmt.Errorf("sam: gradient[%d] = %v is not finite", bad, g[bad])
	}
	return nil
}

// firstNonFinite returns the index of the first NaN or ±Inf in x, or -1. Finite block sums
// (allFinite) prove every x_i finite; only a non-finite one (a bad entry, or finite
// entries whose sum overflows) leads to the entry-by-entry scan.
func firstNonFinite(x []float64) int {
	if allFinite(x) {
		return -1
	}
	for k, y := range x {
		if !finite(y) {
			return k
		}
	}
	return -1
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

func resize(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
}

func scale(x []float64, a float64) { floats.Scale(a, x) }

// dot returns Σ x_i y_i in a fixed order: gonum's vectorized floats.Dot, four interleaved
// partial sums s_r over i ≡ r (mod 4) combined as (s_0 + s_2) + (s_1 + s_3).
func dot(x, y []float64) float64 { return floats.Dot(x, y[:len(x)]) }

func norm(x []float64) float64 { return math.Sqrt(dot(x, x)) }

// clip rescales g to Euclidean norm c if it is longer (c <= 0: no clipping).
func clip(g []float64, c float64) {
	if c <= 0 {
		return
	}
	if n := norm(g); n > c {
		scale(g, c/n)
	}
}
