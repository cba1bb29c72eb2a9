package sde

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Brownian supplies the increments of an m-dimensional standard Brownian
// motion W to a solver.
type Brownian interface {
	// Dim returns m, the number of independent components.
	Dim() int
	// Increment writes W(t1) − W(t0) into dw (len m) and, if u is not nil,
	// the space-time Lévy area u = ∫_{t0}^{t1} (W_s − W_{t0}) ds (len m).
	// It panics if u is not nil and the Brownian does not provide it
	// (see HasLevyArea).
	Increment(dw, u []float64, t0, t1 float64)
	// HasLevyArea reports whether Increment can fill u.
	HasLevyArea() bool
}

// Path is a Brownian motion that can be evaluated at any time, so that
// increments over overlapping or refined intervals are consistent
// (W(a,b) + W(b,c) = W(a,c)). Adaptive stepping needs a Path.
type Path interface {
	Brownian
	// At writes W(t) into dst (len m); W(t0) = 0 at the path's start time.
	At(dst []float64, t float64)
}

// Increments draws fresh, independent increments for consecutive,
// non-overlapping intervals, the fast path for fixed-step solves (diffrax's
// UnsafeBrownianPath). Each call to Increment(dw, u, t0, t1) draws
//
//	ΔW = √h ξ₁,  U = h(ΔW/2 + √(h/12) ξ₂),  h = t1 − t0,
//
// with ξ₁, ξ₂ independent standard normals (ziggurat, see normal.go), so
// Var U = h³/3 and
// Cov(ΔW, U) = h²/2 (torchsde brownian_interval.py). The values depend only
// on h and the order of calls, not on t0: queries must move forward through
// disjoint intervals. ξ₂ is drawn only when u is not nil.
type Increments struct {
	m   int
	gen normalGen
	ag  areaGen // Lévy-area scratch (IncrementArea)
}

// NewIncrements returns an m-dimensional fresh-increment source drawing from
// src.
func NewIncrements(src rand.Source, m int) *Increments {
	if m <= 0 {
		panic(fmt.Sprintf("sde: NewIncrements: m = %d, want > 0", m))
	}
	return &Increments{m: m, gen: newNormalGen(src)}
}

// Dim returns m.
func (b *Increments) Dim() int { return b.m }

// HasLevyArea returns true.
func (b *Increments) HasLevyArea() bool { return true }

// Increment draws ΔW (and U if u != nil) for a step of length t1 − t0.
func (b *Increments) Increment(dw, u []float64, t0, t1 float64) {
	if len(dw) != b.m || (u != nil && len(u) != b.m) {
		panic(fmt.Sprintf("sde: Increments.Increment: len(dw) = %d, len(u) = %d, want %d", len(dw), len(u), b.m))
	}
	h := t1 - t0
	sq := math.Sqrt(h)
	if u == nil {
		for i := range dw {
			dw[i] = sq * b.gen.next()
		}
		return
	}
	a := math.Sqrt(h / 12)
	for i := range dw {
		w := sq * b.gen.next()
		dw[i] = w
		u[i] = h * (0.5*w + a*b.gen.next())
	}
}

// CombineIncrements writes the increment and Lévy area over [a, c] given
// those over [a, b] (dw1, u1) and [b, c] (dw2, u2), with h2 = c − b:
//
//	ΔW = ΔW₁ + ΔW₂,   U = U₁ + U₂ + h₂ ΔW₁,
//
// which is exact because W_s − W_a = ΔW₁ + (W_s − W_b) on [b, c]. dw and u
// may alias dw1 and u1.
func CombineIncrements(dw, u, dw1, u1, dw2, u2 []float64, h2 float64) {
	if len(dw1) != len(dw) || len(dw2) != len(dw) || len(u) != len(u1) || len(u2) != len(u1) || (u != nil && len(u) != len(dw)) {
		panic("sde: CombineIncrements: length mismatch")
	}
	for i := range dw {
		if u != nil {
			u[i] = u1[i] + u2[i] + h2*dw1[i]
		}
		dw[i] = dw1[i] + dw2[i]
	}
}
