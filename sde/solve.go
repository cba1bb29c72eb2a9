package sde

import (
	"fmt"
	"math"
	"strings"

	"gonum.org/v1/gonum/mat"

	"github.com/sdeml/sdeml/internal/parallel"
)

// Default values used when the corresponding Settings field is zero.
const (
	// DefaultStepDivisions: the default fixed step is (ts[last] − ts[0]) /
	// DefaultStepDivisions.
	DefaultStepDivisions = 1000
	// DefaultMaxSteps is the default bound on the number of accepted plus
	// rejected steps of one path.
	DefaultMaxSteps = 1 << 24
)

// Settings configures Solve and SolveEnsemble. The zero value (or a nil
// *Settings) means defaults: fixed step (ts[last]−ts[0])/1000, at most
// DefaultMaxSteps steps, fresh increments from seed 0.
type Settings struct {
	// Step is the fixed step size, or the initial step when Adaptive is set.
	// Steps are shortened so that every output time is hit exactly: the
	// interval between consecutive output times is split into
	// n = ⌈Δ/Step⌉ equal steps. 0 means (ts[last] − ts[0])/1000.
	Step float64
	// MaxSteps bounds the steps (accepted plus rejected) of one path;
	// exceeding it is an error. 0 means DefaultMaxSteps.
	MaxSteps int
	// Seed seeds the Brownian motion when Brownian is nil. With a fixed
	// step, Solve draws fresh increments from the stream
	// parallel.Stream(Seed, 0) and path i of SolveEnsemble from
	// parallel.Stream(Seed, i). With Adaptive, path i is the order-independent
	// BrownianTree NewBrownianTree(TreeSeed(Seed, i), NoiseDim, ts[0],
	// ts[last], MinStep), so refining the tolerance refines the solution of
	// one Brownian path instead of drawing another (docs/derivations/sde.md).
	// Either way Solve reproduces path 0 of an ensemble.
	Seed uint64
	// Brownian, if not nil, drives Solve (not SolveEnsemble) instead of Seed.
	// Its Dim must equal the system's NoiseDim, and a BrownianTree's
	// interval must contain the output times. Adaptive needs a Path; give a
	// BrownianPath only if its query-order dependence is acceptable.
	Brownian Brownian
	// Driver, if not nil, replaces Brownian motion by another noise source
	// built per path from the path's stream (Stable for α-stable Lévy
	// motion): Solve uses Driver.NewDriver(parallel.Stream(Seed, 0), m) and
	// path i of SolveEnsemble the stream of path i. Only Euler–Maruyama
	// with a fixed step and no Event accepts a non-Brownian driver.
	Driver Driver
	// Jumps, if not nil, adds compound-Poisson jumps with exact jump times
	// (see Jumps). Fixed-step solves only.
	Jumps *Jumps
	// Domain, if not nil, is applied to the state after every accepted step.
	Domain Domain
	// Event, if not nil, stops the path at a stopping time (a level
	// crossing, the exit from a KillBox, or the sign change of any EventFunc;
	// see Event). Its Brownian-bridge kill draws come from a stream derived
	// from (Seed, path index), separate from the Brownian increments, so a
	// path with and without an event sees the same increments.
	Event Event
	// Save, if not nil, is called at every output time with the state; x
	// must not be retained. In SolveEnsemble it is ignored (use
	// Ensemble.Observe).
	Save func(t float64, x []float64)

	// Adaptive selects step-doubling error control (see Solve).
	Adaptive bool
	// RTol and ATol are the relative and absolute tolerances of adaptive
	// stepping; 0 means 1e-3 and 1e-6.
	RTol, ATol float64
	// MinStep is the smallest adaptive step; a step of this size is accepted
	// whatever its error. 0 means 1e-12·(ts[last] − ts[0]).
	MinStep float64
}

// Solution is the output of Solve.
type Solution struct {
	// T are the output times (a copy of ts).
	T []float64
	// X has one row per output time: row k is the state at T[k].
	X *mat.Dense
	// Steps is the number of accepted steps and Rejected the number of
	// rejected adaptive steps.
	Steps, Rejected int
	// Stopped reports whether Settings.Event stopped the path, at StopTime
	// (+Inf if not stopped by the last output time). Rows of X after
	// StopTime hold the state at the stop.
	Stopped  bool
	StopTime float64
}

// Solve integrates sys from x0 at ts[0] with method m and returns the state
// at every time of ts, which must be strictly increasing.
//
// With a fixed step every output time is reached exactly by shortening the
// steps of its interval (no overshoot and interpolation). With
// Settings.Adaptive, Solve uses step doubling: a step of size h is compared
// with two steps of size h/2 on the same Brownian path (the half-step value
// W(t+h/2) comes from the Brownian bridge), the error
// RMS_i((y_full − y_half)/(ATol + RTol·max(|y_full|, |y_half|))) decides
// acceptance, the more accurate y_half is kept, and a PI controller picks
// the next step (torchsde's constants: safety 0.9, exponents 1/4.5 and 0.13
// on acceptance, 1/1.5 on rejection, factors clipped to [0.2, 1.4]). A
// rejected step is retried on the same path, so rejection does not bias the
// noise. Methods that need Lévy areas (SRA1, SRID2, MilsteinGeneral,
// SRIGeneral) run adaptively on a user-supplied BrownianPath that stores
// them (NewBrownianPathArea), which refines its areas with each half step,
// or, for the pair areas, on a user-supplied BrownianTree (areas at its
// leaf resolution).
// ReversibleHeun is not supported in adaptive mode, nor are methods of strong order ½ on the
// system's noise (Euler–Maruyama on non-additive noise, any method on general
// noise): their step-doubling difference is dominated by g g' ΔW₁ΔW₂, so
// accepting or rejecting a step selects the Brownian path and biases the Itô
// sum (adaptive Euler–Maruyama on CubicProblem stalls at RMS error 0.02 as
// the tolerance goes from 1e-2 to 1e-6, while adaptive Milstein converges;
// cf. Gaines and Lyons, SIAM J. Appl. Math. 57, 1997).
//
// Invalid input (a bad System, len(x0) ≠ Dim, fewer than one output time,
// unsorted or non-finite ts, a negative Step, …) returns an error naming the
// field. A non-finite state or running out of MaxSteps returns an error
// together with the partial Solution (rows not reached are NaN).
func Solve(sys *System, m Method, x0, ts []float64, s *Settings) (*Solution, error) {
	var set Settings
	if s != nil {
		set = *s
	}
	sv, err := newSolver(sys, m, ts, &set)
	if err != nil {
		return nil, err
	}
	if len(x0) != sys.Dim {
		return nil, fmt.Errorf("sde: len(x0) = %d, want System.Dim = %d", len(x0), sys.Dim)
	}
	bm := set.Brownian
	switch {
	case bm != nil && set.Driver != nil:
		return nil, fmt.Errorf("sde: Settings.Brownian and Settings.Driver are both set; give one")
	case set.Driver != nil:
		if bm, err = set.Driver.NewDriver(parallel.Stream(set.Seed, 0), sys.M()); err != nil {
			return nil, withContext("Settings.Driver", err)
		}
	case bm != nil:
		if err := checkBrownianRange(bm, ts); err != nil {
			return nil, err
		}
	case set.Adaptive:
		bm = sv.ad.newTree(TreeSeed(set.Seed, 0), sys.M(), ts)
	default:
		bm = NewIncrements(parallel.Stream(set.Seed, 0), sys.M())
	}
	if err := sv.bind(bm); err != nil {
		return nil, err
	}
	sol := &Solution{T: append([]float64(nil), ts...), X: mat.NewDense(len(ts), sys.Dim, nil)}
	raw := sol.X.RawMatrix().Data
	for i := range raw {
		raw[i] = math.NaN()
	}
	if sv.stop != nil {
		sv.stop.reset(set.Seed, 0)
	}
	if sv.jump != nil {
		sv.jump.reset(set.Seed, 0, ts[0])
	}
	err = sv.run(x0, ts, func(k int, x []float64) {
		sol.X.SetRow(k, x)
		if set.Save != nil {
			set.Save(ts[k], x)
		}
	})
	sol.Steps, sol.Rejected = sv.steps, sv.rejected
	sol.StopTime = math.Inf(1)
	if sv.stop != nil {
		sol.Stopped, sol.StopTime = sv.stop.stopped, sv.stop.tau
	}
	return sol, err
}

// solver integrates one path at a time; it owns all per-path buffers, so a
// solver is reused across the paths of one ensemble worker.
type solver struct {
	sys      *System
	m        Method
	st       Stepper
	set      *Settings
	bm       Brownian
	path     Path // bm as a Path, for adaptive stepping
	x, dw, u []float64
	a        []float64    // pair Lévy areas, for methods with PairAreas
	ast      areaStepper  // st as an areaStepper when a != nil
	abm      AreaBrownian // bm as an AreaBrownian when a != nil
	h        float64      // fixed (or initial) step
	maxSteps int
	steps    int
	rejected int
	ad       *adaptive
	stop     *stopper // Settings.Event, nil without one
	jump     *jumper  // Settings.Jumps, nil without them
}

// newSolver validates the configuration and allocates the buffers.
func newSolver(sys *System, m Method, ts []float64, set *Settings) (*solver, error) {
	if m == nil {
		return nil, fmt.Errorf("sde: Method is nil")
	}
	if err := sys.Validate(); err != nil {
		return nil, err
	}
	if err := checkCalculus(sys, m); err != nil {
		return nil, err
	}
	if err := checkTimes(ts); err != nil {
		return nil, err
	}
	span := ts[len(ts)-1] - ts[0]
	h := set.Step
	switch {
	case math.IsNaN(h) || h < 0 || math.IsInf(h, 0):
		return nil, fmt.Errorf("sde: Settings.Step = %v, want > 0 (or 0 for the default)", h)
	case h == 0:
		h = span / DefaultStepDivisions
	}
	maxSteps := set.MaxSteps
	switch {
	case maxSteps < 0:
		return nil, fmt.Errorf("sde: Settings.MaxSteps = %d, want > 0 (or 0 for the default)", maxSteps)
	case maxSteps == 0:
		maxSteps = DefaultMaxSteps
	}
	if _, ok := m.(ReversibleHeun); ok && set.Domain != nil {
		return nil, fmt.Errorf("sde: Settings.Domain with method %s, whose auxiliary state would not be projected: not supported", m.Name())
	}
	if v, ok := set.Domain.(interface{ Validate() error }); ok {
		if err := v.Validate(); err != nil {
			return nil, withContext("Settings.Domain", err)
		}
	}
	if v, ok := set.Driver.(interface{ Validate() error }); ok {
		if err := v.Validate(); err != nil {
			return nil, withContext("Settings.Driver", err)
		}
	}
	if _, em := m.(EulerMaruyama); set.Driver != nil && !em {
		return nil, fmt.Errorf("sde: Settings.Driver (%T) with method %s: only EulerMaruyama steps non-Brownian noise", set.Driver, m.Name())
	}
	if set.Jumps != nil {
		if err := set.Jumps.Validate(); err != nil {
			return nil, fmt.Errorf("sde: Settings.%s", strings.TrimPrefix(err.Error(), "sde: "))
		}
		if _, ok := m.(ReversibleHeun); ok || set.Adaptive || set.Event != nil {
			return nil, fmt.Errorf("sde: Settings.Jumps with Settings.Adaptive, Settings.Event or the stateful method ReversibleHeun: not supported")
		}
	}
	if set.Driver != nil && (set.Adaptive || set.Event != nil) {
		return nil, fmt.Errorf("sde: Settings.Driver (%T) with Settings.Adaptive or Settings.Event: not supported (both assume Brownian paths)", set.Driver)
	}
	var stop *stopper
	if set.Event != nil {
		var err error
		if stop, err = newStopper(sys, m, set); err != nil {
			return nil, err
		}
	}
	st, err := m.NewStepper(sys)
	if err != nil {
		return nil, err
	}
	mdim := sys.M()
	sv := &solver{
		sys: sys, m: m, st: st, set: set, h: h, maxSteps: maxSteps,
		x: padded(sys.Dim), dw: padded(mdim), stop: stop,
	}
	if m.LevyArea() {
		sv.u = padded(mdim)
	}
	if set.Jumps != nil {
		sv.jump = newJumper(set.Jumps, sys.Dim)
	}
	if needsPairAreas(m) {
		if set.Event != nil || set.Jumps != nil || set.Driver != nil {
			return nil, fmt.Errorf("sde: method %s (Lévy areas) with Settings.Event, Jumps or Driver: not supported", m.Name())
		}
		as, ok := st.(areaStepper)
		if !ok {
			return nil, fmt.Errorf("sde: method %s needs Lévy areas but its stepper %T cannot take them", m.Name(), st)
		}
		sv.a, sv.ast = padded(mdim*(mdim-1)/2), as
	}
	if set.Adaptive {
		if (m.LevyArea() || needsPairAreas(m)) && set.Brownian == nil {
			return nil, fmt.Errorf("sde: Settings.Adaptive with method %s, which needs Lévy areas, and Settings.Brownian nil: give a BrownianPath from NewBrownianPathArea (PathSpaceTime for the space-time area, PathLevy for the pair areas) or, for pair areas, a BrownianTree whose Tol is near the smallest step", m.Name())
		}
		if _, ok := m.(ReversibleHeun); ok {
			return nil, fmt.Errorf("sde: Settings.Adaptive with method %s, which is stateful: not supported", m.Name())
		}
		if so, _ := m.Order(sys.Noise); so < 1 {
			return nil, fmt.Errorf("sde: Settings.Adaptive with method %s of strong order %v on %v noise: adaptive stepping needs strong order ≥ 1 (see Solve)", m.Name(), so, sys.Noise)
		}
		ad, err := newAdaptive(sys, m, set, span)
		if err != nil {
			return nil, err
		}
		sv.ad = ad
	}
	return sv, nil
}

// checkTimes checks that ts is non-empty, finite and strictly increasing.
func checkTimes(ts []float64) error {
	if len(ts) == 0 {
		return fmt.Errorf("sde: ts is empty, want at least one output time")
	}
	for i, t := range ts {
		if math.IsNaN(t) || math.IsInf(t, 0) {
			return fmt.Errorf("sde: ts[%d] = %v, want finite", i, t)
		}
		if i > 0 && t <= ts[i-1] {
			return fmt.Errorf("sde: ts not strictly increasing: ts[%d] = %v, ts[%d] = %v", i-1, ts[i-1], i, t)
		}
	}
	return nil
}

// checkBrownianRange returns an error if a user-supplied Brownian motion is
// not defined at every output time: a BrownianTree lives on its Interval, a
// BrownianPath starts at its t0.
func checkBrownianRange(bm Brownian, ts []float64) error {
	first, last := ts[0], ts[len(ts)-1]
	switch b := bm.(type) {
	case *BrownianTree:
		if t0, t1 := b.Interval(); first < t0 || last > t1 {
			return fmt.Errorf("sde: Settings.Brownian is a BrownianTree on [%v, %v], but the output times span [ts[0], ts[%d]] = [%v, %v]", t0, t1, len(ts)-1, first, last)
		}
	case *BrownianPath:
		if first < b.t0 {
			return fmt.Errorf("sde: Settings.Brownian is a BrownianPath starting at %v, after ts[0] = %v", b.t0, first)
		}
	}
	return nil
}

// bind attaches the Brownian motion driving the next path.
func (sv *solver) bind(bm Brownian) error {
	if bm.Dim() != sv.sys.M() {
		return fmt.Errorf("sde: Settings.Brownian.Dim() = %d, want System.NoiseDim = %d", bm.Dim(), sv.sys.M())
	}
	if err := gaussianOnly(sv.m, bm); err != nil {
		return err
	}
	if sv.a != nil {
		ab, ok := bm.(AreaBrownian)
		if !ok {
			return fmt.Errorf("sde: method %s needs the Lévy areas A_ij, which the Brownian %T does not provide (it is not an AreaBrownian)", sv.m.Name(), bm)
		}
		sv.abm = ab
		if bp, ok := bm.(*BrownianPath); ok && bp.kind != PathLevy {
			return fmt.Errorf("sde: method %s needs the Lévy areas A_ij, and Settings.Brownian is a BrownianPath with %v: build it with NewBrownianPathArea(…, PathLevy)", sv.m.Name(), bp.kind)
		}
		if tr, ok := bm.(*BrownianTree); ok {
			if leaf := (tr.t1 - tr.t0) / math.Ldexp(1, tr.depth); sv.h/leaf > maxAreaLeaves {
				return fmt.Errorf("sde: Settings.Brownian is a BrownianTree with leaves of %v, and a step of %v would draw the Lévy areas of %.3g leaves (at most %d): build it with a larger Tol", leaf, sv.h, sv.h/leaf, maxAreaLeaves)
			}
		}
	}
	if sv.u != nil && !bm.HasLevyArea() {
		return fmt.Errorf("sde: method %s needs the Lévy area, which the Brownian %T does not provide", sv.m.Name(), bm)
	}
	sv.bm = bm
	if sv.ad != nil {
		p, ok := bm.(Path)
		if !ok {
			return fmt.Errorf("sde: Settings.Adaptive needs a Brownian Path (BrownianPath or BrownianTree), got %T", bm)
		}
		sv.path = p
	}
	return nil
}

// run integrates one path from x0 at ts[0], calling out(k, x) at each ts[k].
func (sv *solver) run(x0, ts []float64, out func(k int, x []float64)) error {
	x := sv.x
	copy(x, x0)
	sv.steps, sv.rejected = 0, 0
	if !finite(x) {
		return fmt.Errorf("sde: x0 is not finite")
	}
	sv.st.Reset(ts[0], x)
	out(0, x)
	if sv.stop != nil {
		return sv.runEvent(ts, out)
	}
	if sv.ad != nil {
		return sv.runAdaptive(ts, out)
	}
	if sv.jump != nil {
		return sv.runJumps(ts, out)
	}
	// Fast path: Euler–Maruyama with fresh increments on diagonal noise.
	var fast *emStepper
	inc, _ := sv.bm.(*Increments)
	if em, ok := sv.st.(*emStepper); ok && inc != nil && (sv.sys.Noise == Diagonal || sv.sys.Noise == Additive) {
		fast = em
	}
	for k := 1; k < len(ts); k++ {
		a, b := ts[k-1], ts[k]
		ns, dt, err := sv.interval(ts, k, sv.steps)
		if err != nil {
			return err
		}
		if fast != nil {
			j, ok := fast.fresh(x, a, b, dt, ns, inc, sv.set.Domain)
			sv.steps += j
			if !ok {
				return fmt.Errorf("sde: non-finite state at t = %v (step %d)", a+float64(j)*dt, sv.steps)
			}
			out(k, x)
			continue
		}
		t0 := a
		for j := 1; j <= ns; j++ {
			t1 := a + float64(j)*dt
			if j == ns {
				t1 = b
			}
			if sv.a != nil {
				sv.abm.IncrementArea(sv.dw, sv.a, t0, t1)
				sv.ast.StepArea(x, t0, t1-t0, x, sv.dw, sv.a)
			} else {
				sv.bm.Increment(sv.dw, sv.u, t0, t1)
				sv.st.Step(x, t0, t1-t0, x, sv.dw, sv.u)
			}
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
			t0 = t1
		}
		out(k, x)
	}
	return nil
}

// interval returns the number ns of fixed steps from ts[k-1] to ts[k] and
// their size dt = (ts[k] − ts[k-1])/ns, ns = ⌈(ts[k] − ts[k-1])/h⌉, or an
// error if done steps plus ns would exceed MaxSteps.
func (sv *solver) interval(ts []float64, k, done int) (int, float64, error) {
	a, b := ts[k-1], ts[k]
	n := math.Ceil((b-a)/sv.h - 1e-9)
	if n < 1 {
		n = 1
	}
	if float64(done)+n > float64(sv.maxSteps) {
		return 0, 0, fmt.Errorf("sde: reaching ts[%d] = %v needs %v more steps of size ≤ %v, beyond Settings.MaxSteps = %d", k, b, n, sv.h, sv.maxSteps)
	}
	return int(n), (b - a) / n, nil
}
