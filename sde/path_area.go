package sde

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
)

// PathArea selects the iterated integrals a BrownianPath stores with W.
type PathArea int

const (
	// PathNoArea stores W only (NewBrownianPath).
	PathNoArea PathArea = iota
	// PathSpaceTime stores per stored interval the space-time Lévy area
	// U = ∫_a^b (W_s − W_a) ds of each component, for the methods with
	// LevyArea (SRA1, SRID2). Splitting an interval draws (W_t, U over
	// [a, t] and [t, b]) from their exact Gaussian law given (ΔW, U) over
	// [a, b], so the path is exact in law at every resolution.
	PathSpaceTime
	// PathLevy stores per stored interval the pair Lévy areas A_ij,
	// i < j, for the methods with PairAreas (MilsteinGeneral, SRIGeneral).
	// A new interval draws its areas given ΔW by the Kloeden–Platen–Wright
	// series with Wiktorsson's tail (as Increments does); splitting an
	// interval draws W_t and the two halves' areas by the Lévy-area bridge
	// of splitArea, which keeps Chen's relation exact and the areas'
	// second moments E A_ij² = h²/4 (see docs/derivations/sde.md).
	PathLevy
)

// String returns the constant's name.
func (k PathArea) String() string {
	switch k {
	case PathNoArea:
		return "PathNoArea"
	case PathSpaceTime:
		return "PathSpaceTime"
	case PathLevy:
		return "PathLevy"
	}
	return fmt.Sprintf("PathArea(%d)", int(k))
}

// NewBrownianPathArea returns an m-dimensional BrownianPath with W(t0) = 0
// drawing from src that also stores the iterated integrals of kind. It
// returns an error for an unknown kind and for PathLevy with m = 1 (one
// Brownian motion has no Lévy area, so none is needed).
func NewBrownianPathArea(src rand.Source, m int, t0 float64, kind PathArea) (*BrownianPath, error) {
	switch {
	case m <= 0:
		return nil, fmt.Errorf("sde: NewBrownianPathArea: m = %d, want > 0", m)
	case math.IsNaN(t0) || math.IsInf(t0, 0):
		return nil, fmt.Errorf("sde: NewBrownianPathArea: t0 = %v, want finite", t0)
	case kind < PathNoArea || kind > PathLevy:
		return nil, fmt.Errorf("sde: NewBrownianPathArea: kind = %v, want PathNoArea, PathSpaceTime or PathLevy", kind)
	case kind == PathLevy && m < 2:
		return nil, fmt.Errorf("sde: NewBrownianPathArea: kind = PathLevy with m = %d: one Brownian motion has no Lévy area, so none is needed (use PathNoArea)", m)
	}
	p := NewBrownianPath(src, m, t0)
	p.kind = kind
	switch kind {
	case PathSpaceTime:
		p.q = m
	case PathLevy:
		p.q = m * (m - 1) / 2
	}
	p.ar = make([]float64, p.q)
	return p, nil
}

// SetAreaResolution makes the path extend itself in intervals of length at
// most delta, each with its own increment and iterated integrals drawn
// fresh (exact in law, up to the series' tail approximation for PathLevy),
// so that a later query splits only intervals shorter than delta: with
// delta at or below the finest step, a PathLevy path's areas over unions
// of stored intervals are exact in law whatever the query order, as the
// Lévy-area bridge then acts only below delta (the cost: about
// (T − t0)/delta stored times, as for a BrownianTree's leaves). delta = 0,
// the default, extends by one interval per query. It returns an error for
// a negative, infinite or NaN delta and for a path without areas, and must
// be called before the first query.
func (p *BrownianPath) SetAreaResolution(delta float64) error {
	switch {
	case !(delta >= 0) || math.IsInf(delta, 0):
		return fmt.Errorf("sde: BrownianPath.SetAreaResolution: delta = %v, want finite and ≥ 0", delta)
	case p.kind == PathNoArea:
		return fmt.Errorf("sde: BrownianPath.SetAreaResolution on a path without areas (PathNoArea): build it with NewBrownianPathArea")
	case len(p.ts) > 1:
		return fmt.Errorf("sde: BrownianPath.SetAreaResolution after %d queries: call it before the first", len(p.ts)-1)
	}
	p.res = delta
	return nil
}

// Area returns the kind of iterated integrals the path stores.
func (p *BrownianPath) Area() PathArea { return p.kind }

// pathScratch holds the buffers of the area splits.
type pathScratch struct {
	ag                 areaGen
	dw, b, b0, row     []float64 // m
	a1, a2, r, z       []float64 // q
	c1, c2, g, kk      []float64 // q×q (kk: q×m)
	left, right, whole []float64
	fac                []float64 // q×q Cholesky factor of a prior covariance
	wtb                []float64 // m
}

func (p *BrownianPath) scratch() *pathScratch {
	s := &p.ps
	if s.dw == nil {
		m, q := p.m, p.q
		s.dw, s.b, s.b0, s.row = make([]float64, m), make([]float64, m), make([]float64, m), make([]float64, m)
		s.a1, s.a2, s.r, s.z = make([]float64, q), make([]float64, q), make([]float64, q), make([]float64, q)
		s.c1, s.c2, s.g, s.kk = make([]float64, q*q), make([]float64, q*q), make([]float64, q*q), make([]float64, q*max(q, m))
		s.left, s.right, s.whole = make([]float64, q), make([]float64, q), make([]float64, q)
		s.wtb = make([]float64, m)
	}
	return s
}

// newArea writes into a the iterated integrals of a new interval of length
// h with increment dw.
func (p *BrownianPath) newArea(a, dw []float64, h float64) {
	switch p.kind {
	case PathSpaceTime:
		c := math.Sqrt(h / 12)
		for i := range a {
			a[i] = h * (0.5*dw[i] + c*p.gen.next())
		}
	case PathLevy:
		s := p.scratch()
		s.ag.area(a, dw, h, LevyTerms(p.m, h), true, p.gen.next)
	}
}

// split draws W(t) − W(a) into w1 and the iterated integrals over [a, t]
// (left) and [t, b] (right), given the increment dw and integrals whole
// over [a, b], h1 = t − a, h2 = b − t.
func (p *BrownianPath) split(w1, left, right, dw, whole []float64, h1, h2 float64) {
	switch p.kind {
	case PathSpaceTime:
		for i := range dw {
			w1[i], left[i], right[i] = splitSpaceTime(dw[i], whole[i], h1, h2, p.gen.next)
		}
	case PathLevy:
		p.splitLevy(w1, left, right, dw, whole, h1, h2)
	}
}

// splitSpaceTime returns (w1, u1, u2) for one component: the increment over
// [a, t] and the space-time areas over [a, t] and [t, b], drawn from the
// exact conditional law given w = W(b) − W(a) and u = ∫_a^b (W_s − W_a) ds.
// The prior pairs (w_k, u_k) are independent with Var w_k = h_k,
// Cov(w_k, u_k) = h_k²/2, Var u_k = h_k³/3, and the constraints
// w1 + w2 = w, u1 + u2 + h2 w1 = u (CombineIncrements) are linear, so the
// conditional draw is the prior draw X₀ corrected by Σ Lᵀ (L Σ Lᵀ)⁻¹ (c − L X₀).
func splitSpaceTime(w, u, h1, h2 float64, next func() float64) (w1, u1, u2 float64) {
	draw := func(h float64) (float64, float64) {
		x := math.Sqrt(h) * next()
		return x, h * (0.5*x + math.Sqrt(h/12)*next())
	}
	x1, y1 := draw(h1)
	x2, y2 := draw(h2)
	r1 := w - (x1 + x2)
	r2 := u - (y1 + y2 + h2*x1)
	// S = L Σ Lᵀ is the covariance of the whole (w, u): [[h, h²/2], [h²/2, h³/3]].
	h := h1 + h2
	s11, s12, s22 := h, 0.5*h*h, h*h*h/3
	det := h * h * h * h / 12
	z1 := (s22*r1 - s12*r2) / det
	z2 := (s11*r2 - s12*r1) / det
	// Rows of Σ Lᵀ for w1, u1, u2.
	w1 = x1 + h1*z1 + (h2*h1+0.5*h1*h1)*z2
	u1 = y1 + 0.5*h1*h1*z1 + (0.5*h2*h1*h1+h1*h1*h1/3)*z2
	u2 = y2 + 0.5*h2*h2*z1 + h2*h2*h2/3*z2
	return w1, u1, u2
}

// splitLevy is the Lévy-area bridge: given ΔW = dw and the areas A = whole
// over [a, b], it draws B = W(t) − W(a) − (h1/h)ΔW (written as W(t) − W(a)
// into w1) and the areas over [a, t] (left) and [t, b] (right) in two
// stages, both Gaussian conditioning X = X⁰ + Σ Lᵀ(L Σ Lᵀ)⁻¹(c − L X⁰) of a
// prior draw X⁰ on Chen's relation A1 + A2 + K B = A,
// (K B)_ij = ½(B_i ΔW_j − B_j ΔW_i):
//
//  1. B, with the priors B ~ N(0, (h1h2/h) I), A_k ~ N(0, C_k) given ΔW
//     only, C_k = (h_k²/24) Σ(M_k), M_1 = (h1/h²) ΔWΔWᵀ + (h2/h) I,
//     M_2 = (h2/h²) ΔWΔWᵀ + (h1/h) I (Σ of areaCov): with
//     G = (h1h2/h) KKᵀ + C1 + C2, which equals Cov(A | ΔW) =
//     (h²/24) Σ(ΔWΔWᵀ/h) (levyBridgeCov), B = B⁰ + (h1h2/h) Kᵀ G⁻¹(A − A1⁰ −
//     A2⁰ − K B⁰);
//  2. the areas given both half increments W1 = W(t) − W(a), W2: priors
//     A_k ~ N(0, (h_k²/24) Σ(W_kW_kᵀ/h_k)), their exact conditional
//     covariances, conditioned on A1 + A2 = S = A − ½(W1 ⊗ W2 − W2 ⊗ W1),
//     with right = S − left so that Chen's relation holds to rounding.
//
// One split reproduces the second moments given ΔW when A given ΔW has
// them; it is not exact in law (the joint law of (W(t), A1, A2) given
// (ΔW, A) is not Gaussian), and over repeated splits the second moments
// drift by about 2 % (docs/derivations/sde.md §6).
func (p *BrownianPath) splitLevy(w1, left, right, dw, whole []float64, h1, h2 float64) {
	m, q := p.m, p.q
	s := p.scratch()
	h := h1 + h2
	vb := h1 * h2 / h
	c1, c2, g, kk := s.c1[:q*q], s.c2[:q*q], s.g[:q*q], s.kk[:q*m]
	levyBridgeCov(c1, c2, kk, g, m, dw, h1, h2)
	// Prior draws; the residual r = A − A1⁰ − A2⁰ − K B⁰.
	sb := math.Sqrt(vb)
	for i := range s.b0[:m] {
		s.b0[i] = sb * p.gen.next()
	}
	p.gaussian(s.a1[:q], c1, s.z[:q])
	p.gaussian(s.a2[:q], c2, s.z[:q])
	r := s.r[:q]
	for k := range q {
		var kb float64
		for i := range m {
			kb += kk[k*m+i] * s.b0[i]
		}
		r[k] = whole[k] - s.a1[k] - s.a2[k] - kb
	}
	z := s.z[:q]
	cholSolve(z, g, r, q)
	for i := range m {
		var v float64
		for k := range q {
			v += kk[k*m+i] * z[k]
		}
		w1[i] = h1/h*dw[i] + s.b0[i] + vb*v
	}
	// Stage 2: the halves' areas given both increments, with their exact
	// conditional covariances C_k = (h_k²/24) Σ(W_k W_kᵀ/h_k) as priors and
	// the sum S = A − ½(W₁ ⊗ W₂ − W₂ ⊗ W₁) fixed by Chen's relation.
	wtb := s.wtb[:m]
	for i := range m {
		wtb[i] = dw[i] - w1[i]
	}
	areaCov(c1, m, func(j, l int) float64 { return w1[j] * w1[l] / h1 })
	areaCov(c2, m, func(j, l int) float64 { return wtb[j] * wtb[l] / h2 })
	for k := range c1 {
		c1[k] *= h1 * h1 / 24
		c2[k] *= h2 * h2 / 24
		g[k] = c1[k] + c2[k]
	}
	p.gaussian(s.a1[:q], c1, s.z[:q])
	p.gaussian(s.a2[:q], c2, s.z[:q])
	for i := range m {
		for j := i + 1; j < m; j++ {
			k := AreaIndex(i, j, m)
			sum := whole[k] - 0.5*(w1[i]*wtb[j]-w1[j]*wtb[i])
			r[k] = sum - s.a1[k] - s.a2[k]
			right[k] = sum // completed below
		}
	}
	cholSolve(z, g, r, q)
	for k := range q {
		var v float64
		for c := range q {
			v += c1[k*q+c] * z[c]
		}
		left[k] = s.a1[k] + v
		right[k] -= left[k]
	}
}

// levyBridgeCov writes the prior covariances C1, C2 (q×q), the matrix K
// (q×m) and G = (h1h2/h) K Kᵀ + C1 + C2 (q×q) of splitLevy.
func levyBridgeCov(c1, c2, kk, g []float64, m int, dw []float64, h1, h2 float64) {
	q := m * (m - 1) / 2
	h := h1 + h2
	vb := h1 * h2 / h
	areaCov(c1, m, func(j, l int) float64 { return h1/(h*h)*dw[j]*dw[l] + h2/h*kron(j, l) })
	areaCov(c2, m, func(j, l int) float64 { return h2/(h*h)*dw[j]*dw[l] + h1/h*kron(j, l) })
	for k := range c1 {
		c1[k] *= h1 * h1 / 24
		c2[k] *= h2 * h2 / 24
	}
	clear(kk)
	for i := range m {
		for j := i + 1; j < m; j++ {
			r := AreaIndex(i, j, m)
			kk[r*m+i] = 0.5 * dw[j]
			kk[r*m+j] = -0.5 * dw[i]
		}
	}
	// G = vb K Kᵀ + C1 + C2.
	for r := range q {
		for c := range q {
			var v float64
			for i := range m {
				v += kk[r*m+i] * kk[c*m+i]
			}
			g[r*q+c] = vb*v + c1[r*q+c] + c2[r*q+c]
		}
	}
}

// kron is Kronecker's δ.
func kron(j, l int) float64 {
	if j == l {
		return 1
	}
	return 0
}

// gaussian writes into dst a draw of N(0, c) (c is q×q, unchanged), using
// tmp (len q) as scratch for the Cholesky factor's normals.
func (p *BrownianPath) gaussian(dst, c, tmp []float64) {
	q := len(dst)
	if q == 1 {
		dst[0] = math.Sqrt(c[0]) * p.gen.next()
		return
	}
	s := p.scratch()
	f := append(s.fac[:0], c...)
	s.fac = f
	cholesky(f, q)
	for k := range tmp {
		tmp[k] = p.gen.next()
	}
	for r := range q {
		var v float64
		for k := 0; k <= r; k++ {
			v += f[r*q+k] * tmp[k]
		}
		dst[r] = v
	}
}

// cholSolve writes into x the solution of G x = b for the symmetric
// positive definite q×q matrix g (overwritten by its Cholesky factor).
func cholSolve(x, g, b []float64, q int) {
	cholesky(g, q)
	for i := range q { // L y = b
		v := b[i]
		for k := range i {
			v -= g[i*q+k] * x[k]
		}
		x[i] = v / g[i*q+i]
	}
	for i := q - 1; i >= 0; i-- { // Lᵀ x = y
		v := x[i]
		for k := i + 1; k < q; k++ {
			v -= g[k*q+i] * x[k]
		}
		x[i] = v / g[i*q+i]
	}
}

// IncrementArea writes W(t1) − W(t0) and the pair Lévy areas over [t0, t1]
// (AreaBrownian) of a PathLevy path: the Chen combination (CombineAreas) of
// the stored intervals between t0 and t1, after storing t0 and t1. It
// panics unless the path was built with PathLevy.
func (p *BrownianPath) IncrementArea(dw, a []float64, t0, t1 float64) {
	if p.kind != PathLevy {
		panic(fmt.Sprintf("sde: BrownianPath.IncrementArea on a path with %v: build it with NewBrownianPathArea(…, PathLevy)", p.kind))
	}
	if len(dw) != p.m || len(a) != p.q {
		panic(fmt.Sprintf("sde: BrownianPath.IncrementArea: len(dw) = %d, len(a) = %d, want %d and %d", len(dw), len(a), p.m, p.q))
	}
	p.combine(dw, a, t0, t1)
}

// combine writes the increment and the stored integrals over [t0, t1].
func (p *BrownianPath) combine(dw, a []float64, t0, t1 float64) {
	s := p.scratch()
	p.At(s.row, t0)
	p.At(dw, t1)
	k0 := sort.SearchFloat64s(p.ts, t0)
	k1 := sort.SearchFloat64s(p.ts, t1)
	clear(dw)
	clear(a)
	m, q := p.m, p.q
	for k := k0 + 1; k <= k1; k++ {
		d2 := s.dw[:m]
		for i := range d2 {
			d2[i] = p.ws[k*m+i] - p.ws[(k-1)*m+i]
		}
		row := p.ar[k*q : (k+1)*q]
		if p.kind == PathLevy {
			CombineAreas(dw, a, dw, a, d2, row)
		} else {
			CombineIncrements(dw, a, dw, a, d2, row, p.ts[k]-p.ts[k-1])
		}
	}
}
