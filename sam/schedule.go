package sam

import (
	"fmt"
	"math"
)

// Schedule multiplies a base learning rate: at update number t (t = 0 for the first
// update) the updaters use LR·Factor(t). A nil Schedule means the constant factor 1.
//
// A factor must be finite and >= 0: SGD.Validate and Adam.Validate (run by every Step)
// call the schedule's own Validate method if it has one (all schedules of this package
// do), so a bad parameter is reported before the first step, and they check the factor of
// the coming update, so a custom schedule that turns negative or NaN stops training with
// an error instead of turning descent into ascent.
type Schedule interface {
	Factor(t int) float64
}

// checkSchedule returns an error, naming who (e.g. "SGD.Schedule"), if s has a Validate
// method that fails or if its factor at update t is negative or not finite.
func checkSchedule(who string, s Schedule, t int) error {
	if s == nil {
		return nil
	}
	if v, ok := s.(validator); ok {
		if err := v.Validate(); err != nil {
			return fmt.Errorf("sam: %s: %w", who, unprefixed{err})
		}
	}
	if f := s.Factor(t); !(f >= 0) || math.IsInf(f, 0) {
		return fmt.Errorf("sam: %s.Factor(%d) = %v, want finite and >= 0 (the learning rate would be negative or not finite)", who, t, f)
	}
	return nil
}

// Validate returns nil: the constant factor 1 is always valid.
func (Constant) Validate() error { return nil }

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

// Validate reports, when Every > 0, a Gamma that is not finite and > 0 (Gamma <= 0 would
// zero the rate or flip its sign).
func (s StepDecay) Validate() error {
	if s.Every > 0 && (!(s.Gamma > 0) || math.IsInf(s.Gamma, 0)) {
		return fmt.Errorf("sam: StepDecay.Gamma = %v must be finite and > 0", s.Gamma)
	}
	return nil
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

// Validate reports a Floor that is negative or not finite (a negative floor makes the
// rate negative, gradient ascent, late in the run).
func (c Cosine) Validate() error {
	if !(c.Floor >= 0) || math.IsInf(c.Floor, 0) {
		return fmt.Errorf("sam: Cosine.Floor = %v must be finite and >= 0", c.Floor)
	}
	return nil
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

// Validate reports Steps < 0 and validates Then.
func (w Warmup) Validate() error {
	if w.Steps < 0 {
		return fmt.Errorf("sam: Warmup.Steps = %d must be >= 0", w.Steps)
	}
	return validateInner("Warmup.Then", w.Then)
}

// validateInner runs the Validate method of a nested schedule, if it has one.
func validateInner(who string, s Schedule) error {
	if v, ok := s.(validator); ok {
		if err := v.Validate(); err != nil {
			return fmt.Errorf("sam: %s: %w", who, unprefixed{err})
		}
	}
	return nil
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

// Validate validates Of.
func (p PerEpoch) Validate() error { return validateInner("PerEpoch.Of", p.Of) }

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
