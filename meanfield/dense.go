package meanfield

import (
	"github.com/sdeml/sdeml/internal/gemm"
	"github.com/sdeml/sdeml/internal/parallel"
)

// denseLayout describes a unit F(w, x) = a·φ(⟨u, x⟩ + c): u = w[uOff:uOff+P], bias
// c = w[cOff] (cOff < 0: none), output weights a = w[aOff:aOff+K] (aOff < 0: a = 1,
// K = 1). All units of this package have this form, and for them a step is two fused
// passes over the particles (plus, for wide inputs, two matrix products in internal/gemm)
// instead of one interface call per (particle, point) pair.
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

// rowBlock is the number of particle rows per parallel task of the dense passes. Partial
// fields are formed per block and added in block order, so results are bit-identical for
// any GOMAXPROCS.
const rowBlock = 64

// inlineP is the largest input dimension for which the dense passes form the
// pre-activations ⟨u_k, x_q⟩ and the first-layer gradients Σ_q dz_kq x_q themselves;
// wider inputs (MNIST: 784) use two gemm products, Z = U Xᵀ and U ← decay·U − dZ X.
const inlineP = 16

// gemmIn reports whether the input side goes through gemm (P > inlineP); gemmOut whether the
// output side does: with K > 1 trained output weights (the paper's ReLU network), the field
// f = Φᵀ(ω∘A), the inner products R = A ∂ℓᵀ and the update A ← decay·A − (c∘Φ) ∂ℓ are
// three gemm products.
func (L denseLayout) gemmIn() bool  { return L.P > inlineP }
func (L denseLayout) gemmOut() bool { return L.aOff >= 0 && L.K > 1 }

// denseWork holds the scratch of the dense path: the N×n unit states S (z for ReLU, φ(z)
// otherwise), the N×n pre-activation cotangents R (gemmIn or gemmOut), Φ = φ(Z) (reused
// for c∘Φ) and the N×K weights ω_k a_k (gemmOut only), and the per-block partial fields
// (otherwise). It is its own parallel task for each pass (denseForward, denseBackward,
// denseCheck); holding the passes' inputs in fields makes the loops allocation-free.
type denseWork struct {
	S, R, Phi, Aom, part []float64
	L                    denseLayout
	ps                   *Particles
	pts                  *Points
	st                   *stepState
}

func grow(b []float64, n int) []float64 {
	if cap(b) < n {
		return make([]float64, n)
	}
	return b[:n]
}

// forward computes the states S and f = Σ_k ω_k a_k φ(z_k·) on the points (n×K) for
// particles ps.
func (dw *denseWork) forward(f []float64, L denseLayout, ps *Particles, pts *Points) {
	N, n, D, P, K := ps.N, pts.Len(), ps.D, L.P, L.K
	if D != L.D || pts.P != P || pts.K != K || len(f) != n*K {
		panic("meanfield: field dimension mismatch between unit, particles and points")
	}
	nb := (N + rowBlock - 1) / rowBlock
	dw.S = grow(dw.S, N*n)
	dw.L, dw.ps, dw.pts = L, ps, pts
	if L.gemmIn() {
		// Z = U Xᵀ (N×n), U the N×P block of W at column uOff.
		gemm.Dgemm(false, true, N, n, P, 1, ps.W[L.uOff:], D, pts.X, P, 0, dw.S, n)
	}
	if L.gemmOut() {
		dw.Phi = grow(dw.Phi, N*n)
		dw.Aom = grow(dw.Aom, N*K)
		parallel.Run(nb, (*denseForward)(dw))
		// f = Φᵀ (ω∘A)  (n×K).
		gemm.Dgemm(true, false, n, K, N, 1, dw.Phi, n, dw.Aom, K, 0, f, K)
		return
	}
	dw.part = grow(dw.part, nb*n*K)
	parallel.Run(nb, (*denseForward)(dw))
	clear(f)
	for b := range nb {
		axpy(1, dw.part[b*n*K:(b+1)*n*K], f)
	}
}

// denseForward is the forward pass over row block b: the states and either the block's
// partial field or (gemmOut) its rows of Φ and ω∘A.
type denseForward denseWork

// Do implements parallel.Task.
func (t *denseForward) Do(_, b int) {
	L, ps, pts := t.L, t.ps, t.pts
	n, D, P, K := pts.Len(), ps.D, L.P, L.K
	var part []float64
	if !L.gemmOut() {
		part = t.part[b*n*K : (b+1)*n*K]
		clear(part)
	}
	for k := b * rowBlock; k < min((b+1)*rowBlock, ps.N); k++ {
		w := ps.W[k*D : (k+1)*D]
		s := t.S[k*n : (k+1)*n]
		c := 0.0
		if L.cOff >= 0 {
			c = w[L.cOff]
		}
		switch {
		case P == 1:
			u := w[L.uOff]
			for q, x := range pts.X[:n] {
				s[q] = u*x + c
			}
		case P <= inlineP:
			u := w[L.uOff : L.uOff+P]
			for q := range s {
				s[q] = dot(u, pts.X[q*P:(q+1)*P]) + c
			}
		case c != 0:
			for q := range s {
				s[q] += c
			}
		}
		L.act.forwardRow(s)
		om := ps.Omega(k)
		if L.gemmOut() {
			phi := t.Phi[k*n : (k+1)*n]
			for q, sq := range s {
				phi[q] = L.act.phi(sq)
			}
			for j, a := range w[L.aOff : L.aOff+K] {
				t.Aom[k*K+j] = om * a
			}
			continue
		}
		a := om // K = 1
		if L.aOff >= 0 {
			a *= w[L.aOff]
		}
		L.act.addPhi(part, a, s)
	}
}

// backward applies W^k ← decay·W^k − Σ_q c^k_q ∂ℓ_qᵀ ∇_w F(W^k, x_q) with the states of
// the last forward call and returns the index of the first non-finite particle or −1.
func (dw *denseWork) backward(st *stepState) int {
	L, ps, pts := dw.L, st.ps, st.pts
	N, n, D, P := ps.N, pts.Len(), ps.D, L.P
	if ps != dw.ps || pts != dw.pts {
		panic("meanfield: dense backward without its forward pass")
	}
	dw.st = st
	nb := (N + rowBlock - 1) / rowBlock
	if L.gemmIn() || L.gemmOut() {
		dw.R = grow(dw.R, N*n)
	}
	if L.gemmOut() {
		// R_kq = ⟨a_k, ∂ℓ_q⟩ (N×n).
		gemm.Dgemm(false, true, N, n, L.K, 1, ps.W[L.aOff:], D, st.dl, L.K, 0, dw.R, n)
	}
	parallel.Run(nb, (*denseBackward)(dw))
	if L.gemmIn() {
		// u_k ← decay·u_k − Σ_q dz_kq x_q.
		gemm.Dgemm(false, false, N, P, n, -1, dw.R, n, pts.X, P, st.decay, ps.W[L.uOff:], D)
	}
	if L.gemmOut() {
		// a_k ← decay·a_k − Σ_q c_kq Φ_kq ∂ℓ_q.
		gemm.Dgemm(false, false, N, L.K, n, -1, dw.Phi, n, st.dl, L.K, st.decay, ps.W[L.aOff:], D)
	}
	if L.gemmIn() || L.gemmOut() {
		parallel.Run(nb, (*denseCheck)(dw))
	}
	return st.firstBad()
}

// denseBackward is the drift-and-update pass over row block b. With
// r_kq = ⟨a_k, ∂ℓ_q⟩ (∂ℓ_q when a is fixed) and dz_kq = c^k_q φ'(z_kq) r_kq, the gradient
// is (Σ_q dz_kq x_q, Σ_q dz_kq, Σ_q c^k_q φ(z_kq) ∂ℓ_q) in (u, c, a).
type denseBackward denseWork

// Do implements parallel.Task.
func (t *denseBackward) Do(worker, b int) {
	L, st := t.L, t.st
	ps, pts, dl := st.ps, st.pts, st.dl
	n, D, P, K := pts.Len(), ps.D, L.P, L.K
	g := st.gbuf[worker]
	x := pts.X
	for k := b * rowBlock; k < min((b+1)*rowBlock, ps.N); k++ {
		c := st.coefs(worker, k)
		w := ps.W[k*D : (k+1)*D]
		s := t.S[k*n : (k+1)*n]
		clear(g)
		gu := g[L.uOff : L.uOff+P]
		var gc float64
		switch {
		case K == 1 && P == 1:
			a := 1.0
			if L.aOff >= 0 {
				a = w[L.aOff]
			}
			var ga, gb float64
			if L.act == Tanh {
				ga, gb, gc = tanhGrads(s, c, dl, x, a)
			} else {
				for q, sq := range s {
					cl := c[q] * dl[q]
					dz := cl * a * L.act.deriv(sq)
					gc += dz
					gb += dz * x[q]
					ga += cl * L.act.phi(sq)
				}
			}
			gu[0] = gb
			if L.aOff >= 0 {
				g[L.aOff] = ga
			}
		case L.gemmOut():
			r, phi := t.R[k*n:(k+1)*n], t.Phi[k*n:(k+1)*n]
			for q, sq := range s {
				dz := c[q] * L.act.deriv(sq) * r[q]
				gc += dz
				if L.gemmIn() {
					r[q] = dz
				} else {
					axpy(dz, x[q*P:(q+1)*P], gu)
				}
				phi[q] *= c[q]
			}
		default:
			for q, sq := range s {
				dlq := dl[q*K : (q+1)*K]
				rq := dlq[0]
				if L.aOff >= 0 {
					rq = dot(w[L.aOff:L.aOff+K], dlq)
					axpy(c[q]*L.act.phi(sq), dlq, g[L.aOff:L.aOff+K])
				}
				dz := c[q] * L.act.deriv(sq) * rq
				gc += dz
				if L.gemmIn() {
					t.R[k*n+q] = dz
				} else {
					axpy(dz, x[q*P:(q+1)*P], gu)
				}
			}
		}
		// Update what gemm does not (after the pass), then check the particle if it is final.
		if L.cOff >= 0 {
			w[L.cOff] = st.decay*w[L.cOff] - gc
		}
		if !L.gemmIn() {
			for j, v := range gu {
				w[L.uOff+j] = st.decay*w[L.uOff+j] - v
			}
		}
		if L.aOff >= 0 && !L.gemmOut() {
			for j, v := range g[L.aOff : L.aOff+K] {
				w[L.aOff+j] = st.decay*w[L.aOff+j] - v
			}
		}
		if !L.gemmIn() && !L.gemmOut() {
			st.bad[k] = !finiteAll(w)
		}
	}
}

// denseCheck marks the non-finite particles of row block b after the gemm update.
type denseCheck denseWork

// Do implements parallel.Task.
func (t *denseCheck) Do(_, b int) {
	ps := t.st.ps
	for k := b * rowBlock; k < min((b+1)*rowBlock, ps.N); k++ {
		t.st.bad[k] = !finiteAll(ps.Row(k))
	}
}

// tanhGrads returns, for one tanh unit with output weight a, input dimension 1 and states
// t_q = tanh z_q, the gradient sums ga = Σ_q c_q ℓ'_q t_q, gb = Σ_q dz_q x_q and
// gc = Σ_q dz_q with dz_q = c_q ℓ'_q a (1 − t_q²): the backward pass of the theory's unit,
// with two interleaved partial sums per accumulator (even and odd q) to halve the loop's
// dependency chains.
func tanhGrads(t, c, dl, x []float64, a float64) (ga, gb, gc float64) {
	n := len(t)
	c, dl, x = c[:n], dl[:n], x[:n]
	var ga1, gb1, gc1 float64
	q := 0
	for ; q+1 < n; q += 2 {
		t0, t1 := t[q], t[q+1]
		cl0, cl1 := c[q]*dl[q], c[q+1]*dl[q+1]
		dz0, dz1 := cl0*a*(1-t0*t0), cl1*a*(1-t1*t1)
		gc += dz0
		gc1 += dz1
		gb += dz0 * x[q]
		gb1 += dz1 * x[q+1]
		ga += cl0 * t0
		ga1 += cl1 * t1
	}
	if q < n {
		cl := c[q] * dl[q]
		dz := cl * a * (1 - t[q]*t[q])
		gc += dz
		gb += dz * x[q]
		ga += cl * t[q]
	}
	return ga + ga1, gb + gb1, gc + gc1
}
