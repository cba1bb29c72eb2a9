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

// KillBox is an absorbing (killing) box for Settings.Event: the path stops
// at the first exit time τ = inf{t : X_t ∉ (Lo, Hi)^d} and keeps its exit
// state afterwards. Lo or Hi may be infinite for a one-sided boundary. Its
// event function is φ(x) = min_i min(x_i − Lo, Hi − x_i) (positive inside).
//
// Between steps the path is also killed with the probability that a
// Brownian bridge with the step's endpoints and local variance crosses a
// face (see Event and docs/derivations/sde.md), which removes the O(√h)
// bias of monitoring the exit only at step times; NoBridge turns this off.
// A path started outside the box stops at once (τ = ts[0]).
type KillBox struct {
	Lo, Hi float64
	// NoBridge disables the Brownian-bridge correction (exit detected at
	// step times only).
	NoBridge bool
}

// Value returns φ(x) = min_i min(x_i − Lo, Hi − x_i).
func (b KillBox) Value(_ float64, x []float64) float64 {
	phi := math.Inf(1)
	for _, v := range x {
		phi = math.Min(phi, math.Min(v-b.Lo, b.Hi-v))
	}
	return phi
}

// Validate returns an error unless Lo < Hi (neither NaN).
func (b KillBox) Validate() error {
	if !(b.Lo < b.Hi) {
		return fmt.Errorf("sde: KillBox{Lo: %v, Hi: %v}: want Lo < Hi", b.Lo, b.Hi)
	}
	return nil
}

// crossing returns the bridge probability of leaving the box between x0
// and x1 (both inside), 1 − Π over faces of (1 − p_face), and the face with
// the largest p_face.
func (b KillBox) crossing(x0, x1, v []float64, h float64) (p float64, face int, level float64) {
	if b.NoBridge || !(b.Value(0, x0) > 0) {
		return 0, -1, 0
	}
	surv, best := 1.0, 0.0
	for i := range x0 {
		for _, l := range [2]float64{b.Lo, b.Hi} {
			pf := bridgeCross(x0[i], x1[i], l, v[i], h)
			if pf > best {
				best, face, level = pf, i, l
			}
			surv *= 1 - pf
		}
	}
	if best == 0 {
		return 0, -1, 0
	}
	return 1 - surv, face, level
}

// exited returns a face (coordinate, level) that x1 has reached or crossed, or face < 0
// (NoBridge, or x1 inside); with several, the one crossed by the largest margin.
func (b KillBox) exited(x1 []float64) (face int, level float64) {
	if b.NoBridge {
		return -1, 0
	}
	face, worst := -1, 0.0
	for i, x := range x1 {
		if d := b.Lo - x; d >= worst {
			face, level, worst = i, b.Lo, d
		}
		if d := x - b.Hi; d >= worst {
			face, level, worst = i, b.Hi, d
		}
	}
	return face, level
}

// KillLevel is an absorbing level for Settings.Event: the path stops the
// first time coordinate Index reaches Level, from whichever side it
// starts, with the same Brownian-bridge correction as KillBox. Its event
// function is φ(x) = x_Index − Level.
type KillLevel struct {
	Index    int
	Level    float64
	NoBridge bool
}

// Value returns x_Index − Level.
func (l KillLevel) Value(_ float64, x []float64) float64 { return x[l.Index] - l.Level }

// validateDim returns an error unless 0 ≤ Index < dim and Level is finite.
func (l KillLevel) validateDim(dim int) error {
	if l.Index < 0 || l.Index >= dim {
		return fmt.Errorf("sde: KillLevel.Index = %d, want 0 ≤ Index < System.Dim = %d", l.Index, dim)
	}
	if math.IsNaN(l.Level) || math.IsInf(l.Level, 0) {
		return fmt.Errorf("sde: KillLevel.Level = %v, want finite", l.Level)
	}
	return nil
}

func (l KillLevel) crossing(x0, x1, v []float64, h float64) (p float64, face int, level float64) {
	if l.NoBridge {
		return 0, -1, 0
	}
	i := l.Index
	return bridgeCross(x0[i], x1[i], l.Level, v[i], h), i, l.Level
}

// exited returns (Index, Level) unless NoBridge.
func (l KillLevel) exited([]float64) (face int, level float64) {
	if l.NoBridge {
		return -1, 0
	}
	return l.Index, l.Level
}

// bridgeCross is the probability that a Brownian bridge from a to b over
// time h with variance rate v crosses the level l, given a and b on the
// same side: exp(−2 (a − l)(b − l) / (v h)) (0 if v = 0 or a, b on
// different sides, which the caller has already handled).
func bridgeCross(a, b, l, v, h float64) float64 {
	d := (a - l) * (b - l)
	if !(d > 0) || !(v > 0) || math.IsInf(l, 0) {
		return 0
	}
	return math.Exp(-2 * d / (v * h))
}
