package sde

import (
	"fmt"
	"math"
)

// AreaBrownian is a Brownian motion that also supplies the Lévy areas
//
//	A_ij = ½ ∫_{t0}^{t1} ((W^i_s − W^i_{t0}) dW^j_s − (W^j_s − W^j_{t0}) dW^i_s),   i < j,
//
// which methods of strong order 1 need on non-commuting General noise
// (the iterated Itô integral is I_(i,j) = ½ ΔW_i ΔW_j + A_ij for i ≠ j).
// Increments implements it by the Kloeden–Platen–Wright Fourier series with
// Wiktorsson's tail correction (fresh areas per step), BrownianTree at its
// leaf resolution, consistently under refinement (Chen's relation across
// leaves), BrownianPath built with NewBrownianPathArea(…, PathLevy) by the
// Lévy-area bridge at every resolution it is queried at (Chen's relation
// exact), and ConvergenceStudy combines fine areas exactly into coarse
// ones (CombineAreas).
type AreaBrownian interface {
	Brownian
	// IncrementArea writes ΔW = W(t1) − W(t0) into dw (len m) and the
	// m(m−1)/2 areas A_ij, i < j, into a in the packed order of AreaIndex.
	IncrementArea(dw, a []float64, t0, t1 float64)
}

// AreaIndex returns the position of A_ij (i < j < m) in the packed
// row-major layout (0,1), (0,2), …, (0,m−1), (1,2), …: i·m − i(i+1)/2 + j − i − 1.
func AreaIndex(i, j, m int) int { return i*m - i*(i+1)/2 + j - i - 1 }

// CombineAreas writes ΔW and the Lévy areas over [a, c] given those over
// [a, b] (dw1, a1) and [b, c] (dw2, a2), by Chen's relation
//
//	ΔW = ΔW₁ + ΔW₂,   A_ij = A₁_ij + A₂_ij + ½ (ΔW₁_i ΔW₂_j − ΔW₁_j ΔW₂_i),
//
// which is exact (W_s − W_a = ΔW₁ + (W_s − W_b) on [b, c]). dw and a may
// alias dw1 and a1.
func CombineAreas(dw, a, dw1, a1, dw2, a2 []float64) {
	m := len(dw)
	if len(dw1) != m || len(dw2) != m || len(a) != m*(m-1)/2 || len(a1) != len(a) || len(a2) != len(a) {
		panic("sde: CombineAreas: length mismatch")
	}
	for i := range m {
		for j := i + 1; j < m; j++ {
			k := AreaIndex(i, j, m)
			a[k] = a1[k] + a2[k] + 0.5*(dw1[i]*dw2[j]-dw1[j]*dw2[i])
		}
	}
	for i := range dw {
		dw[i] = dw1[i] + dw2[i]
	}
}

// LevyTerms returns the number of Fourier terms n used by
// Increments.IncrementArea for m components over a step h:
// n = ⌈√(5m²(m−1)/(24π² h))⌉, from Wiktorsson's bound on the mean-square
// error of the tail-corrected series, E Σ_{i<j} (A_ij − Â_ij)² ≤
// 5m²(m−1)h²/(24π²n²), so that the root-mean-square error is at most
// h^{3/2}, the local error of a strong order 1 method.
func LevyTerms(m int, h float64) int {
	n := math.Ceil(math.Sqrt(5 * float64(m*m*(m-1)) / (24 * math.Pi * math.Pi * h)))
	if !(n >= 1) {
		return 1
	}
	return int(min(n, 1<<20))
}

// areaGen draws Lévy areas given ΔW by the truncated Fourier series with
// Wiktorsson's Gaussian tail. Its buffers grow to the largest term count
// used and are then reused.
type areaGen struct {
	zeta, eta []float64 // m·n series normals
	xi        []float64 // ΔW/√h
	cov, g    []float64 // M×M tail covariance (then its Cholesky factor), M normals
}

// area writes into a the approximation with n terms of the Lévy areas of
// the increment dw over a step h, drawing normals from next:
//
//	Â_ij = h/(2π) Σ_{r≤n} (1/r) [ζ_ir (√2 ξ_j + η_jr) − ζ_jr (√2 ξ_i + η_ir)] + tail,
//
// with ξ = ΔW/√h and ζ, η independent standard normals, and tail = h/(2π) √(π²/6 − Σ_{r≤n} 1/r²) · L G, where L Lᵀ = Σ(ξ)
// is the conditional covariance of the omitted terms (docs/derivations/sde.md)
// and G is standard normal. tail = false leaves the tail out (KPW's plain
// truncation).
func (ag *areaGen) area(a, dw []float64, h float64, n int, tail bool, next func() float64) {
	m := len(dw)
	mm := m * (m - 1) / 2
	if len(a) != mm {
		panic(fmt.Sprintf("sde: IncrementArea: len(a) = %d, want m(m−1)/2 = %d", len(a), mm))
	}
	if len(ag.zeta) < m*n {
		ag.zeta, ag.eta = make([]float64, m*n), make([]float64, m*n)
	}
	if len(ag.xi) < m {
		ag.xi = make([]float64, m)
		ag.cov, ag.g = make([]float64, mm*mm), make([]float64, mm)
	}
	sq := math.Sqrt(h)
	xi := ag.xi[:m]
	for i := range xi {
		xi[i] = dw[i] / sq
	}
	zeta, eta := ag.zeta[:m*n], ag.eta[:m*n]
	for k := range zeta {
		zeta[k] = next()
		eta[k] = next()
	}
	c := h / (2 * math.Pi)
	var s float64 // Σ_{r≤n} 1/r²
	for r := 1; r <= n; r++ {
		s += 1 / float64(r*r)
	}
	for i := range m {
		for j := i + 1; j < m; j++ {
			var sum float64
			for r := 0; r < n; r++ {
				zi, zj := zeta[i*n+r], zeta[j*n+r]
				sum += (zi*(math.Sqrt2*xi[j]+eta[j*n+r]) - zj*(math.Sqrt2*xi[i]+eta[i*n+r])) / float64(r+1)
			}
			a[AreaIndex(i, j, m)] = c * sum
		}
	}
	if !tail {
		return
	}
	rem := math.Pi*math.Pi/6 - s
	if rem <= 0 {
		return
	}
	cov := ag.cov[:mm*mm]
	areaCov(cov, m, func(j, l int) float64 { return xi[j] * xi[l] })
	cholesky(cov, mm)
	g := ag.g[:mm]
	for k := range g {
		g[k] = next()
	}
	sc := c * math.Sqrt(rem)
	for p := range mm {
		var v float64
		for q := 0; q <= p; q++ {
			v += cov[p*mm+q] * g[q]
		}
		a[p] += sc * v
	}
}

// areaCov writes into cov (p×p, p = m(m−1)/2, packed as AreaIndex) the
// matrix
//
//	Σ_{(ij),(kl)} = δ_ik(2M_jl+δ_jl) − δ_il(2M_jk+δ_jk) − δ_jk(2M_il+δ_il) + δ_jl(2M_ik+δ_ik),
//
// i < j, k < l, for the symmetric m×m matrix M given by mat(j, l). With
// M = ξξᵀ, ξ = ΔW/√h, (h²/24)Σ is the conditional covariance of the Lévy
// areas given ΔW over a step h, and (h/2π)² Σ_{r>n} r⁻² Σ that of the tail
// of the Fourier series after n terms (Wiktorsson 2001); Σ is affine in M,
// so M = E[ξξᵀ | ·] gives the covariance averaged over ξ.
func areaCov(cov []float64, m int, mat func(j, l int) float64) {
	mm := m * (m - 1) / 2
	d := func(p, q int) float64 {
		if p == q {
			return 1
		}
		return 0
	}
	for i := range m {
		for j := i + 1; j < m; j++ {
			p := AreaIndex(i, j, m)
			for k := range m {
				for l := k + 1; l < m; l++ {
					q := AreaIndex(k, l, m)
					cov[p*mm+q] = d(i, k)*(2*mat(j, l)+d(j, l)) - d(i, l)*(2*mat(j, k)+d(j, k)) -
						d(j, k)*(2*mat(i, l)+d(i, l)) + d(j, l)*(2*mat(i, k)+d(i, k))
				}
			}
		}
	}
}

// cholesky overwrites the lower triangle of the symmetric positive
// definite n×n matrix s with its Cholesky factor L (s = L Lᵀ).
func cholesky(s []float64, n int) {
	for j := range n {
		v := s[j*n+j]
		for k := range j {
			v -= s[j*n+k] * s[j*n+k]
		}
		v = math.Sqrt(v)
		s[j*n+j] = v
		for i := j + 1; i < n; i++ {
			w := s[i*n+j]
			for k := range j {
				w -= s[i*n+k] * s[j*n+k]
			}
			s[i*n+j] = w / v
		}
	}
}

// IncrementArea draws ΔW ~ N(0, h I) and the Lévy areas A_ij, i < j, by the
// Kloeden–Platen–Wright series with LevyTerms(m, h) terms and Wiktorsson's
// Gaussian tail (see AreaBrownian). It panics unless len(a) = m(m−1)/2.
func (b *Increments) IncrementArea(dw, a []float64, t0, t1 float64) {
	if len(dw) != b.m {
		panic(fmt.Sprintf("sde: Increments.IncrementArea: len(dw) = %d, want %d", len(dw), b.m))
	}
	h := t1 - t0
	sq := math.Sqrt(h)
	for i := range dw {
		dw[i] = sq * b.gen.next()
	}
	b.ag.area(a, dw, h, LevyTerms(b.m, h), true, b.gen.next)
}
