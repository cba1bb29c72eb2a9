package meanfield

import (
	"github.com/sdeml/sdeml/internal/gemm"
	"github.com/sdeml/sdeml/internal/parallel"
)

// denseLayout describes a unit F(w, x) = a·φ(⟨u, x⟩ + c): u = w[uOff:uOff+P], bias
// c = w[cOff] (cOff < 0: none), output weights a = w[aOff:aOff+K] (aOff < 0: a = 1,
// K = 1). All units of this package have this form, and for them a step is a few
// matrix products (internal/gemm) plus elementwise work, instead of one interface call
// per (particle, point) pair.
type denseLayout struct {
	D, P, K          int
	uOff, cOff, aOff int
	act              Activation
}

type denseUnit interface {
	layout() denseLayout
}

func (u ScalarUnit) layout() denseLayout {
	p := u.p()
	return denseLayout{D: p + 2, P: p, K: 1, uOff: 1, cOff: p + 1, aOff: 0, act: u.Act}
}

func (u ReLUUnit) layout() denseLayout {
	return denseLayout{D: u.P + u.K, P: u.P, K: u.K, uOff: 0, cOff: -1, aOff: u.P, act: ReLU}
}

func (u FirstLayerUnit) layout() denseLayout {
	return denseLayout{D: u.P, P: u.P, K: 1, uOff: 0, cOff: -1, aOff: -1, act: u.Act}
}

// rowBlock is the number of particle rows per parallel task of the elementwise passes.
const rowBlock = 64

// denseWork holds the N×n matrices of the dense path: unit states S (z for ReLU, φ(z)
// otherwise), Φ = φ(Z) (reused for c∘Φ), R (reused for the pre-activation cotangents)
// and C (per-particle step weights, mSGLD only), plus the N×K weights ω_k a_k.
type denseWork struct {
	S, Phi, R, C, Aom []float64
}

func grow(b []float64, n int) []float64 {
	if cap(b) < n {
		return make([]float64, n)
	}
	return b[:n]
}

// field computes S, Φ and f = Σ_k ω_k a_k Φ_k· on the points (n×K) for particles ps.
func (dw *denseWork) field(f []float64, L denseLayout, ps *Particles, pts *Points) {
	N, n, D, P, K := ps.N, pts.Len(), ps.D, L.P, L.K
	if D != L.D || pts.P != P || pts.K != K || len(f) != n*K {
		panic("meanfield: field dimension mismatch between unit, particles and points")
	}
	dw.S = grow(dw.S, N*n)
	dw.Phi = grow(dw.Phi, N*n)
	dw.R = grow(dw.R, N*n)
	dw.Aom = grow(dw.Aom, N*K)
	// Z = U Xᵀ (N×n), U the N×P block of W at column uOff.
	gemm.Dgemm(false, true, N, n, P, 1, ps.W[L.uOff:], D, pts.X, P, 0, dw.S, n)
	nb := (N + rowBlock - 1) / rowBlock
	parallel.For(nb, func(_, b int) {
		for k := b * rowBlock; k < min((b+1)*rowBlock, N); k++ {
			s, phi := dw.S[k*n:(k+1)*n], dw.Phi[k*n:(k+1)*n]
			c := 0.0
			if L.cOff >= 0 {
				c = ps.W[k*D+L.cOff]
			}
			for q := range s {
				phi[q], s[q] = L.act.apply(s[q] + c)
			}
			om := ps.Omega(k)
			ao := dw.Aom[k*K : (k+1)*K]
			if L.aOff < 0 {
				ao[0] = om
			} else {
				for j := range ao {
					ao[j] = om * ps.W[k*D+L.aOff+j]
				}
			}
		}
	})
	// f = Φᵀ (ω∘A)  (n×K).
	gemm.Dgemm(true, false, n, K, N, 1, dw.Phi, n, dw.Aom, K, 0, f, K)
}

// update applies W^k ← decay·W^k − Σ_q c^k_q ∂ℓ_qᵀ ∇_w F(W^k, x_q) with the states of the
// last field call; coef is the shared n-vector, or nil to use the N×n matrix dw.C. It
// returns the index of the first non-finite particle or −1.
func (dw *denseWork) update(L denseLayout, ps *Particles, pts *Points, dl, coef []float64, decay float64, bad []bool) int {
	N, n, D, P, K := ps.N, pts.Len(), ps.D, L.P, L.K
	// R_kq = ⟨a_k, ∂ℓ_q⟩ (N×n); with a fixed at 1, R_kq = ∂ℓ_q.
	if L.aOff >= 0 {
		gemm.Dgemm(false, true, N, n, K, 1, ps.W[L.aOff:], D, dl, K, 0, dw.R, n)
	}
	nb := (N + rowBlock - 1) / rowBlock
	parallel.For(nb, func(_, b int) {
		for k := b * rowBlock; k < min((b+1)*rowBlock, N); k++ {
			c := coef
			if c == nil {
				c = dw.C[k*n : (k+1)*n]
			}
			s, phi, r := dw.S[k*n:(k+1)*n], dw.Phi[k*n:(k+1)*n], dw.R[k*n:(k+1)*n]
			var gc float64
			for q := range s {
				rq := dl[q]
				if L.aOff >= 0 {
					rq = r[q]
				}
				dz := c[q] * L.act.deriv(s[q]) * rq
				r[q] = dz
				gc += dz
				phi[q] *= c[q]
			}
			if L.cOff >= 0 {
				ps.W[k*D+L.cOff] = decay*ps.W[k*D+L.cOff] - gc
			}
		}
	})
	// u_k ← decay·u_k − Σ_q dz_kq x_q ;  a_k ← decay·a_k − Σ_q c_kq Φ_kq ∂ℓ_q.
	gemm.Dgemm(false, false, N, P, n, -1, dw.R, n, pts.X, P, decay, ps.W[L.uOff:], D)
	if L.aOff >= 0 {
		gemm.Dgemm(false, false, N, K, n, -1, dw.Phi, n, dl, K, decay, ps.W[L.aOff:], D)
	}
	parallel.For(nb, func(_, b int) {
		for k := b * rowBlock; k < min((b+1)*rowBlock, N); k++ {
			ok := true
			for _, v := range ps.W[k*D : (k+1)*D] {
				if v-v != 0 {
					ok = false
				}
			}
			bad[k] = !ok
		}
	})
	for k, v := range bad {
		if v {
			return k
		}
	}
	return -1
}
