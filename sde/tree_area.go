package sde

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/sdeml/sdeml/internal/parallel"
)

// maxAreaLeaves bounds the leaves one BrownianTree.IncrementArea may visit.
const maxAreaLeaves = 1 << 22

// treeAreaTag separates the leaf-area streams from the tree's node streams.
const treeAreaTag = 0x6c657679 // "levy"

// treeArea holds a BrownianTree's Lévy-area scratch.
type treeArea struct {
	pcg           rand.PCG
	gen           normalGen
	ag            areaGen
	wl, wr, dw2   []float64
	leafA, pieceA []float64
}

// IncrementArea writes W(t1) − W(t0) and the Lévy areas A_ij over [t0, t1]
// (AreaBrownian). The tree's area process is defined at its leaf
// resolution: each leaf [l, r] (length (T1−T0)/2^Depth) gets the area
// A_leaf drawn by the Kloeden–Platen–Wright series with Wiktorsson's tail
// (LevyTerms terms) given the leaf's increment, from its own stream
// (seed, leaf index); inside a leaf W is linear and the area accrues in
// proportion to time, A(l, t) = ((t−l)/(r−l)) A_leaf; over several leaves
// the pieces are joined by Chen's relation (CombineAreas). So areas are
// consistent under refinement (A(a, c) = A(a, b) + A(b, c) + ½(ΔW₁ ⊗ ΔW₂ −
// ΔW₂ ⊗ ΔW₁) for every b) and depend only on (seed, t0, t1), in law exact
// up to the leaf approximation for intervals made of whole leaves. A query
// costs one area draw per leaf it covers, so build the tree with Tol of
// the order of the finest step (it panics beyond 2²² leaves).
func (b *BrownianTree) IncrementArea(dw, a []float64, t0, t1 float64) {
	m := b.m
	if len(dw) != m || len(a) != m*(m-1)/2 {
		panic(fmt.Sprintf("sde: BrownianTree.IncrementArea: len(dw) = %d, len(a) = %d, want %d and %d", len(dw), len(a), m, m*(m-1)/2))
	}
	if !(t0 >= b.t0 && t1 <= b.t1 && t0 <= t1) {
		panic(fmt.Sprintf("sde: BrownianTree.IncrementArea: [%v, %v] outside [%v, %v]", t0, t1, b.t0, b.t1))
	}
	ta := &b.area
	if ta.wl == nil {
		ta.gen = newNormalGen(&ta.pcg)
		ta.wl, ta.wr, ta.dw2 = make([]float64, m), make([]float64, m), make([]float64, m)
		ta.leafA, ta.pieceA = make([]float64, len(a)), make([]float64, len(a))
	}
	nLeaves := uint64(1) << b.depth
	leaf := (b.t1 - b.t0) / float64(nLeaves)
	index := func(t float64) uint64 {
		k := uint64(max(0, math.Floor((t-b.t0)/leaf)))
		return min(k, nLeaves-1)
	}
	k0, k1 := index(t0), index(t1)
	if t1 > t0 && k1 > k0 && b.t0+float64(k1)*leaf >= t1 {
		k1-- // t1 on the left end of leaf k1: the last piece is in k1 − 1
	}
	if k1-k0 >= maxAreaLeaves {
		panic(fmt.Sprintf("sde: BrownianTree.IncrementArea: [%v, %v] covers %d leaves of length %v; build the tree with a larger Tol", t0, t1, k1-k0+1, leaf))
	}
	clear(dw)
	clear(a)
	for k := k0; k <= k1; k++ {
		l, r := b.t0+float64(k)*leaf, b.t0+float64(k+1)*leaf
		if k == nLeaves-1 {
			r = b.t1
		}
		lo, hi := max(l, t0), min(r, t1)
		if hi <= lo {
			continue
		}
		// Leaf increment and area.
		b.At(ta.wl, l)
		b.At(ta.wr, r)
		for i := range ta.wr {
			ta.wr[i] -= ta.wl[i]
		}
		ta.pcg = *parallel.Stream(b.seed^treeAreaTag, int(k))
		ta.ag.area(ta.leafA, ta.wr, r-l, LevyTerms(m, r-l), true, ta.gen.next)
		// The piece [lo, hi] of the leaf: linear W, area in proportion.
		frac := (hi - lo) / (r - l)
		for i := range ta.dw2 {
			ta.dw2[i] = frac * ta.wr[i]
		}
		for p := range ta.pieceA {
			ta.pieceA[p] = frac * ta.leafA[p]
		}
		CombineAreas(dw, a, dw, a, ta.dw2, ta.pieceA)
	}
}
