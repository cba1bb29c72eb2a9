package sde

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat"

	"github.com/sdeml/sdeml/internal/parallel"
)

// Problem is a test problem for convergence studies: a System, an initial
// state, a final time and, when known, the exact solution as a function of
// the Brownian motion's final value.
type Problem struct {
	Name string
	Sys  *System
	X0   []float64
	T    float64
	// Exact, if not nil, writes X(T) given X(0) = x0 and W(T) = w (closed
	// forms that depend on the path only through W(T)). If nil, the
	// reference is a solve with ConvergenceSettings.Reference on the finest
	// Brownian grid.
	Exact func(dst []float64, t float64, x0, w []float64)
}

// ConvergenceSettings configures ConvergenceStudy.
type ConvergenceSettings struct {
	// Steps are the numbers of steps of each level; each must divide
	// FineSteps. Required.
	Steps []int
	// FineSteps is the number of steps of the finest Brownian grid, from
	// which every level's increments (and Lévy areas) are summed exactly;
	// 0 means the largest of Steps.
	FineSteps int
	// Paths is the number of Brownian paths, > 0.
	Paths int
	// Seed: path i draws from parallel.Stream(Seed, i).
	Seed uint64
	// Reference solves on the fine grid when Problem.Exact is nil; it must
	// converge to the same calculus as the method studied.
	Reference Method
	// Phi, if not nil, is the test function of the weak error
	// |E φ(X_h(T)) − E φ(X(T))|, estimated on the same paths as
	// mean(φ(X_h(T)) − φ(X(T))) (a control variate).
	Phi func(x []float64) float64
	// CountFailures selects what a failed solve does (a non-finite state, an
	// implicit stage without a consistent root, MaxSteps). False, the
	// default, is strict: the first failure ends the study with an error
	// naming the path and level. True counts it: a path that fails at a
	// level is left out of that level's averages and counted in
	// Convergence.Failed[l] (a path whose reference solve fails is left out
	// of every level and counted in Convergence.ReferenceFailed), so a study
	// of where a method blows up keeps its table.
	CountFailures bool
}

// Convergence is the result of ConvergenceStudy.
type Convergence struct {
	// H are the step sizes, coarsest first.
	H []float64
	// Strong[l] = sqrt(mean_paths |X_h(T) − X(T)|²) at H[l].
	Strong []float64
	// StrongSE is the standard error of Strong (delta method).
	StrongSE []float64
	// Weak[l] = |mean_paths(φ(X_h(T)) − φ(X(T)))| and WeakSE its standard
	// error (nil without Phi).
	Weak, WeakSE []float64
	// StrongOrder and WeakOrder are the least-squares slopes of log error
	// against log h over the levels whose error is finite and positive
	// (WeakOrder is NaN without Phi; either is NaN with fewer than two such
	// levels).
	StrongOrder, WeakOrder float64
	// Failed[l] is the number of paths whose solve failed at level l (with
	// ConvergenceSettings.CountFailures; all zero otherwise), and
	// FirstFailure[l] the error of the lowest-indexed of them (nil if none).
	// The averages of level l are over the other Paths − Failed[l] −
	// ReferenceFailed paths; with none left they are NaN.
	Failed       []int
	FirstFailure []error
	// ReferenceFailed counts the paths whose reference solve failed (left
	// out of every level).
	ReferenceFailed int
}

// FitOrder returns the least-squares slope and intercept of log(err) on
// log(h): err ≈ exp(intercept)·h^slope. It returns NaN and an error naming
// the entry if an h or an error is not positive and finite (an error of
// exactly 0, an exact level, has no logarithm and so no order), or if all h
// are equal. It panics if len(h) ≠ len(err) or len(h) < 2.
func FitOrder(h, err []float64) (slope, intercept float64, e error) {
	if len(h) != len(err) || len(h) < 2 {
		panic(fmt.Sprintf("sde: FitOrder: len(h) = %d, len(err) = %d, want equal and ≥ 2", len(h), len(err)))
	}
	lx, ly := make([]float64, len(h)), make([]float64, len(h))
	for i := range h {
		switch {
		case !(h[i] > 0) || math.IsInf(h[i], 0):
			return math.NaN(), math.NaN(), fmt.Errorf("sde: FitOrder: h[%d] = %v, want positive and finite", i, h[i])
		case !(err[i] > 0) || math.IsInf(err[i], 0):
			return math.NaN(), math.NaN(), fmt.Errorf("sde: FitOrder: err[%d] = %v, want positive and finite (a log-log fit has no slope through an error of 0)", i, err[i])
		}
		lx[i], ly[i] = math.Log(h[i]), math.Log(err[i])
	}
	if allEqual(lx) {
		return math.NaN(), math.NaN(), fmt.Errorf("sde: FitOrder: all h = %v, want at least two distinct step sizes", h[0])
	}
	intercept, slope = stat.LinearRegression(lx, ly, nil, false)
	return slope, intercept, nil
}

// allEqual reports whether every entry of x equals x[0].
func allEqual(x []float64) bool {
	for _, v := range x {
		if v != x[0] {
			return false
		}
	}
	return true
}

// replay is a Brownian that hands out stored increments in order.
type replay struct {
	m     int
	dw, u []float64
	k     int
}

func (r *replay) Dim() int          { return r.m }
func (r *replay) HasLevyArea() bool { return r.u != nil }
func (r *replay) Increment(dw, u []float64, _, _ float64) {
	copy(dw, r.dw[r.k*r.m:(r.k+1)*r.m])
	if u != nil {
		copy(u, r.u[r.k*r.m:(r.k+1)*r.m])
	}
	r.k++
}

// ConvergenceStudy measures the strong (and optionally weak) error of
// method m on p at each level of c.Steps. Every path draws one fine
// Brownian grid (ΔW and, if m or the reference needs it, the Lévy area U)
// from parallel.Stream(c.Seed, i); coarse increments are exact sums of fine
// ones (CombineIncrements), so all levels and the reference see the same
// Brownian path. The per-path errors are reduced in path order, so the
// result does not depend on GOMAXPROCS.
func ConvergenceStudy(p *Problem, m Method, c *ConvergenceSettings) (*Convergence, error) {
	if p == nil || c == nil {
		return nil, fmt.Errorf("sde: ConvergenceStudy: nil Problem or ConvergenceSettings")
	}
	if err := p.Sys.Validate(); err != nil {
		return nil, err
	}
	if len(p.X0) != p.Sys.Dim {
		return nil, fmt.Errorf("sde: len(Problem.X0) = %d, want Dim = %d", len(p.X0), p.Sys.Dim)
	}
	if !(p.T > 0) {
		return nil, fmt.Errorf("sde: Problem.T = %v, want > 0", p.T)
	}
	if c.Paths <= 0 {
		return nil, fmt.Errorf("sde: ConvergenceSettings.Paths = %d, want > 0", c.Paths)
	}
	if len(c.Steps) < 2 {
		return nil, fmt.Errorf("sde: ConvergenceSettings.Steps has %d levels, want ≥ 2", len(c.Steps))
	}
	fine := c.FineSteps
	for _, n := range c.Steps {
		if n <= 0 {
			return nil, fmt.Errorf("sde: ConvergenceSettings.Steps contains %d, want > 0", n)
		}
		if c.FineSteps == 0 {
			fine = max(fine, n)
		}
	}
	for _, n := range c.Steps {
		if fine%n != 0 {
			return nil, fmt.Errorf("sde: ConvergenceSettings.Steps contains %d, which does not divide FineSteps = %d", n, fine)
		}
	}
	if p.Exact == nil && c.Reference == nil {
		return nil, fmt.Errorf("sde: Problem.Exact and ConvergenceSettings.Reference are both nil")
	}
	d, mdim, nl := p.Sys.Dim, p.Sys.M(), len(c.Steps)
	levy := m.LevyArea() || (p.Exact == nil && c.Reference.LevyArea())
	ts := []float64{0, p.T}
	// One worker state per goroutine: solvers per level, fine and coarse
	// increment buffers, reference state.
	type worker struct {
		sv    []*solver
		ref   *solver
		fine  replay
		level replay
		xref  []float64
		w     []float64
	}
	np := parallel.Workers(c.Paths)
	ws := make([]*worker, np)
	for i := range ws {
		wk := &worker{xref: make([]float64, d), w: make([]float64, mdim)}
		wk.fine = replay{m: mdim, dw: make([]float64, fine*mdim)}
		wk.level = replay{m: mdim, dw: make([]float64, fine*mdim)}
		if levy {
			wk.fine.u = make([]float64, fine*mdim)
			wk.level.u = make([]float64, fine*mdim)
		}
		for _, n := range c.Steps {
			sv, err := newSolver(p.Sys, m, ts, &Settings{Step: p.T / float64(n)})
			if err != nil {
				return nil, err
			}
			ws[i] = wk
			wk.sv = append(wk.sv, sv)
		}
		if p.Exact == nil {
			sv, err := newSolver(p.Sys, c.Reference, ts, &Settings{Step: p.T / float64(fine)})
			if err != nil {
				return nil, err
			}
			wk.ref = sv
		}
		ws[i] = wk
	}
	sq := make([]float64, c.Paths*nl)      // squared strong errors
	dphi := make([]float64, c.Paths*nl)    // φ differences
	errs := make([]error, c.Paths)         // strict: the path's error; counting: its reference's
	levelErrs := make([]error, c.Paths*nl) // counting: the error of path i at level l
	hf := p.T / float64(fine)
	parallel.For(c.Paths, func(w, i int) {
		wk := ws[w]
		inc := NewIncrements(parallel.Stream(c.Seed, i), mdim)
		for k := 0; k < fine; k++ {
			var u []float64
			if levy {
				u = wk.fine.u[k*mdim : (k+1)*mdim]
			}
			inc.Increment(wk.fine.dw[k*mdim:(k+1)*mdim], u, 0, hf)
		}
		// Reference X(T).
		if p.Exact != nil {
			clear(wk.w)
			for k := 0; k < fine; k++ {
				for j := range wk.w {
					wk.w[j] += wk.fine.dw[k*mdim+j]
				}
			}
			p.Exact(wk.xref, p.T, p.X0, wk.w)
		} else {
			wk.fine.k = 0
			if err := wk.ref.bind(&wk.fine); err != nil {
				errs[i] = err
				return
			}
			if err := wk.ref.run(p.X0, ts, func(k int, x []float64) { copy(wk.xref, x) }); err != nil {
				errs[i] = fmt.Errorf("reference: %w", err)
				return
			}
		}
		for l, n := range c.Steps {
			r := fine / n
			lv := &wk.level
			for k := 0; k < n; k++ {
				dst := lv.dw[k*mdim : (k+1)*mdim]
				var du []float64
				if levy {
					du = lv.u[k*mdim : (k+1)*mdim]
				}
				copy(dst, wk.fine.dw[k*r*mdim:(k*r+1)*mdim])
				if levy {
					copy(du, wk.fine.u[k*r*mdim:(k*r+1)*mdim])
				}
				for q := k*r + 1; q < (k+1)*r; q++ {
					var fu []float64
					if levy {
						fu = wk.fine.u[q*mdim : (q+1)*mdim]
					}
					CombineIncrements(dst, du, dst, du, wk.fine.dw[q*mdim:(q+1)*mdim], fu, hf)
				}
			}
			lv.k = 0
			sv := wk.sv[l]
			if err := sv.bind(lv); err != nil {
				errs[i] = err
				return
			}
			var e2, ph float64
			if err := sv.run(p.X0, ts, func(k int, x []float64) {
				if k == 1 {
					for j, v := range x {
						dv := v - wk.xref[j]
						e2 += dv * dv
					}
					if c.Phi != nil {
						ph = c.Phi(x) - c.Phi(wk.xref)
					}
				}
			}); err != nil {
				err = withContext(fmt.Sprintf("level %d", l), err)
				if !c.CountFailures {
					errs[i] = err
					return
				}
				levelErrs[i*nl+l] = err
				continue
			}
			sq[i*nl+l], dphi[i*nl+l] = e2, ph
		}
	})
	res := &Convergence{H: make([]float64, nl), Strong: make([]float64, nl), StrongSE: make([]float64, nl), WeakOrder: math.NaN(),
		Failed: make([]int, nl), FirstFailure: make([]error, nl)}
	for i, err := range errs {
		if err == nil {
			continue
		}
		if !c.CountFailures {
			return nil, withContext(fmt.Sprintf("ConvergenceStudy path %d", i), err)
		}
		res.ReferenceFailed++
	}
	if c.Phi != nil {
		res.Weak, res.WeakSE = make([]float64, nl), make([]float64, nl)
	}
	col := make([]float64, 0, c.Paths)
	for l, n := range c.Steps {
		res.H[l] = p.T / float64(n)
		for i := range c.Paths {
			if err := levelErrs[i*nl+l]; err != nil {
				if res.Failed[l] == 0 {
					res.FirstFailure[l] = withContext(fmt.Sprintf("ConvergenceStudy path %d", i), err)
				}
				res.Failed[l]++
			}
		}
		col = col[:0]
		for i := range c.Paths {
			if errs[i] == nil && levelErrs[i*nl+l] == nil {
				col = append(col, sq[i*nl+l])
			}
		}
		mse, sd := stat.MeanStdDev(col, nil)
		res.Strong[l] = math.Sqrt(mse)
		// d sqrt(m) = dm / (2 sqrt(m)).
		res.StrongSE[l] = sd / math.Sqrt(float64(len(col))) / (2 * res.Strong[l])
		if c.Phi != nil {
			col = col[:0]
			for i := range c.Paths {
				if errs[i] == nil && levelErrs[i*nl+l] == nil {
					col = append(col, dphi[i*nl+l])
				}
			}
			mu, sd := stat.MeanStdDev(col, nil)
			res.Weak[l] = math.Abs(mu)
			res.WeakSE[l] = sd / math.Sqrt(float64(len(col)))
		}
	}
	res.StrongOrder = fitFinite(res.H, res.Strong)
	if c.Phi != nil {
		res.WeakOrder = fitFinite(res.H, res.Weak)
	}
	return res, nil
}

// fitFinite is FitOrder's slope over the levels whose error is finite and
// positive, or NaN if there are fewer than two.
func fitFinite(h, e []float64) float64 {
	var hs, es []float64
	for l, v := range e {
		if v > 0 && !math.IsInf(v, 0) {
			hs, es = append(hs, h[l]), append(es, v)
		}
	}
	if len(hs) < 2 {
		return math.NaN()
	}
	slope, _, _ := FitOrder(hs, es)
	return slope
}
