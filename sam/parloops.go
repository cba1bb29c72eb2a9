package sam

import (
	"math"
	"sync/atomic"

	"gonum.org/v1/gonum/floats"

	"github.com/sdeml/sdeml/internal/freelist"
	"github.com/sdeml/sdeml/internal/parallel"
)

// The per-parameter loops of a step (the SGD and Adam updates, the finiteness checks of
// the gradient and of the parameters) run over blocks of at least parBlock parameters on
// internal/parallel's pool (parallel.Blocks): on the 235,146 parameters of the
// 784-256-256-10 MLP they cost as much CPU as a third of its float32 forward and backward
// pass, and left the other cores idle meanwhile. Each block reads and writes only its own
// entries with the operations of the serial loop, so the results are the same bits for any
// GOMAXPROCS.
const parBlock = 1 << 14

// updatePass is one update's loop over the parameters: SGD's (see SGD.Update) when m is
// nil, else Adam's (see Adam.Update).
type updatePass struct {
	w, g           []float64
	v              []float64 // SGD: the momentum (nil: none); Adam: the second moment
	m              []float64 // Adam: the first moment
	lr, mu, l2, cf float64
	nesterov       bool
	b1, b2, c1, c2 float64 // Adam: decay rates and bias corrections
	eps            float64
	per            int
}

// run applies the update to every parameter.
func (p *updatePass) run() {
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
func (p *updatePass) Do(_, i int) { p.update(i*p.per, min((i+1)*p.per, len(p.w))) }

// update applies the update to the parameters [lo, hi).
func (p *updatePass) update(lo, hi int) {
	w, grad := p.w[lo:hi], p.g[lo:hi]
	lr, mu, l2, cf := p.lr, p.mu, p.l2, p.cf
	switch {
	case p.m != nil:
		m, v := p.m[lo:hi], p.v[lo:hi]
		b1, b2, c1, c2, eps := p.b1, p.b2, p.c1, p.c2, p.eps
		for i, g := range grad {
			g = g*cf + l2*w[i]
			m[i] = b1*m[i] + (1-b1)*g
			v[i] = b2*v[i] + (1-b2)*g*g
			w[i] -= lr * (m[i] / c1) / (math.Sqrt(v[i]/c2) + eps)
		}
	case p.v == nil:
		for i, g := range grad {
			w[i] -= lr * (g*cf + l2*w[i])
		}
	case p.nesterov:
		v := p.v[lo:hi]
		for i, g := range grad {
			gi := g*cf + l2*w[i]
			v[i] = mu*v[i] + gi
			w[i] -= lr * (gi + mu*v[i])
		}
	default:
		v := p.v[lo:hi]
		for i, g := range grad {
			v[i] = mu*v[i] + g*cf + l2*w[i]
			w[i] -= lr * v[i]
		}
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
