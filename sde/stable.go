package sde

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Driver builds the noise source of one path from that path's random
// stream. Settings.Driver replaces the Brownian increments of Solve (stream
// parallel.Stream(Seed, 0)) and of every path i of SolveEnsemble (stream
// parallel.Stream(Ensemble.Seed, i)), so α-stable and other Lévy drivers
// run through the same solvers and ensembles as Brownian motion.
type Driver interface {
	// NewDriver returns an m-dimensional noise source drawing from src.
	NewDriver(src rand.Source, m int) (Brownian, error)
}

// Stable is symmetric α-stable Lévy motion L^α as a Driver: its increments
// over a step h are independent, with
//
//	L(t+h) − L(t) = h^{1/α} S,   E exp(iλS) = exp(−|λ|^α),
//
// componentwise. This is the standard parameterisation S ~ S_α(1, 0, 0)
// (scale 1, skewness 0, location 0): α = 2 gives S ~ N(0, 2), so
// L^2 = √2 W, not W; α = 1 gives the standard Cauchy law. With
// EulerMaruyama, dX = f dt + g dL^α is stepped as X + f h + g ΔL
// (the Euler scheme for Lévy-driven SDEs, which converges weakly for
// Lipschitz f and g; the other methods' corrections assume Brownian noise
// and are refused).
type Stable struct {
	// Alpha is the stability index α ∈ (0, 2].
	Alpha float64
}

// Validate returns an error unless 0 < Alpha ≤ 2.
func (s Stable) Validate() error {
	if !(s.Alpha > 0 && s.Alpha <= 2) {
		return fmt.Errorf("sde: Stable.Alpha = %v, want in (0, 2]", s.Alpha)
	}
	return nil
}

// NewDriver returns a StableIncrements drawing from src.
func (s Stable) NewDriver(src rand.Source, m int) (Brownian, error) {
	return NewStableIncrements(src, m, s.Alpha)
}

// StableIncrements draws independent symmetric α-stable increments
// h^{1/α} S for consecutive, non-overlapping intervals (see Stable), by the
// Chambers–Mallows–Stuck transformation StableVariate. It has no Lévy area
// and is not a Path, so it serves fixed-step Euler–Maruyama solves.
type StableIncrements struct {
	m     int
	alpha float64
	src   rand.Source
}

// NewStableIncrements returns an m-dimensional α-stable increment source
// drawing from src, or an error if α ∉ (0, 2] or m ≤ 0.
func NewStableIncrements(src rand.Source, m int, alpha float64) (*StableIncrements, error) {
	if err := (Stable{Alpha: alpha}).Validate(); err != nil {
		return nil, err
	}
	if m <= 0 {
		return nil, fmt.Errorf("sde: NewStableIncrements: m = %d, want > 0", m)
	}
	return &StableIncrements{m: m, alpha: alpha, src: src}, nil
}

// Dim returns m.
func (b *StableIncrements) Dim() int { return b.m }

// HasLevyArea returns false.
func (b *StableIncrements) HasLevyArea() bool { return false }

// Increment writes h^{1/α} S_i, h = t1 − t0, into dw; u must be nil.
func (b *StableIncrements) Increment(dw, u []float64, t0, t1 float64) {
	if len(dw) != b.m || u != nil {
		panic(fmt.Sprintf("sde: StableIncrements.Increment: len(dw) = %d (want %d), u != nil: %v", len(dw), b.m, u != nil))
	}
	c := math.Pow(t1-t0, 1/b.alpha)
	for i := range dw {
		dw[i] = c * StableVariate(b.alpha, openUnit(b.src), openUnit(b.src))
	}
}

// openUnit returns a uniform variate in the open interval (0, 1).
func openUnit(src rand.Source) float64 {
	return (float64(src.Uint64()>>11) + 0.5) * 0x1p-53
}

// StableVariate maps two independent uniforms u1, u2 ∈ (0, 1) to a
// symmetric α-stable variate S with E exp(iλS) = exp(−|λ|^α), by the
// Chambers–Mallows–Stuck (1976) transformation: with V = π(u1 − ½) uniform
// on (−π/2, π/2) and E = −log u2 standard exponential,
//
//	S = sin(αV) / cos(V)^{1/α} · (cos((1−α)V) / E)^{(1−α)/α},
//
// which is tan V (Cauchy) at α = 1 and 2 sin V √E ~ N(0, 2) at α = 2
// (docs/derivations/sde.md). α must be in (0, 2].
func StableVariate(alpha, u1, u2 float64) float64 {
	v := math.Pi * (u1 - 0.5)
	e := -math.Log(u2)
	if alpha == 1 {
		return math.Tan(v)
	}
	return math.Sin(alpha*v) / math.Pow(math.Cos(v), 1/alpha) *
		math.Pow(math.Cos((1-alpha)*v)/e, (1-alpha)/alpha)
}

// gaussianOnly reports an error if bm is a non-Brownian driver and m is a
// method whose step relies on Brownian increments (anything but
// Euler–Maruyama).
func gaussianOnly(m Method, bm Brownian) error {
	if _, ok := bm.(*StableIncrements); !ok {
		return nil
	}
	if _, ok := m.(EulerMaruyama); ok {
		return nil
	}
	return fmt.Errorf("sde: method %s assumes Brownian increments; α-stable noise (%T) is supported by EulerMaruyama only", m.Name(), bm)
}
