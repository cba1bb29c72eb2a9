package sde

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/sdeml/sdeml/internal/parallel"
)

// emPair integrates two ensemble paths at once with Euler–Maruyama on a
// one-dimensional system with per-path callbacks, fused (DriftDiffusion) or
// separate (Drift and Diffusion), and no batch callback (no Domain, fixed
// step). One path's steps form a serial
// chain (state → callback → update → state) whose latency, not its
// arithmetic, bounds the speed; interleaving two independent chains lets
// the processor overlap them. Each path still draws only from its own
// stream parallel.Stream(seed, i), in the same order and with the same
// arithmetic as emStepper.fresh, so the values are bit-identical to a
// path-by-path solve. On the GBM benchmark of docs/PERFORMANCE.md it
// takes ≈ 7 CPU-ns per path-step against ≈ 11 path by path.
type emPair struct {
	_   [64]byte // keeps the PCGs, written every step, off other workers' cache lines
	pcg [2]rand.PCG
	buf [4]float64 // f and g of both lanes
	_   [64]byte
	sv  *solver
	st  *emStepper
	inc [2]*Increments // single-path fallback on each lane's PCG
	x   [2][]float64
	// tab holds the step times of the current interval block, for
	// key = (a, b, dt) and keyN = (ns, j0).
	tab  []stepTime
	key  [3]float64
	keyN [2]int
}

// emPairable reports whether SolveEnsemble uses emPair for sv.
func emPairable(sv *solver) bool {
	st, ok := sv.st.(*emStepper)
	s := sv.sys
	return ok && st != nil && sv.ad == nil && sv.stop == nil && sv.set.Domain == nil && s.Dim == 1 &&
		(s.DriftDiffusion != nil || s.Drift != nil && s.Diffusion != nil) && s.BatchDriftDiffusion == nil &&
		(s.Noise == Diagonal || s.Noise == Additive)
}

func newEMPair(sv *solver) *emPair {
	p := &emPair{sv: sv, st: sv.st.(*emStepper)}
	for l := range 2 {
		p.inc[l] = NewIncrements(&p.pcg[l], 1)
		p.x[l] = padded(1)
	}
	return p
}

// run integrates paths i and i+1, writing errs and steps for both and
// calling out(path, k, x) at every output time a path reaches, as
// ensembleWorker.run does path by path. While both paths are finite each
// output interval runs interleaved (pair1); if one of them leaves the
// finite numbers inside an interval, both are rewound to the start of the
// interval (state and stream position) and that interval and the rest are
// run path by path with emStepper.fresh, which reports the failing step
// exactly as Solve does. The callback must therefore be a deterministic
// function of (t, x), as every solver here assumes.
func (p *emPair) run(e *Ensemble, i int, ts []float64, errs []error, steps []int, out func(path, k int, x []float64)) {
	var live [2]bool
	for l := range 2 {
		p.pcg[l].Seed(parallel.StreamSeeds(e.Seed, i+l))
		x := p.x[l]
		if e.Init != nil {
			e.Init(x, i+l, &p.pcg[l])
		} else {
			copy(x, e.X0)
		}
		steps[i+l], errs[i+l] = 0, nil
		live[l] = finite(x)
		if !live[l] {
			errs[i+l] = fmt.Errorf("sde: x0 is not finite")
			continue
		}
		out(i+l, 0, x)
	}
	sv, st := p.sv, p.st
	paired := live[0] && live[1]
	for k := 1; k < len(ts) && (live[0] || live[1]); k++ {
		a, b := ts[k-1], ts[k]
		if paired {
			ns, dt, err := sv.interval(ts, k, steps[i])
			if err != nil {
				errs[i], errs[i+1] = err, err
				return
			}
			save, x0, x1 := p.pcg, p.x[0][0], p.x[1][0]
			if p.pair1(a, b, dt, ns) {
				steps[i] += ns
				steps[i+1] += ns
				out(i, k, p.x[0])
				out(i+1, k, p.x[1])
				continue
			}
			p.pcg, p.x[0][0], p.x[1][0] = save, x0, x1
			paired = false
		}
		for l := range 2 {
			if !live[l] {
				continue
			}
			ns, dt, err := sv.interval(ts, k, steps[i+l])
			if err != nil {
				errs[i+l], live[l] = err, false
				continue
			}
			j, ok := st.fresh(p.x[l], a, b, dt, ns, p.inc[l], nil)
			steps[i+l] += j
			if !ok {
				errs[i+l] = fmt.Errorf("sde: non-finite state at t = %v (step %d)", a+float64(j)*dt, steps[i+l])
				live[l] = false
				continue
			}
			out(i+l, k, p.x[l])
		}
	}
}

// stepTime is one step of an output interval: its start time, size and
// the square root of the size, as emStepper.fresh computes them.
type stepTime struct{ t0, h, sq float64 }

// pairTableMax bounds the steps whose times one table holds (24 bytes
// each); longer intervals are covered block by block.
const pairTableMax = 1 << 14

// times returns the step times of steps j0+1 … j0+n of the interval from a
// to b split into ns steps of size dt, computed as in emStepper.fresh
// (t_j = a + j·dt, the last one exactly b; h = t_j − t_{j−1}). The table
// is kept and reused while the interval and block do not change, which in
// an ensemble is for every pair of a worker.
func (p *emPair) times(a, b, dt float64, ns, j0, n int) []stepTime {
	if p.key == [3]float64{a, b, dt} && p.keyN == [2]int{ns, j0} && len(p.tab) == n {
		return p.tab
	}
	if cap(p.tab) < n {
		p.tab = make([]stepTime, n)
	}
	p.tab = p.tab[:n]
	at := func(j int) float64 {
		if j == ns {
			return b
		}
		return a + float64(j)*dt
	}
	t0 := a
	if j0 > 0 {
		t0 = at(j0)
	}
	for k := range n {
		t1 := at(j0 + k + 1)
		h := t1 - t0
		p.tab[k] = stepTime{t0, h, math.Sqrt(h)}
		t0 = t1
	}
	p.key, p.keyN = [3]float64{a, b, dt}, [2]int{ns, j0}
	return p.tab
}

// pair1 runs ns steps of both lanes from a to b (the step times of
// emStepper.fresh) and reports whether both states stayed finite.
func (p *emPair) pair1(a, b, dt float64, ns int) bool {
	for j0 := 0; j0 < ns; j0 += pairTableMax {
		if !p.block(p.times(a, b, dt, ns, j0, min(pairTableMax, ns-j0))) {
			return false
		}
	}
	return true
}

// block runs the steps of tab on both lanes, with the fused callback or
// with the separate ones. The two forms have a loop each, which differ only
// in the callback lines: a test of the form per step, or the update as a
// function (too large to inline), cost 3–10 % on the fused form.
func (p *emPair) block(tab []stepTime) bool {
	fg, dr, df := p.st.sys.pointwise()
	pa, pb := &p.pcg[0], &p.pcg[1]
	fa, gA, fb, gB := p.buf[0:1], p.buf[1:2], p.buf[2:3], p.buf[3:4]
	xa, xb := p.x[0][:1], p.x[1][:1]
	if fg == nil {
		for k := range tab {
			e := &tab[k]
			dr(fa, e.t0, xa)
			df(gA, e.t0, xa)
			dr(fb, e.t0, xb)
			df(gB, e.t0, xb)
			u := pa.Uint64()
			z, ok := zigFast(u)
			if !ok {
				ga := normalGen{pcg: pa}
				z = ga.slowFrom(u)
			}
			u2 := pb.Uint64()
			z2, ok2 := zigFast(u2)
			if !ok2 {
				gb := normalGen{pcg: pb}
				z2 = gb.slowFrom(u2)
			}
			v := xa[0] + e.h*fa[0] + gA[0]*(e.sq*z)
			v2 := xb[0] + e.h*fb[0] + gB[0]*(e.sq*z2)
			xa[0], xb[0] = v, v2
			if v-v != 0 || v2-v2 != 0 {
				return false
			}
		}
		return true
	}
	for k := range tab {
		e := &tab[k]
		fg(fa, gA, e.t0, xa)
		fg(fb, gB, e.t0, xb)
		u := pa.Uint64()
		z, ok := zigFast(u)
		if !ok {
			ga := normalGen{pcg: pa}
			z = ga.slowFrom(u)
		}
		u2 := pb.Uint64()
		z2, ok2 := zigFast(u2)
		if !ok2 {
			gb := normalGen{pcg: pb}
			z2 = gb.slowFrom(u2)
		}
		v := xa[0] + e.h*fa[0] + gA[0]*(e.sq*z)
		v2 := xb[0] + e.h*fb[0] + gB[0]*(e.sq*z2)
		xa[0], xb[0] = v, v2
		if v-v != 0 || v2-v2 != 0 {
			return false
		}
	}
	return true
}
