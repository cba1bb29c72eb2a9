package sde

import (
	"fmt"
	"math/rand/v2"
	"sync"

	"gonum.org/v1/gonum/mat"

	"github.com/sdeml/sdeml/internal/parallel"
)

// ensembleChunk is the number of consecutive paths one worker integrates
// and summarises before handing the partial sums to the ordered reduction.
// It is a constant so that results do not depend on GOMAXPROCS.
const ensembleChunk = 64

// Ensemble describes a set of independent paths for SolveEnsemble.
type Ensemble struct {
	// Paths is the number of paths, > 0.
	Paths int
	// Seed: path i draws its initial state (Init) and then its Brownian
	// increments from parallel.Stream(Seed, i).
	Seed uint64
	// X0 is the common initial state (len Dim), used when Init is nil.
	X0 []float64
	// Init, if not nil, writes the initial state of path i into dst,
	// drawing from src (the path's stream). It is called concurrently.
	Init func(dst []float64, path int, src rand.Source)
	// Store keeps every path: EnsembleSolution.X[k] is the Paths×Dim matrix
	// of states at ts[k].
	Store bool
	// Moments accumulates the mean and covariance at every output time
	// without storing the paths.
	Moments bool
	// Observe, if not nil, is called with the state of every path at every
	// output time k. It is called concurrently from several goroutines (for
	// distinct paths) and must not retain x.
	Observe func(path, k int, x []float64)
}

// EnsembleSolution is the output of SolveEnsemble.
type EnsembleSolution struct {
	// T are the output times.
	T []float64
	// X[k] is the Paths×Dim matrix of states at T[k] (with Ensemble.Store).
	X []*mat.Dense
	// Mean has one row per output time: the sample mean over paths (with
	// Ensemble.Moments).
	Mean *mat.Dense
	// Cov[k] is the sample covariance at T[k], normalised by Paths−1 (with
	// Ensemble.Moments; nil if Paths = 1).
	Cov []*mat.SymDense
	// Steps and Rejected total the accepted and rejected steps of all paths.
	Steps, Rejected int
	// StopTime[i] is the stopping time of path i under Settings.Event (+Inf
	// if it did not stop by the last output time); nil without an event.
	// It is an output of its own: an ensemble with an Event needs none of
	// Store, Moments and Observe (e.g. exit times from a KillBox).
	StopTime []float64
}

// SolveEnsemble integrates e.Paths independent paths of sys with method m at
// the output times ts, in parallel over parallel.Workers goroutines. Path i
// uses only the stream parallel.Stream(e.Seed, i) (path 0 reproduces Solve
// with Settings.Seed = e.Seed), and the moments are merged chunk by chunk in
// path order (Chan, Golub and LeVeque's pairwise update), so the result is
// bit-identical for any GOMAXPROCS. Settings.Brownian and Settings.Save must
// be nil. At least one output must be asked for: Ensemble.Store, Moments or
// Observe, or Settings.Event (whose stopping times are an output). If some paths fail, the error of the lowest-indexed failing path
// is returned with the partial solution.
func SolveEnsemble(sys *System, m Method, e *Ensemble, ts []float64, s *Settings) (*EnsembleSolution, error) {
	var set Settings
	if s != nil {
		set = *s
	}
	if e == nil {
		return nil, fmt.Errorf("sde: Ensemble is nil")
	}
	if set.Brownian != nil {
		return nil, fmt.Errorf("sde: Settings.Brownian must be nil in SolveEnsemble (path i uses parallel.Stream(Ensemble.Seed, i))")
	}
	if set.Save != nil {
		return nil, fmt.Errorf("sde: Settings.Save must be nil in SolveEnsemble (use Ensemble.Observe)")
	}
	if e.Paths <= 0 {
		return nil, fmt.Errorf("sde: Ensemble.Paths = %d, want > 0", e.Paths)
	}
	if err := sys.Validate(); err != nil {
		return nil, err
	}
	if e.Init == nil && len(e.X0) != sys.Dim {
		return nil, fmt.Errorf("sde: len(Ensemble.X0) = %d, want System.Dim = %d (or set Ensemble.Init)", len(e.X0), sys.Dim)
	}
	if !e.Store && !e.Moments && e.Observe == nil && set.Event == nil {
		return nil, fmt.Errorf("sde: Ensemble has none of Store, Moments and Observe set and Settings.Event is nil (no stopping times), so the %d paths would be computed and discarded", e.Paths)
	}
	nChunks := (e.Paths + ensembleChunk - 1) / ensembleChunk
	p := parallel.Workers(nChunks)
	workers := make([]*ensembleWorker, p)
	for w := range workers {
		sv, err := newSolver(sys, m, ts, &set)
		if err != nil {
			return nil, err
		}
		workers[w] = newEnsembleWorker(sv, sys, ts)
		if emBlockable(sv) && sv.stop == nil {
			workers[w].blk = newEMBlock(sys, sv)
		} else if emPairable(sv) {
			workers[w].pair = newEMPair(sv)
		}
	}
	d, nt := sys.Dim, len(ts)
	sol := &EnsembleSolution{T: append([]float64(nil), ts...)}
	if e.Store {
		sol.X = make([]*mat.Dense, nt)
		for k := range sol.X {
			sol.X[k] = mat.NewDense(e.Paths, d, nil)
		}
	}
	red := &reducer{pending: map[int]*moments{}}
	if e.Moments {
		red.total = newMoments(nt, d)
	}
	if set.Event != nil {
		sol.StopTime = make([]float64, e.Paths)
	}
	errs := make([]error, e.Paths)
	steps := make([]int, e.Paths)
	rejected := make([]int, e.Paths)
	parallel.For(nChunks, func(w, c int) {
		wk := workers[w]
		var acc *moments
		if e.Moments {
			acc = red.get(nt, d)
		}
		lo, hi := c*ensembleChunk, min((c+1)*ensembleChunk, e.Paths)
		emit := func(i, k int, x []float64) {
			if sol.X != nil {
				sol.X[k].SetRow(i, x)
			}
			if acc != nil {
				acc.add(k, x)
			}
			if e.Observe != nil {
				e.Observe(i, k, x)
			}
		}
		if wk.blk != nil {
			wk.blk.run(e, lo, hi, ts, errs, steps, emit)
			for i := lo; i < hi; i++ {
				rejected[i] = 0
			}
		}
		for i := lo; i < hi && wk.blk == nil; i++ {
			if wk.pair != nil && i+1 < hi {
				wk.pair.run(e, i, ts, errs, steps, emit)
				rejected[i], rejected[i+1] = 0, 0
				i++
				continue
			}
			errs[i] = wk.run(e, i, ts, sol.X, acc)
			steps[i], rejected[i] = wk.sv.steps, wk.sv.rejected
			if sol.StopTime != nil {
				sol.StopTime[i] = wk.sv.stop.tau
			}
		}
		if e.Moments {
			red.done(c, acc)
		}
	})
	for i := range steps {
		sol.Steps += steps[i]
		sol.Rejected += rejected[i]
	}
	if e.Moments {
		sol.Mean, sol.Cov = red.total.result()
	}
	for i, err := range errs {
		if err != nil {
			return sol, withContext(fmt.Sprintf("path %d", i), err)
		}
	}
	return sol, nil
}

// ensembleWorker is the per-goroutine state of SolveEnsemble.
type ensembleWorker struct {
	_    [64]byte // keeps pcg, written every step, off other workers' cache lines
	pcg  rand.PCG
	_    [64]byte
	sv   *solver
	blk  *emBlock // chunk-at-a-time Euler–Maruyama, when emBlockable
	pair *emPair  // two paths at a time, when emPairable
	inc  *Increments
	tree *BrownianTree // adaptive: path i is the tree of TreeSeed(Seed, i)
	x0   []float64
}

func newEnsembleWorker(sv *solver, sys *System, ts []float64) *ensembleWorker {
	wk := &ensembleWorker{sv: sv, x0: make([]float64, sys.Dim)}
	if sv.ad != nil {
		wk.tree = sv.ad.newTree(0, sys.M(), ts)
		if err := sv.bind(wk.tree); err != nil {
			panic(err) // unreachable: dimensions match by construction
		}
	} else {
		wk.inc = NewIncrements(&wk.pcg, sys.M())
		if err := sv.bind(wk.inc); err != nil {
			panic(err)
		}
	}
	return wk
}

// run integrates path i.
func (wk *ensembleWorker) run(e *Ensemble, i int, ts []float64, store []*mat.Dense, acc *moments) error {
	wk.pcg.Seed(parallel.StreamSeeds(e.Seed, i))
	if wk.tree != nil {
		wk.tree.reseed(TreeSeed(e.Seed, i))
	}
	if wk.sv.stop != nil {
		wk.sv.stop.reset(e.Seed, i)
	}
	if e.Init != nil {
		e.Init(wk.x0, i, &wk.pcg)
	} else {
		copy(wk.x0, e.X0)
	}
	return wk.sv.run(wk.x0, ts, func(k int, x []float64) {
		if store != nil {
			store[k].SetRow(i, x)
		}
		if acc != nil {
			acc.add(k, x)
		}
		if e.Observe != nil {
			e.Observe(i, k, x)
		}
	})
}

// reducer merges chunk moments in chunk order, whatever order chunks finish.
type reducer struct {
	mu      sync.Mutex
	next    int
	pending map[int]*moments
	free    []*moments
	total   *moments
}

func (r *reducer) get(nt, d int) *moments {
	r.mu.Lock()
	defer r.mu.Unlock()
	if n := len(r.free); n > 0 {
		m := r.free[n-1]
		r.free = r.free[:n-1]
		m.reset()
		return m
	}
	return newMoments(nt, d)
}

func (r *reducer) done(c int, m *moments) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pending[c] = m
	for {
		m, ok := r.pending[r.next]
		if !ok {
			return
		}
		delete(r.pending, r.next)
		r.total.merge(m)
		r.free = append(r.free, m)
		r.next++
	}
}
