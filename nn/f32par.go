package nn

import "github.com/sdeml/sdeml/internal/parallel"

// The element-wise passes of a Supervised32 call (rounding the parameters to float32,
// gathering the batch feature-major, the activations and their derivatives, widening a
// weight gradient to float64 and summing the bias gradients) cost about half as much CPU
// as the matrix products of a batch-128 step of the 784-256-256-10 MLP; run on one
// goroutine they left the other cores idle meanwhile. pass32 runs them on
// internal/parallel's pool, in blocks of their range.
// Every block writes its own entries of the output, each computed exactly as by the
// serial loop (the same operations in the same order per entry; the bias sums run over
// the samples of one row, never across blocks), so the result is the same bits for any
// GOMAXPROCS and any block size.

// pass32Min is the least number of elements (parameters, or inputs × rows) per block:
// below twice that a pass runs on the calling goroutine, since waking a helper costs
// microseconds (about what rounding 10⁴ parameters costs). Tests lower it to force the
// split on small networks.
var pass32Min = 16384

// pass32 kinds.
const (
	passRound  = iota // st.w[i] = float32(w[i]) (times Mask), i in [lo, hi)
	passGather        // st.x[j*B+r] = x[idx[r]*n+j], features j in [lo, hi)
	passWiden         // gw[o*in+j] (+)= float64(g[o*in+j]) and gb[o] (+)= Σ_r d[o*B+r], rows o in [lo, hi)
	passApply         // a[i] = σ(z[i]), i in [lo·B, hi·B)
	passDeriv         // d[i] *= σ'(z[i]) (a[i] = σ(z[i])), i in [lo·B, hi·B)
)

// pass32 is one element-wise pass of a call on st, split into blocks of per entries of
// its range [0, n) (parameters, input features or output rows).
type pass32 struct {
	kind, n, per int
	s            *Supervised32
	st           *state32

	w   []float64 // passRound
	idx []int     // passGather

	// passWiden: one layer's float32 weight gradient g (out×in) and errors d (out×B).
	g          []float32
	d          []float32
	gw, gb     []float64
	in, B      int
	accumulate bool

	// passApply, passDeriv: one layer's activation σ and its out×B pre-activations z,
	// activations a and errors d (B rows per entry).
	act  Activation
	z, a []float32
}

// run does the pass of the given kind over [0, n), an entry costing elemsPerEntry
// elements, in blocks of at least pass32Min elements (parallel.Blocks): on the pool when
// that makes two blocks or more, else in one block on the calling goroutine.
func (p *pass32) run(kind, n, elemsPerEntry int) {
	p.kind, p.n = kind, n
	var items int
	items, p.per = parallel.Blocks(n, ceilDiv(pass32Min, max(1, elemsPerEntry)))
	if items == 1 {
		p.Do(0, 0)
		return
	}
	parallel.Run(items, p)
}

// Do runs block i of the pass.
func (p *pass32) Do(_, i int) {
	lo, hi := i*p.per, min((i+1)*p.per, p.n)
	switch p.kind {
	case passRound:
		p.round(lo, hi)
	case passGather:
		p.gather(lo, hi)
	case passWiden:
		p.widen(lo, hi)
	case passApply:
		p.act.apply32(p.a[lo*p.B:hi*p.B], p.z[lo*p.B:hi*p.B])
	case passDeriv:
		p.act.scaleByDerivative32(p.d[lo*p.B:hi*p.B], p.z[lo*p.B:hi*p.B], p.a[lo*p.B:hi*p.B])
	}
}

// round sets st.w[i] = float32(w[i]) (0 where the mask is false) for i in [lo, hi).
func (p *pass32) round(lo, hi int) {
	dst, src := p.st.w[lo:hi], p.w[lo:hi]
	if m := p.s.Net.Mask; m != nil {
		m = m[lo:hi]
		for i, v := range src {
			if m[i] {
				dst[i] = float32(v)
			} else {
				dst[i] = 0
			}
		}
		return
	}
	for i, v := range src {
		dst[i] = float32(v)
	}
}

// gather sets st.x[j*B+r] = x[idx[r]*n+j] for the features j in [lo, hi): the inputs of
// the batch, transposed to feature-major. Eight rows r at a time, so that each j writes
// 32 adjacent bytes instead of one value per 4·B bytes.
func (p *pass32) gather(lo, hi int) {
	x, n, B := p.s.x, p.s.Net.Sizes[0], len(p.idx)
	dst := p.st.x
	r := 0
	for ; r+8 <= B; r += 8 {
		var src [8][]float32
		for k := range src {
			i := p.idx[r+k]
			src[k] = x[i*n+lo : i*n+hi]
		}
		for j := range src[0] {
			d := dst[(lo+j)*B+r : (lo+j)*B+r+8 : (lo+j)*B+r+8]
			d[0], d[1], d[2], d[3] = src[0][j], src[1][j], src[2][j], src[3][j]
			d[4], d[5], d[6], d[7] = src[4][j], src[5][j], src[6][j], src[7][j]
		}
	}
	for ; r < B; r++ {
		i := p.idx[r]
		for j, v := range x[i*n+lo : i*n+hi] {
			dst[(lo+j)*B+r] = v
		}
	}
}

// widen sets (accumulate: adds) gw[o*in+j] = float64(g[o*in+j]) and gb[o] = Σ_r d[o*B+r]
// (summed in float64 in increasing r, after the old gb[o] when accumulating) for the
// rows o in [lo, hi); g is nil when the weight gradient is already in gw.
func (p *pass32) widen(lo, hi int) {
	in, B := p.in, p.B
	if p.g != nil {
		g, gw := p.g[lo*in:hi*in], p.gw[lo*in:hi*in]
		if p.accumulate {
			for i, v := range g {
				gw[i] += float64(v)
			}
		} else {
			for i, v := range g {
				gw[i] = float64(v)
			}
		}
	}
	for o := lo; o < hi; o++ {
		sum := 0.0
		if p.accumulate {
			sum = p.gb[o]
		}
		for _, v := range p.d[o*B : (o+1)*B] {
			sum += float64(v)
		}
		p.gb[o] = sum
	}
}
