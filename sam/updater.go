package sam

import (
	"fmt"
	"math"
)

// Updater is a base optimizer: Update moves w in place using the descent direction grad
// (the SAM family hands it the gradient evaluated at the perturbed point; the update is
// always applied at the unperturbed w). Updaters keep state (momentum, moments, the update
// count that drives their Schedule) sized on the first call; later calls must use the same
// length or Update panics.
type Updater interface {
	Update(w, grad []float64)
}

// validator is implemented by updaters whose configuration can be checked.
type validator interface {
	Validate() error
}

// SGD is stochastic gradient descent with heavy-ball or Nesterov momentum and both kinds of
// weight decay, in PyTorch's convention. With η_t = LR·Schedule.Factor(t), λ = WeightDecay
// (coupled L2), λ_d = DecoupledWD and μ = Momentum, one update is
//
//	w ← w − η_t λ_d w                (decoupled decay, applied first)
//	g' = g + λ w                     (coupled L2: the gradient of f + λ‖w‖²/2)
//	v ← μ v + g'                     (v starts at 0)
//	w ← w − η_t (g' + μ v)           (Nesterov)   or   w ← w − η_t v   (heavy ball)
//
// The zero value is plain SGD with LR 0.01 (LR 0 means the default 0.01). ClipNorm = c > 0
// first replaces g by g·min(1, c/‖g‖), the whole gradient scaled to Euclidean norm at most c
// with its direction kept (PyTorch's clip_grad_norm_ before the step; weight decay is not
// clipped).
//
// SGD is also an Optimizer: Step takes one plain gradient step on a batch.
type SGD struct {
	LR          float64
	Momentum    float64
	Nesterov    bool
	WeightDecay float64
	DecoupledWD float64
	Schedule    Schedule
	ClipNorm    float64

	v    []float64
	t    int
	step plain
	pass updatePass
}

// Validate reports a negative or non-finite LR, Momentum outside [0, 1), a negative
// weight decay, Nesterov without momentum, or a bad Schedule (its Validate fails or its
// factor for the coming update is negative or not finite).
func (s *SGD) Validate() error {
	switch {
	case s.LR < 0 || !finite(s.LR):
		return fmt.Errorf("sam: SGD.LR = %v must be finite and >= 0", s.LR)
	case s.Momentum < 0 || s.Momentum >= 1 || math.IsNaN(s.Momentum):
		return fmt.Errorf("sam: SGD.Momentum = %v must be in [0, 1)", s.Momentum)
	case s.WeightDecay < 0 || !finite(s.WeightDecay):
		return fmt.Errorf("sam: SGD.WeightDecay = %v must be finite and >= 0", s.WeightDecay)
	case s.DecoupledWD < 0 || !finite(s.DecoupledWD):
		return fmt.Errorf("sam: SGD.DecoupledWD = %v must be finite and >= 0", s.DecoupledWD)
	case s.Nesterov && s.Momentum == 0:
		return fmt.Errorf("sam: SGD.Nesterov = true needs Momentum > 0 (Momentum = 0)")
	case s.ClipNorm < 0 || !finite(s.ClipNorm):
		return fmt.Errorf("sam: SGD.ClipNorm = %v must be finite and >= 0", s.ClipNorm)
	}
	return checkSchedule("SGD.Schedule", s.Schedule, s.t)
}

// Update applies one SGD update to w with gradient grad.
func (s *SGD) Update(w, grad []float64) {
	if len(w) != len(grad) {
		panic(fmt.Sprintf("sam: SGD.Update: len(w) = %d, len(grad) = %d", len(w), len(grad)))
	}
	lr := s.LR
	if lr == 0 {
		lr = 0.01
	}
	lr *= factor(s.Schedule, s.t)
	s.t++
	mu, l2 := s.Momentum, s.WeightDecay
	cf := clipFactor(grad, s.ClipNorm) // exactly 1 without clipping, so g·cf = g bit for bit
	if s.DecoupledWD != 0 {
		scale(w, 1-lr*s.DecoupledWD)
	}
	p := &s.pass
	*p = updatePass{w: w, g: grad, lr: lr, mu: mu, l2: l2, cf: cf, nesterov: s.Nesterov}
	if mu != 0 {
		if s.v == nil {
			s.v = make([]float64, len(w))
		}
		if len(s.v) != len(w) {
			panic(fmt.Sprintf("sam: SGD.Update: len(w) = %d changed from %d", len(w), len(s.v)))
		}
		p.v = s.v[:len(w)]
	}
	p.run() // in blocks over the parameters (parloops.go)
	*p = updatePass{}
}

// Reset clears the momentum buffer and the update count.
func (s *SGD) Reset() { s.v, s.t = nil, 0 }

// Adam is Adam (Kingma & Ba) with optional coupled L2 (WeightDecay) and decoupled weight
// decay (DecoupledWD, which makes it AdamW, Loshchilov & Hutter), in PyTorch's convention.
// With η_t = LR·Schedule.Factor(t) and k = t+1 the update count,
//
//	w ← w − η_t λ_d w,   g' = g + λ w,
//	m ← β₁ m + (1−β₁) g',   v ← β₂ v + (1−β₂) g'²,
//	w ← w − η_t (m/(1−β₁ᵏ)) / (sqrt(v/(1−β₂ᵏ)) + Eps).
//
// Zero fields take the defaults LR = 1e-3, Beta1 = 0.9, Beta2 = 0.999, Eps = 1e-8.
// ClipNorm = c > 0 first replaces g by g·min(1, c/‖g‖), as for SGD.
//
// Adam is also an Optimizer: Step takes one plain gradient step on a batch.
type Adam struct {
	LR, Beta1, Beta2, Eps float64
	WeightDecay           float64
	DecoupledWD           float64
	Schedule              Schedule
	ClipNorm              float64

	m, v []float64
	t    int
	step plain
	pass updatePass
}

// Validate reports a negative or non-finite LR, Eps or weight decay, betas outside [0, 1),
// or a bad Schedule (its Validate fails or its factor for the coming update is negative or
// not finite).
func (a *Adam) Validate() error {
	switch {
	case a.LR < 0 || !finite(a.LR):
		return fmt.Errorf("sam: Adam.LR = %v must be finite and >= 0", a.LR)
	case a.Beta1 < 0 || a.Beta1 >= 1 || math.IsNaN(a.Beta1):
		return fmt.Errorf("sam: Adam.Beta1 = %v must be in [0, 1)", a.Beta1)
	case a.Beta2 < 0 || a.Beta2 >= 1 || math.IsNaN(a.Beta2):
		return fmt.Errorf("sam: Adam.Beta2 = %v must be in [0, 1)", a.Beta2)
	case a.Eps < 0 || !finite(a.Eps):
		return fmt.Errorf("sam: Adam.Eps = %v must be finite and >= 0", a.Eps)
	case a.WeightDecay < 0 || !finite(a.WeightDecay):
		return fmt.Errorf("sam: Adam.WeightDecay = %v must be finite and >= 0", a.WeightDecay)
	case a.DecoupledWD < 0 || !finite(a.DecoupledWD):
		return fmt.Errorf("sam: Adam.DecoupledWD = %v must be finite and >= 0", a.DecoupledWD)
	case a.ClipNorm < 0 || !finite(a.ClipNorm):
		return fmt.Errorf("sam: Adam.ClipNorm = %v must be finite and >= 0", a.ClipNorm)
	}
	return checkSchedule("Adam.Schedule", a.Schedule, a.t)
}

// Update applies one Adam update to w with gradient grad.
func (a *Adam) Update(w, grad []float64) {
	if len(w) != len(grad) {
		panic(fmt.Sprintf("sam: Adam.Update: len(w) = %d, len(grad) = %d", len(w), len(grad)))
	}
	lr, b1, b2, eps := orDefault(a.LR, 1e-3), orDefault(a.Beta1, 0.9), orDefault(a.Beta2, 0.999), orDefault(a.Eps, 1e-8)
	lr *= factor(a.Schedule, a.t)
	a.t++
	if a.m == nil {
		a.m, a.v = make([]float64, len(w)), make([]float64, len(w))
	}
	if len(a.m) != len(w) {
		panic(fmt.Sprintf("sam: Adam.Update: len(w) = %d changed from %d", len(w), len(a.m)))
	}
	if a.DecoupledWD != 0 {
		scale(w, 1-lr*a.DecoupledWD)
	}
	c1 := 1 - math.Pow(b1, float64(a.t))
	c2 := 1 - math.Pow(b2, float64(a.t))
	l2 := a.WeightDecay
	cf := clipFactor(grad, a.ClipNorm) // exactly 1 without clipping
	p := &a.pass
	*p = updatePass{w: w, g: grad, m: a.m[:len(w)], v: a.v[:len(w)], lr: lr, l2: l2, cf: cf,
		b1: b1, b2: b2, c1: c1, c2: c2, eps: eps}
	p.run() // in blocks over the parameters (parloops.go)
	*p = updatePass{}
}

// Reset clears the moment buffers and the update count.
func (a *Adam) Reset() { a.m, a.v, a.t = nil, nil, 0 }

func orDefault(x, def float64) float64 {
	if x == 0 {
		return def
	}
	return x
}

// clipFactor returns min(1, c/‖g‖) for c > 0 and 1 for c = 0: the factor that scales the
// whole gradient g to Euclidean norm at most c, keeping its direction.
func clipFactor(g []float64, c float64) float64 {
	if c <= 0 {
		return 1
	}
	if n := norm(g); n > c {
		return c / n
	}
	return 1
}
