package sde

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
)

// BrownianPath is an m-dimensional Brownian motion on [t0, ∞) that stores
// every point it has been asked for and refines itself with the Brownian
// bridge. A query at t beyond the last stored time s extends the path with
// W(t) = W(s) + √(t−s) ξ; a query between stored times a < t < b draws
//
//	W(t) ~ N(W(a) + (t−a)/(b−a)·(W(b)−W(a)), (t−a)(b−t)/(b−a))
//
// and stores it. All later queries are consistent with every earlier one, so
// the path can be revisited at any resolution: this is what adaptive
// stepping needs to retry a rejected step on the same noise, and what a
// coarse/fine convergence study needs. The values depend on src and on the
// order of queries (use BrownianTree for order-independent values).
// NewBrownianPathArea builds one that also stores the space-time or the
// pair Lévy areas of each stored interval and refines them with W
// (PathArea). A BrownianPath is not safe for concurrent use.
type BrownianPath struct {
	m   int
	t0  float64
	ts  []float64 // stored times, sorted, ts[0] = t0
	ws  []float64 // len(ts)·m values, row-major
	gen normalGen
	a   []float64 // scratch for Increment

	kind PathArea    // iterated integrals stored with W (NewBrownianPathArea)
	res  float64     // SetAreaResolution: longest interval created by extension
	q    int         // their number per interval
	ar   []float64   // len(ts)·q: row k ≥ 1 holds those over [ts[k−1], ts[k]]
	ps   pathScratch // area-split buffers, allocated on first use
}

// NewBrownianPath returns an m-dimensional path with W(t0) = 0 drawing from
// src.
func NewBrownianPath(src rand.Source, m int, t0 float64) *BrownianPath {
	if m <= 0 {
		panic(fmt.Sprintf("sde: NewBrownianPath: m = %d, want > 0", m))
	}
	return &BrownianPath{
		m: m, t0: t0, ts: []float64{t0}, ws: make([]float64, m),
		gen: newNormalGen(src), a: make([]float64, m),
	}
}

// Dim returns m.
func (p *BrownianPath) Dim() int { return p.m }

// HasLevyArea reports whether Increment fills the space-time Lévy area u:
// true for a path built with NewBrownianPathArea(…, PathSpaceTime).
func (p *BrownianPath) HasLevyArea() bool { return p.kind == PathSpaceTime }

// Len returns the number of stored times.
func (p *BrownianPath) Len() int { return len(p.ts) }

// At writes W(t) into dst, drawing and storing it if t is new. It panics if
// t < t0.
func (p *BrownianPath) At(dst []float64, t float64) {
	m := p.m
	if len(dst) != m {
		panic(fmt.Sprintf("sde: BrownianPath.At: len(dst) = %d, want %d", len(dst), m))
	}
	if !(t >= p.t0) || math.IsInf(t, 0) {
		panic(fmt.Sprintf("sde: BrownianPath.At: t = %v before the start %v", t, p.t0))
	}
	if last := p.ts[len(p.ts)-1]; t > last {
		for p.res > 0 && t-last > p.res*(1+1e-9) { // SetAreaResolution
			last += p.res
			p.extend(dst, last)
		}
		p.extend(dst, t)
		return
	}
	k := sort.SearchFloat64s(p.ts, t) // p.ts[k] >= t, k >= 1 unless t == t0
	if p.ts[k] == t {
		copy(dst, p.ws[k*m:(k+1)*m])
		return
	}
	a, b := p.ts[k-1], p.ts[k]
	wa, wb := p.ws[(k-1)*m:k*m], p.ws[k*m:(k+1)*m]
	if p.kind == PathNoArea {
		r := (t - a) / (b - a)
		sd := math.Sqrt((t - a) * (b - t) / (b - a))
		for i := range dst {
			dst[i] = wa[i] + r*(wb[i]-wa[i]) + sd*p.gen.next()
		}
	} else {
		s, q := p.scratch(), p.q
		for i := range s.dw {
			s.dw[i] = wb[i] - wa[i]
		}
		p.split(s.b, s.left, s.right, s.dw, p.ar[k*q:(k+1)*q], t-a, b-t)
		for i := range dst {
			dst[i] = wa[i] + s.b[i]
		}
		// Row k becomes [a, t]; [t, b] is inserted after it.
		copy(p.ar[k*q:(k+1)*q], s.left)
		p.ar = append(p.ar, s.right...) // grow by q
		copy(p.ar[(k+2)*q:], p.ar[(k+1)*q:len(p.ar)-q])
		copy(p.ar[(k+1)*q:(k+2)*q], s.right)
	}
	p.ts = append(p.ts, 0)
	copy(p.ts[k+1:], p.ts[k:])
	p.ts[k] = t
	p.ws = append(p.ws, dst...) // grow by m
	copy(p.ws[(k+1)*m:], p.ws[k*m:len(p.ws)-m])
	copy(p.ws[k*m:(k+1)*m], dst)
}

// extend appends t > the last stored time: W(t) (written into dst) and,
// for a path with areas, the new interval's iterated integrals.
func (p *BrownianPath) extend(dst []float64, t float64) {
	m, n := p.m, len(p.ts)
	last := p.ts[n-1]
	sq := math.Sqrt(t - last)
	prev := p.ws[(n-1)*m : n*m]
	for i := range dst {
		dst[i] = prev[i] + sq*p.gen.next()
	}
	if p.kind != PathNoArea {
		s := p.scratch()
		for i := range s.dw {
			s.dw[i] = dst[i] - prev[i]
		}
		p.newArea(s.whole, s.dw, t-last)
		p.ar = append(p.ar, s.whole...)
	}
	p.ts = append(p.ts, t)
	p.ws = append(p.ws, dst...)
}

// Increment writes W(t1) − W(t0) into dw and, if u is not nil, the
// space-time Lévy area over [t0, t1] into u (only for a PathSpaceTime path,
// see HasLevyArea; it panics otherwise).
func (p *BrownianPath) Increment(dw, u []float64, t0, t1 float64) {
	if u != nil {
		if p.kind != PathSpaceTime {
			panic(fmt.Sprintf("sde: BrownianPath with %v does not provide the space-time Lévy area: build it with NewBrownianPathArea(…, PathSpaceTime)", p.kind))
		}
		if len(dw) != p.m || len(u) != p.m {
			panic(fmt.Sprintf("sde: BrownianPath.Increment: len(dw) = %d, len(u) = %d, want %d", len(dw), len(u), p.m))
		}
		p.combine(dw, u, t0, t1)
		return
	}
	p.At(p.a, t0)
	p.At(dw, t1)
	for i := range dw {
		dw[i] -= p.a[i]
	}
}

// Forget drops the stored points before the last stored time ≤ t, keeping
// the path consistent for queries at times ≥ t. Later queries before t
// panic. It bounds the memory of long adaptive solves.
func (p *BrownianPath) Forget(t float64) {
	k := sort.SearchFloat64s(p.ts, t)
	if k >= len(p.ts) || p.ts[k] > t {
		k--
	}
	if k <= 0 {
		return
	}
	n := copy(p.ts, p.ts[k:])
	p.ts = p.ts[:n]
	nw := copy(p.ws, p.ws[k*p.m:])
	p.ws = p.ws[:nw]
	na := copy(p.ar, p.ar[k*p.q:])
	p.ar = p.ar[:na]
	p.t0 = p.ts[0]
}
