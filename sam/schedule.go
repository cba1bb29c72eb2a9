package sam

import "math"

// Schedule multiplies a base learning rate: at update number t (t = 0 for the first
// update) the updaters use LR·Factor(t). A nil Schedule means the constant factor 1.
type Schedule interface {
	Factor(t int) float64
}

// Constant is the schedule Factor(t) = 1.
type Constant struct{}

// Factor returns 1.
func (Constant) Factor(int) float64 { return 1 }

// StepDecay multiplies the rate by Gamma every Every updates:
// Factor(t) = Gamma^⌊t/Every⌋. Every <= 0 means no decay.
type StepDecay struct {
	Every int
	Gamma float64
}

// Factor returns Gamma^⌊t/Every⌋.
func (s StepDecay) Factor(t int) float64 {
	if s.Every <= 0 {
		return 1
	}
	return math.Pow(s.Gamma, float64(t/s.Every))
}

// Cosine anneals the rate over Total updates (Loshchilov & Hutter):
// Factor(t) = Floor + (1−Floor)·(1 + cos(π·min(t, Total)/Total))/2,
// so Factor(0) = 1 and Factor(t) = Floor for t >= Total. Total <= 0 means constant 1.
type Cosine struct {
	Total int
	Floor float64
}

// Factor returns the cosine-annealed factor at update t.
func (c Cosine) Factor(t int) float64 {
	if c.Total <= 0 {
		return 1
	}
	if t > c.Total {
		t = c.Total
	}
	return c.Floor + (1-c.Floor)*0.5*(1+math.Cos(math.Pi*float64(t)/float64(c.Total)))
}

// Warmup ramps the rate linearly over the first Steps updates and then follows Then,
// shifted so that Then starts at its own t = 0:
// Factor(t) = (t+1)/Steps for t < Steps, Then.Factor(t−Steps) afterwards (nil Then = 1).
type Warmup struct {
	Steps int
	Then  Schedule
}

// Factor returns the warm-up factor at update t.
func (w Warmup) Factor(t int) float64 {
	if t < w.Steps {
		return float64(t+1) / float64(w.Steps)
	}
	if w.Then == nil {
		return 1
	}
	return w.Then.Factor(t - w.Steps)
}

func factor(s Schedule, t int) float64 {
	if s == nil {
		return 1
	}
	return s.Factor(t)
}

// PerEpoch states a schedule in epochs instead of updates: Factor(t) = Of.Factor(⌊t/Steps⌋),
// with Steps the updates per epoch, so the rate changes at epoch boundaries (for example
// PerEpoch{Steps: StepsPerEpoch(n, 128, false), Of: StepDecay{Gamma: 0.1, Every: 30}}
// divides the rate by 10 every 30 epochs). Steps <= 0 means Of is evaluated at t itself.
type PerEpoch struct {
	Steps int
	Of    Schedule
}

// Factor returns Of's factor at the epoch of update t.
func (p PerEpoch) Factor(t int) float64 {
	if p.Steps > 0 {
		t /= p.Steps
	}
	return factor(p.Of, t)
}

// StepsPerEpoch is the number of updates Train takes per epoch over n samples in batches of
// batch: ⌊n/batch⌋ when the last partial batch is dropped (Train's default), ⌈n/batch⌉ when
// it is kept (TrainSettings.KeepLast). It returns 0 if n or batch is not positive.
func StepsPerEpoch(n, batch int, keepPartial bool) int {
	if n <= 0 || batch <= 0 {
		return 0
	}
	if keepPartial {
		return (n + batch - 1) / batch
	}
	return n / batch
}
