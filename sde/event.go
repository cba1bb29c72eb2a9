package sde

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/sdeml/sdeml/internal/parallel"
)

// Event is a stopping rule for Settings.Event. Its event function
// φ(t, x) = Value(t, x) has a sign at the start (t0, x0); the path stops at
// the first step after which φ is zero or of the other sign (a path with
// φ(t0, x0) = 0 stops at once). The stopping time τ is refined inside the
// step by linear interpolation of φ: with φ_n, φ_{n+1} at t_n, t_{n+1},
// θ = φ_n/(φ_n − φ_{n+1}), τ = t_n + θh and X_τ = X_n + θ(X_{n+1} − X_n)
// (for KillBox and KillLevel θ is drawn instead from the hitting time of the
// Brownian bridge between X_n and X_{n+1}, see below).
// After τ the path keeps X_τ (it is absorbed): later output rows hold X_τ.
//
// KillBox and KillLevel (coordinate boundaries) add the Brownian-bridge
// correction for killed diffusions: if both X_n and X_{n+1} are alive, the
// path is still killed in the step with the probability that a Brownian
// bridge between them crosses a face at level b,
//
//	p = exp(−2 (X_n,i − b)(X_{n+1},i − b) / (v_i h)),   v_i = Σ_j g_ij(t_n, X_n)²,
//
// (one uniform draw per step; over the faces of a box the survival
// probabilities multiply); then τ = t_n + θh with θ drawn from the bridge's
// conditional hitting time (an inverse-Gaussian transform, exact for Brownian
// motion with constant drift) and X_τ = X_n + θ(X_{n+1} − X_n) with
// coordinate i set to b. This removes the O(√h) bias of
// monitoring only at step times (exact for Brownian motion with constant
// drift and one level). Use EventFunc for any other function (no bridge
// correction). Derivation in docs/derivations/sde.md.
//
// Events work with fixed steps and every method except ReversibleHeun;
// adaptive stepping with an event is an error.
type Event interface {
	Value(t float64, x []float64) float64
}

// EventFunc is an Event given by a function φ(t, x).
type EventFunc func(t float64, x []float64) float64

// Value returns f(t, x).
func (f EventFunc) Value(t float64, x []float64) float64 { return f(t, x) }

// bridgeEvent is an Event with coordinate boundaries, for which the solver
// applies the Brownian-bridge correction: crossing returns the probability
// that the bridge from x0 to x1 over h with variance rates v leaves, and
// the most likely face (coordinate, level); face < 0 means p = 0.
type bridgeEvent interface {
	crossing(x0, x1, v []float64, h float64) (p float64, face int, level float64)
	// exited returns the face x1 has reached or crossed (face < 0: none, or no
	// bridge correction).
	exited(x1 []float64) (face int, level float64)
}

// stopper holds the per-path event state of a solver.
type stopper struct {
	ev      Event
	bridge  bridgeEvent // nil without the bridge correction
	prev, v []float64   // X_n; variance rates at X_n
	f, g    []float64   // scratch for the diffusion at X_n
	pcg     rand.PCG    // kill draws of the path
	sign    float64     // sign of φ at the start
	stopped bool
	tau     float64
}

// newStopper validates ev for sys and method m and allocates its buffers.
func newStopper(sys *System, m Method, set *Settings) (*stopper, error) {
	ev := set.Event
	if _, ok := m.(ReversibleHeun); ok {
		return nil, fmt.Errorf("sde: Settings.Event with method %s, whose auxiliary state cannot be stopped inside a step: not supported", m.Name())
	}
	if set.Adaptive {
		return nil, fmt.Errorf("sde: Settings.Event with Settings.Adaptive: not supported (use a fixed Step)")
	}
	if v, ok := ev.(interface{ Validate() error }); ok {
		if err := v.Validate(); err != nil {
			return nil, withContext("Settings.Event", err)
		}
	}
	if v, ok := ev.(interface{ validateDim(int) error }); ok {
		if err := v.validateDim(sys.Dim); err != nil {
			return nil, withContext("Settings.Event", err)
		}
	}
	d := sys.Dim
	s := &stopper{ev: ev, prev: padded(d)}
	if b, ok := ev.(bridgeEvent); ok {
		s.bridge = b
		s.v, s.f, s.g = padded(d), padded(d), padded(sys.DiffusionLen())
	}
	return s, nil
}

// reset restarts the event state for a path with stream index i of seed.
func (s *stopper) reset(seed uint64, i int) {
	s.pcg.Seed(parallel.StreamSeeds(TreeSeed(seed, i)^0x6b696c6c /* "kill" */, 0))
	s.stopped, s.tau = false, math.Inf(1)
}

// start checks the initial state; it reports whether the path is stopped
// at t0 already.
func (s *stopper) start(t0 float64, x []float64) (bool, error) {
	phi := s.ev.Value(t0, x)
	if math.IsNaN(phi) {
		return false, fmt.Errorf("sde: Settings.Event value is NaN at t = %v (initial state)", t0)
	}
	s.sign = 1
	if phi < 0 {
		s.sign = -1
	}
	if phi == 0 {
		s.stopped, s.tau = true, t0
	}
	return s.stopped, nil
}

// check is called after the step from (t0, prev) to (t1, x); on a stop it
// sets τ and overwrites x with X_τ.
func (s *stopper) check(sys *System, t0, t1 float64, x []float64) error {
	phi1 := s.sign * s.ev.Value(t1, x)
	if math.IsNaN(phi1) {
		return fmt.Errorf("sde: Settings.Event value is NaN at t = %v", t1)
	}
	prev := s.prev
	if phi1 <= 0 {
		phi0 := s.sign * s.ev.Value(t0, prev)
		th := 1.0
		face, level := -1, 0.0
		if s.bridge != nil && phi0 > 0 {
			face, level = s.bridge.exited(x)
		}
		switch {
		case face >= 0:
			// The bridge surely hit the face: draw when (docs/derivations/sde.md §2).
			sys.diffusion(s.f, s.g, t0, prev)
			variances(sys, s.v, s.g)
			th = bridgeHitFraction(prev[face], x[face], level, s.v[face], t1-t0, &s.pcg)
		case phi0 > 0:
			th = phi0 / (phi0 - phi1)
		}
		for i := range x {
			x[i] = prev[i] + th*(x[i]-prev[i])
		}
		if face >= 0 {
			x[face] = level
		}
		s.stopped, s.tau = true, t0+th*(t1-t0)
		return nil
	}
	if s.bridge == nil {
		return nil
	}
	sys.diffusion(s.f, s.g, t0, prev)
	variances(sys, s.v, s.g)
	p, face, level := s.bridge.crossing(prev, x, s.v, t1-t0)
	if face < 0 || !(p > 0) {
		return nil
	}
	if u := float64(s.pcg.Uint64()>>11) * 0x1p-53; u < p {
		th := bridgeHitFraction(prev[face], x[face], level, s.v[face], t1-t0, &s.pcg)
		for i := range x {
			x[i] = prev[i] + th*(x[i]-prev[i])
		}
		x[face] = level
		s.stopped, s.tau = true, t0+th*(t1-t0)
	}
	return nil
}

// bridgeHitFraction draws the first time the Brownian bridge from a (at 0) to
// c (at h) with variance rate v hits the level l, as a fraction θ of h, given
// that it does. The hitting density is proportional to the first-passage
// density from a times the transition density from l to c,
//
//	s^{−3/2} e^{−α²/(2vs)} · (h − s)^{−1/2} e^{−γ²/(2v(h−s))},   α = |a − l|, γ = |c − l|,
//
// and the substitution U = s/(h − s) turns it into ∝ U^{−3/2} e^{−α²/(2vhU) − γ²U/(2vh)}:
// U is inverse Gaussian with mean α/γ and shape α²/(vh), and θ = U/(1 + U)
// (docs/derivations/sde.md §2). The formula holds whether c is on a's side
// of l or beyond it. U is drawn by Michael, Schucany & Haas (1976) from one
// normal and one uniform of src.
func bridgeHitFraction(a, c, l, v, h float64, src *rand.PCG) float64 {
	alpha, gamma := math.Abs(a-l), math.Abs(c-l)
	switch {
	case alpha == 0:
		return 0
	case gamma == 0 || !(v > 0):
		return 1
	}
	mu, lam := alpha/gamma, alpha*alpha/(v*h)
	r := rand.New(src)
	y := r.NormFloat64()
	y *= y
	u := mu + mu*mu*y/(2*lam) - mu/(2*lam)*math.Sqrt(4*mu*lam*y+mu*mu*y*y)
	if r.Float64() > mu/(mu+u) {
		u = mu * mu / u
	}
	if math.IsInf(u, 1) {
		return 1
	}
	return u / (1 + u)
}

// variances writes v_i = Σ_j g_ij² (the variance rate of coordinate i) for
// the layout of sys.
func variances(sys *System, v, g []float64) {
	switch sys.Noise {
	case General:
		m := sys.M()
		for i := range v {
			var s float64
			for _, gij := range g[i*m : i*m+m] {
				s += gij * gij
			}
			v[i] = s
		}
	default:
		for i := range v {
			v[i] = g[i] * g[i]
		}
	}
}

// runEvent is the fixed-step loop of run with Settings.Event: after every
// step the event is checked (and the bridge kill drawn); once stopped, the
// remaining output times get X_τ.
func (sv *solver) runEvent(ts []float64, out func(k int, x []float64)) error {
	s, x := sv.stop, sv.x
	stopped, err := s.start(ts[0], x)
	if err != nil {
		return err
	}
	for k := 1; k < len(ts); k++ {
		if stopped {
			out(k, x)
			continue
		}
		a, b := ts[k-1], ts[k]
		ns, dt, err := sv.interval(ts, k, sv.steps)
		if err != nil {
			return err
		}
		t0 := a
		for j := 1; j <= ns && !stopped; j++ {
			t1 := a + float64(j)*dt
			if j == ns {
				t1 = b
			}
			copy(s.prev, x)
			sv.bm.Increment(sv.dw, sv.u, t0, t1)
			sv.st.Step(x, t0, t1-t0, x, sv.dw, sv.u)
			if sv.set.Domain != nil {
				sv.set.Domain.Project(x)
			}
			if !finite(x) {
				if err := stageError(sv.st); err != nil {
					return fmt.Errorf("%w (step %d)", err, sv.steps+1)
				}
				return fmt.Errorf("sde: non-finite state at t = %v (step %d)", t1, sv.steps+1)
			}
			sv.steps++
			if err := s.check(sv.sys, t0, t1, x); err != nil {
				return err
			}
			stopped = s.stopped
			t0 = t1
		}
		out(k, x)
	}
	return nil
}
