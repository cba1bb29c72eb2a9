package sam

import (
	"sync/atomic"

	"gonum.org/v1/gonum/floats"

	"github.com/sdeml/sdeml/internal/freelist"
	"github.com/sdeml/sdeml/internal/parallel"
)

// The per-parameter loops of a step (the SGD update, the finiteness checks of the gradient
// and of the parameters) run over blocks of at least parBlock parameters on
// internal/parallel's pool (parallel.Blocks): on the 235,146 parameters of the
// 784-256-256-10 MLP they cost as much CPU as a third of its float32 forward and backward
// pass, and left the other cores idle meanwhile. Each block reads and writes only its own
// entries with the operations of the serial loop, so the results are the same bits for any
// GOMAXPROCS.
const parBlock = 1 << 14

// sgdPass is one SGD update's loop over the parameters (see SGD.Update).
type sgdPass struct {
	w, g, v        []float64 // v nil: no momentum
	lr, mu, l2, cf float64
	nesterov       bool
	per            int
}

// run applies the update to every parameter.
func (p *sgdPass) run() {
	n := len(p.w)
	var blocks int
	blocks, p.per = parallel.Blocks(n, parBlock)
	if blocks == 1 {
		p.update(0, n)
		return
	}
	parallel.Run(blocks, p)
}

// Do updates block i.
func (p *sgdPass) Do(_, i int) { p.update(i*p.per, min((i+1)*p.per, len(p.w))) }

// update applies the update to the parameters [lo, hi).
func (p *sgdPass) update(lo, hi int) {
	w, grad := p.w[lo:hi], p.g[lo:hi]
	lr, mu, l2, cf := p.lr, p.mu, p.l2, p.cf
	if p.v == nil {
		for i, g := range grad {
			w[i] -= lr * (g*cf + l2*w[i])
		}
		return
	}
	v := p.v[lo:hi]
	if p.nesterov {
		for i, g := range grad {
			gi := g*cf + l2*w[i]
			v[i] = mu*v[i] + gi
			w[i] -= lr * (gi + mu*v[i])
		}
		return
	}
	for i, g := range grad {
		v[i] = mu*v[i] + g*cf + l2*w[i]
		w[i] -= lr * v[i]
	}
}

// finiteTask checks blocks of x for finiteness (see allFinite).
type finiteTask struct {
	x   []float64
	per int
	bad atomic.Bool
}

var finitePool freelist.List[finiteTask]

// Do checks block i.
func (t *finiteTask) Do(_, i int) {
	if !finite(floats.Sum(t.x[i*t.per : min((i+1)*t.per, len(t.x))])) {
		t.bad.Store(true)
	}
}

// allFinite reports whether every entry of x is finite: a finite sum of a block (gonum's
// vectorized floats.Sum) proves its entries finite, since a NaN or ±Inf entry makes any
// sum NaN or ±Inf; a non-finite sum (a bad entry, or finite entries whose sum overflows)
// reports false, and the caller scans. The answer does not depend on the split.
func allFinite(x []float64) bool {
	blocks, per := parallel.Blocks(len(x), parBlock)
	if blocks == 1 {
		return finite(floats.Sum(x))
	}
	t := finitePool.New()
	t.x, t.per = x, per
	t.bad.Store(false)
	parallel.Run(blocks, t)
	ok := !t.bad.Load()
	t.x = nil
	finitePool.Put(t)
	return ok
}
