package sde

import (
	"fmt"
	"math"
)

// Domain constrains the state of a solve: Project is called on the state
// after every accepted step and moves it into the domain in place.
type Domain interface {
	Project(x []float64)
}

// Fold reflects x into [lo, hi] by folding: with L = hi − lo and
// r = (x − lo) mod 2L in [0, 2L), it returns lo + r if r ≤ L, else
// lo + 2L − r (the map "x mod 2, mirrored" of Lou & Ermon's cube.py). For
// Brownian motion without drift this is exact: fold(y + W_t) has the law of
// Brownian motion started at y and reflected at lo and hi (method of
// images). Fold panics unless lo < hi.
func Fold(x, lo, hi float64) float64 {
	if !(lo < hi) {
		panic(fmt.Sprintf("sde: Fold: lo = %v, hi = %v, want lo < hi", lo, hi))
	}
	if x >= lo && x <= hi {
		return x
	}
	l := hi - lo
	r := math.Mod(x-lo, 2*l)
	if r < 0 {
		r += 2 * l
	}
	if r > l {
		r = 2*l - r
	}
	return lo + r
}

// FoldBox reflects every coordinate into [Lo, Hi] with Fold. Applied after
// each Euler–Maruyama step it is the "reflected Euler" scheme used by
// reflected diffusion models. It is exact (in law, at every step time) for
// driftless additive noise with constant g; with a drift, or with a
// state-dependent g, projecting after the step is weak order ½ in general
// (Costantini, Pacchiarotti, Sartoretto 1998; the symmetrized Euler scheme
// of Bossy, Gobet and Talay 2004 attains weak order 1).
type FoldBox struct {
	Lo, Hi float64
}

// Project folds each x_i into [Lo, Hi].
func (b FoldBox) Project(x []float64) {
	for i, v := range x {
		if v < b.Lo || v > b.Hi {
			x[i] = Fold(v, b.Lo, b.Hi)
		}
	}
}

// ClampBox clamps every coordinate into [Lo, Hi] (x_i ← min(max(x_i, Lo),
// Hi)). It keeps the state in the box but does not reproduce reflected
// dynamics: mass accumulates on the boundary, so the weak error at the
// boundary is O(√h) (weak order ½) even without drift. Use it as a safety
// net, FoldBox for reflection.
type ClampBox struct {
	Lo, Hi float64
}

// Project clamps each x_i into [Lo, Hi].
func (b ClampBox) Project(x []float64) {
	for i, v := range x {
		x[i] = math.Min(math.Max(v, b.Lo), b.Hi)
	}
}

// Validate returns an error unless Lo < Hi (both finite).
func (b FoldBox) Validate() error { return checkBox("FoldBox", b.Lo, b.Hi) }

// Validate returns an error unless Lo < Hi.
func (b ClampBox) Validate() error { return checkBox("ClampBox", b.Lo, b.Hi) }

func checkBox(name string, lo, hi float64) error {
	if !(lo < hi) || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		return fmt.Errorf("sde: %s{Lo: %v, Hi: %v}: want finite Lo < Hi", name, lo, hi)
	}
	return nil
}
