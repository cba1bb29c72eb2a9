package sde

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/sdeml/sdeml/internal/parallel"
)

// treeMaxDepth bounds the depth of a BrownianTree so that a node's key
// depth<<58 | index is unique.
const treeMaxDepth = 57

// BrownianTree is a virtual Brownian tree (Gaines & Lyons 1997; diffrax's
// VirtualBrownianTree): an m-dimensional Brownian motion on [T0, T1] with
// W(T0) = 0 whose value at any time is a deterministic function of the
// seed, computed on demand, with no stored path.
//
// W(T1) = √(T1−T0) ξ_root. The node at depth k and index j covers the
// dyadic interval [l, r] of length (T1−T0)/2^k; its midpoint value is the
// Brownian bridge draw
//
//	W((l+r)/2) = (W(l) + W(r))/2 + √((r−l)/4) ξ_{k,j},
//
// where ξ_{k,j} ∈ R^m comes from the stream parallel.Stream(seed, k<<58|j).
// A query at t descends from the root to the interval containing t until its
// length is at most Tol (or t is a dyadic point reached on the way), and
// interpolates linearly inside that leaf. So W is exact in law at all dyadic
// times down to resolution Tol, every value depends only on (seed, t), and
// queries may come in any order. A query costs O(log2((T1−T0)/Tol)) normal
// draws; the tree caches the last descent, so a query at distance Δ from
// the previous one costs O(log2(Δ/Tol)) (≈ 10 levels for Δ = 1e-3,
// Tol = 1e-6). A BrownianTree is not safe for concurrent use (use
// Clone per goroutine) and must not be copied by value.
type BrownianTree struct {
	m              int
	t0, t1, tol    float64
	seed           uint64
	depth          int // leaves have length ≤ tol
	pcg            rand.PCG
	gen            normalGen
	n              int       // valid cached levels
	levJ           []uint64  // node index per level
	levLo, levHi   []float64 // node interval per level
	levW           []float64 // (depth+1)·2·m: W at lo then hi per level
	scratch, other []float64
	area           treeArea // IncrementArea scratch, allocated on first use
}

// NewBrownianTree returns an m-dimensional virtual Brownian tree on [t0, t1]
// with resolution tol seeded by seed.
func NewBrownianTree(seed uint64, m int, t0, t1, tol float64) (*BrownianTree, error) {
	switch {
	case m <= 0:
		return nil, fmt.Errorf("sde: NewBrownianTree: m = %d, want > 0", m)
	case !(t0 < t1) || math.IsInf(t0, 0) || math.IsInf(t1, 0):
		return nil, fmt.Errorf("sde: NewBrownianTree: [t0, t1] = [%v, %v], want finite t0 < t1", t0, t1)
	case !(tol > 0):
		return nil, fmt.Errorf("sde: NewBrownianTree: tol = %v, want > 0", tol)
	}
	depth := 0
	for w := t1 - t0; w > tol && depth < treeMaxDepth; w /= 2 {
		depth++
	}
	b := &BrownianTree{m: m, t0: t0, t1: t1, tol: tol, depth: depth}
	b.gen = newNormalGen(&b.pcg)
	b.levJ = make([]uint64, depth+1)
	b.levLo = make([]float64, depth+1)
	b.levHi = make([]float64, depth+1)
	b.levW = make([]float64, (depth+1)*2*m)
	b.scratch = make([]float64, m)
	b.other = make([]float64, m)
	b.reseed(seed)
	return b, nil
}

// reseed makes b the tree of seed (same interval and resolution) without
// allocating: W(t0) = 0, W(t1) = √(t1−t0) ξ_root.
func (b *BrownianTree) reseed(seed uint64) {
	m := b.m
	b.seed = seed
	b.levJ[0], b.levLo[0], b.levHi[0] = 0, b.t0, b.t1
	clear(b.levW[:m])
	b.normals(b.levW[m:2*m], 63<<58)
	sq := math.Sqrt(b.t1 - b.t0)
	for i := m; i < 2*m; i++ {
		b.levW[i] *= sq
	}
	b.n = 1
}

// TreeSeed is the seed of the BrownianTree that drives path i of an
// adaptive solve seeded by seed when Settings.Brownian is nil (path 0 for
// Solve): the first 64 bits of parallel.Stream(seed, i).
func TreeSeed(seed uint64, i int) uint64 {
	var p rand.PCG
	p.Seed(parallel.StreamSeeds(seed, i))
	return p.Uint64()
}

// Interval returns the time interval [T0, T1] on which the tree is defined.
func (b *BrownianTree) Interval() (t0, t1 float64) { return b.t0, b.t1 }

// Clone returns an independent tree with the same seed and parameters (the
// same path), for use by another goroutine.
func (b *BrownianTree) Clone() *BrownianTree {
	c, err := NewBrownianTree(b.seed, b.m, b.t0, b.t1, b.tol)
	if err != nil {
		panic(err)
	}
	return c
}

// normals fills dst with the standard normals of the node with key key.
func (b *BrownianTree) normals(dst []float64, key uint64) {
	b.pcg = *parallel.Stream(b.seed, int(key))
	for i := range dst {
		dst[i] = b.gen.next()
	}
}

// Dim returns m.
func (b *BrownianTree) Dim() int { return b.m }

// HasLevyArea returns false.
func (b *BrownianTree) HasLevyArea() bool { return false }

// Depth returns the depth of the leaves: leaf intervals have length
// (T1−T0)/2^Depth ≤ Tol.
func (b *BrownianTree) Depth() int { return b.depth }

// At writes W(t) into dst. It panics unless T0 ≤ t ≤ T1.
func (b *BrownianTree) At(dst []float64, t float64) {
	m := b.m
	if len(dst) != m {
		panic(fmt.Sprintf("sde: BrownianTree.At: len(dst) = %d, want %d", len(dst), m))
	}
	if !(t >= b.t0 && t <= b.t1) {
		panic(fmt.Sprintf("sde: BrownianTree.At: t = %v outside [%v, %v]", t, b.t0, b.t1))
	}
	// Deepest cached level whose interval contains t.
	k := b.n - 1
	for k > 0 && !(b.levLo[k] <= t && t <= b.levHi[k]) {
		k--
	}
	for {
		lo, hi := b.levLo[k], b.levHi[k]
		wl, wr := b.levW[2*k*m:(2*k+1)*m], b.levW[(2*k+1)*m:(2*k+2)*m]
		switch {
		case t == lo:
			copy(dst, wl)
			b.n = k + 1
			return
		case t == hi:
			copy(dst, wr)
			b.n = k + 1
			return
		case k == b.depth:
			r := (t - lo) / (hi - lo)
			for i := range dst {
				dst[i] = wl[i] + r*(wr[i]-wl[i])
			}
			b.n = k + 1
			return
		}
		j := b.levJ[k]
		mid := lo + 0.5*(hi-lo)
		wm := b.scratch
		b.normals(wm, uint64(k)<<58|j)
		sd := math.Sqrt(0.25 * (hi - lo))
		for i := range wm {
			wm[i] = 0.5*(wl[i]+wr[i]) + sd*wm[i]
		}
		c := k + 1
		cw := b.levW[2*c*m : (2*c+2)*m]
		if t < mid {
			b.levJ[c], b.levLo[c], b.levHi[c] = 2*j, lo, mid
			copy(cw[:m], wl)
			copy(cw[m:], wm)
		} else {
			b.levJ[c], b.levLo[c], b.levHi[c] = 2*j+1, mid, hi
			copy(cw[:m], wm)
			copy(cw[m:], wr)
		}
		k = c
	}
}

// Increment writes W(t1) − W(t0) into dw. u must be nil.
func (b *BrownianTree) Increment(dw, u []float64, t0, t1 float64) {
	if u != nil {
		panic("sde: BrownianTree does not provide the Lévy area")
	}
	b.At(b.other, t0)
	b.At(dw, t1)
	for i := range dw {
		dw[i] -= b.other[i]
	}
}
