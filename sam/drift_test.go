package sam

import (
	"math"
	"testing"
)

// subsets calls fn for every size-m subset of {0..n-1}.
func subsets(n, m int, fn func([]int)) {
	s := make([]int, m)
	var rec func(start, k int)
	rec = func(start, k int) {
		if k == m {
			fn(s)
			return
		}
		for i := start; i < n; i++ {
			s[k] = i
			rec(i+1, k+1)
		}
	}
	rec(0, 0)
}

// fdGrad is the central finite-difference gradient of phi at x with step h.
func fdGrad(phi func([]float64) float64, x []float64, h float64) []float64 {
	g := make([]float64, len(x))
	y := append([]float64(nil), x...)
	for i := range x {
		y[i] = x[i] + h
		fp := phi(y)
		y[i] = x[i] - h
		fm := phi(y)
		y[i] = x[i]
		g[i] = (fp - fm) / (2 * h)
	}
	return g
}

// The first-order drift identities of docs/derivations/sam.md §2, checked by enumerating every
// size-m subset γ of a tiny diag-net problem (nonlinear, so the remainder is nonzero):
//
//	m-USAM: E_γ[∇f_γ(x + ρg_γ)] − ∇f − (ρ/2)∇(‖∇f‖² + c_m tr Σ) = O(ρ²),
//	m-SAM:  E_γ[∇f_γ(x + ρg_γ/‖g_γ‖)] − ∇f − ρ∇E_γ‖∇f_γ‖ = O(ρ²),
//
// with c_m = (n−m)/(m(n−1)). The remainder's log-log slope over ρ must be ≈ 2; the
// right-hand gradients come from central finite differences of the scalar functions.
func TestDriftIdentity(t *testing.T) {
	const n, p = 6, 3
	obj, x := smallTask(11, n, p)
	d := len(x)
	gradAt := func(y []float64, idx []int) []float64 {
		g := make([]float64, d)
		obj.LossGrad(g, y, idx)
		return g
	}
	full := gradAt(x, seq(n))
	for _, m := range []int{1, 2, 3} {
		cm := float64(n-m) / float64(m*(n-1))
		phiUSAM := func(y []float64) float64 {
			g := gradAt(y, seq(n))
			var tr float64
			for i := range n {
				tr += math.Pow(dist(gradAt(y, []int{i}), g), 2) / n
			}
			return dot(g, g) + cm*tr
		}
		phiSAM := func(y []float64) float64 {
			var s float64
			var cnt int
			subsets(n, m, func(idx []int) { s += norm(gradAt(y, idx)); cnt++ })
			return s / float64(cnt)
		}
		for _, form := range []struct {
			norm Norm
			half float64
			phi  func([]float64) float64
		}{{Unnormalized, 0.5, phiUSAM}, {Normalized, 1, phiSAM}} {
			// h = 1e-5: truncation O(h²) ≈ 1e-10, rounding ≈ 1e-16/h ≈ 1e-11, both far below
			// the ρ² ≥ 1e-4-scale remainders measured.
			gphi := fdGrad(form.phi, x, 1e-5)
			var prev float64
			for k, rho := range []float64{0.04, 0.02, 0.01, 0.005} {
				mean := make([]float64, d)
				var cnt float64
				subsets(n, m, func(idx []int) {
					rec := &recorder{}
					opt := &SAM{Base: rec, Rho: rho, Norm: form.norm, Eps: -1}
					if _, err := opt.Step(x, obj, append([]int(nil), idx...)); err != nil {
						t.Fatal(err)
					}
					for i := range mean {
						mean[i] += rec.g[i]
					}
					cnt++
				})
				r := make([]float64, d)
				for i := range r {
					r[i] = mean[i]/cnt - full[i] - form.half*rho*gphi[i]
				}
				rn := norm(r)
				if k > 0 {
					slope := math.Log2(prev / rn)
					// A second-order remainder halves by 4 per halving of ρ up to an O(ρ³)
					// correction; at ρ ≤ 0.04 that keeps the slope within 2 ± 0.2.
					if math.Abs(slope-2) > 0.2 {
						t.Errorf("m=%d %v ρ=%v: slope %.3f (remainders %.3g → %.3g)", m, form.norm, rho, slope, prev, rn)
					}
				}
				prev = rn
			}
		}
	}
}
