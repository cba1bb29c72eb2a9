package reflected

import (
	"fmt"
	"math"
	"sync"

	"gonum.org/v1/gonum/integrate/quad"
)

// AxisAlignedScore is the exact score of the axis-aligned target Uniform([0,1]^d) × δ_c
// (see AxisAligned). Uniform is stationary for reflected Brownian motion and the kernel is a
// product, so pₜ(x) = Π_{i≥d} pₜ(xᵢ, cᵢ) and
//
//	∇ log pₜ(x) = (0,…,0, ∂ log pₜ(x_d, c_d), …, ∂ log pₜ(x_{D−1}, c_{D−1})).
type AxisAlignedScore struct {
	target *Subspace
	d      int
}

// NewAxisAlignedScore returns the exact score of target, which must be axis-aligned in the
// sense of AxisAligned (A = [I_d; 0], uniform density); otherwise it returns an error.
func NewAxisAlignedScore(target *Subspace) (*AxisAlignedScore, error) {
	if target == nil {
		return nil, fmt.Errorf("reflected: AxisAlignedScore: target is nil")
	}
	D, d := target.A.Dims()
	if target.Density.C != 0 {
		return nil, fmt.Errorf("reflected: AxisAlignedScore: Density.C = %v, need 0 (uniform)", target.Density.C)
	}
	for i := 0; i < D; i++ {
		for k := 0; k < d; k++ {
			want := 0.0
			if i == k {
				want = 1
			}
			if target.A.At(i, k) != want {
				return nil, fmt.Errorf("reflected: AxisAlignedScore: A[%d][%d] = %v, need the first d unit vectors", i, k, target.A.At(i, k))
			}
		}
		if i < d && target.B[i] != 0 {
			return nil, fmt.Errorf("reflected: AxisAlignedScore: B[%d] = %v, need 0 on the uniform coordinates", i, target.B[i])
		}
	}
	return &AxisAlignedScore{target: target, d: d}, nil
}

// Dim returns D.
func (s *AxisAlignedScore) Dim() int { return s.target.Dim() }

// Score implements ScoreModel.
func (s *AxisAlignedScore) Score(dst, x, t []float64) {
	D := s.Dim()
	checkScoreArgs(dst, x, t, D)
	c := s.target.B
	for r, tr := range t {
		xr, out := x[r*D:r*D+D], dst[r*D:r*D+D]
		for i := range out {
			if i < s.d {
				out[i] = 0
			} else {
				out[i] = Score1D(xr[i], c[i], tr)
			}
		}
	}
}

// EmpiricalScore is the exact score of the empirical law (1/n)Σⱼ δ_{yⱼ} of a training set, the
// "memorising" score (docs/derivations/reflected.md §3): ∇ log pₜ(x) = Σⱼ wⱼ ∇ₓ log qₜ(x|yⱼ) with
// softmax weights wⱼ ∝ qₜ(x|yⱼ) computed by log-sum-exp. Its reverse-time sampler reproduces
// the training set as t₀ → 0. Cost: 2·n·D kernel evaluations per point.
type EmpiricalScore struct {
	dim  int
	ys   []float64
	zero []float64
	pool sync.Pool
}

// NewEmpiricalScore returns the memorising score of the n = len(points)/D training points in
// points (row-major, copied). It returns an error if D < 1, points is empty or not a multiple
// of D, or a coordinate lies outside [0,1].
func NewEmpiricalScore(points []float64, D int) (*EmpiricalScore, error) {
	if D < 1 {
		return nil, fmt.Errorf("reflected: EmpiricalScore: D = %d, need D ≥ 1", D)
	}
	if len(points) == 0 || len(points)%D != 0 {
		return nil, fmt.Errorf("reflected: EmpiricalScore: len(points) = %d, need a positive multiple of D = %d", len(points), D)
	}
	for i, v := range points {
		if !(v >= 0 && v <= 1) {
			return nil, fmt.Errorf("reflected: EmpiricalScore: points[%d] = %v outside [0,1]", i, v)
		}
	}
	n := len(points) / D
	s := &EmpiricalScore{dim: D, ys: append([]float64(nil), points...), zero: make([]float64, n)}
	s.pool.New = func() any { b := make([]float64, n*(D+1)); return &b }
	return s, nil
}

// Dim returns D.
func (s *EmpiricalScore) Dim() int { return s.dim }

// Score implements ScoreModel.
func (s *EmpiricalScore) Score(dst, x, t []float64) {
	D := s.dim
	checkScoreArgs(dst, x, t, D)
	lp := s.pool.Get().(*[]float64)
	for r, tr := range t {
		mixtureScore(dst[r*D:r*D+D], x[r*D:r*D+D], s.ys, s.zero, *lp, tr)
	}
	s.pool.Put(lp)
}

// QuadratureScore is the exact score of a Subspace target, computed by quadrature over its
// coordinates z ∈ [0,1]^d:
//
//	pₜ(x) = ∫ ρ(z) qₜ(x | B + A z) dz ≈ Σₖ ωₖ ρ(zₖ) qₜ(x | B + A zₖ),
//
// with a tensor composite Gauss–Legendre rule of Order nodes per panel and
// P = clamp(⌈1/√t⌉, 2, MaxPanels) panels per coordinate, so a panel spans at most one kernel
// width √t (A has orthonormal columns, so moving z by δ moves the centre by |δ|). The score is
// then the mixture score of these nodes (see EmpiricalScore). The node set is rebuilt when t
// changes between consecutive rows, so batches at a common t (the sampler's case) are cheap.
type QuadratureScore struct {
	target *Subspace
	// Order is the number of Gauss–Legendre nodes per panel.
	Order int
	// MaxPanels bounds the panels per coordinate; below t = 1/MaxPanels² a panel spans more
	// than one kernel width and the rule loses accuracy.
	MaxPanels int
	pool      sync.Pool
}

// quadScratch is a QuadratureScore's per-goroutine node set at time t.
type quadScratch struct {
	t      float64
	ys, lw []float64
	l      []float64
	z, gx  []float64
	gw     []float64
}

// NewQuadratureScore returns the quadrature score of target with Order = 6 and
// MaxPanels = 400 (d = 1) or 40 (d ≥ 2).
func NewQuadratureScore(target *Subspace) (*QuadratureScore, error) {
	if target == nil {
		return nil, fmt.Errorf("reflected: QuadratureScore: target is nil")
	}
	q := &QuadratureScore{target: target, Order: 6, MaxPanels: 400}
	if target.Intrinsic() > 1 {
		q.MaxPanels = 40
	}
	q.pool.New = func() any { return &quadScratch{t: math.NaN()} }
	return q, nil
}

// Dim returns D.
func (q *QuadratureScore) Dim() int { return q.target.Dim() }

// Score implements ScoreModel.
func (q *QuadratureScore) Score(dst, x, t []float64) {
	D := q.Dim()
	checkScoreArgs(dst, x, t, D)
	sc := q.pool.Get().(*quadScratch)
	for r, tr := range t {
		if tr != sc.t {
			q.build(sc, tr)
		}
		mixtureScore(dst[r*D:r*D+D], x[r*D:r*D+D], sc.ys, sc.lw, sc.l, tr)
	}
	q.pool.Put(sc)
}

// build fills sc with the tensor rule's centres B + A zₖ and log-weights log(ωₖ ρ(zₖ)) at t.
func (q *QuadratureScore) build(sc *quadScratch, t float64) {
	D, d := q.target.A.Dims()
	order := max(q.Order, 1)
	p := int(math.Ceil(1 / math.Sqrt(t)))
	p = min(max(p, 2), max(q.MaxPanels, 2))
	n1 := p * order
	sc.gx = grow(sc.gx, n1)
	sc.gw = grow(sc.gw, n1)
	for j := 0; j < p; j++ {
		a, b := float64(j)/float64(p), float64(j+1)/float64(p)
		quad.Legendre{}.FixedLocations(sc.gx[j*order:(j+1)*order], sc.gw[j*order:(j+1)*order], a, b)
	}
	k := 1
	for i := 0; i < d; i++ {
		k *= n1
	}
	sc.ys = grow(sc.ys, k*D)
	sc.lw = grow(sc.lw, k)
	sc.l = grow(sc.l, k*(D+1))
	sc.z = grow(sc.z, d)
	for idx := 0; idx < k; idx++ {
		rem, lw := idx, 0.0
		for c := 0; c < d; c++ {
			j := rem % n1
			rem /= n1
			sc.z[c] = sc.gx[j]
			lw += math.Log(sc.gw[j])
		}
		sc.lw[idx] = lw + q.target.Density.LogDensity(sc.z)
		q.target.Embed(sc.ys[idx*D:idx*D+D], sc.z)
	}
	sc.t = t
}

// grow returns b resliced to length n, reallocating only if its capacity is too small.
func grow(b []float64, n int) []float64 {
	if cap(b) < n {
		return make([]float64, n)
	}
	return b[:n]
}
