package nn

import (
	"fmt"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// HVP writes into dst the exact Hessian-vector product H(w)v of the mean loss
// L(w) = (1/|idx|)Σ_{i∈idx} ℓᵢ(w) over the samples idx (entries may repeat), by
// Pearlmutter's R-operator (Pearlmutter 1994, "Fast exact multiplication by the Hessian"):
// R{·} = d/dr (·)(w + r v)|_{r=0} applied to every line of the forward and backward passes.
// With V_l, β_l the blocks of v (masked like w), forward
//
//	R{z_l} = V_l a_{l-1} + W_l R{a_{l-1}} + β_l,   R{a_l} = σ'(z_l)⊙R{z_l},   R{a₀} = 0,
//
// the loss, with e_L = ∂ℓ/∂a_L,
//
//	R{e_L} = ∇²_o ℓ · R{a_L}     (SoftmaxCE: (diag p − ppᵀ)R{o};  MSE: R{o}),
//
// and backward, with δ_l = e_l⊙σ'(z_l) and e_{l-1} = W_lᵀδ_l,
//
//	R{δ_l} = R{e_l}⊙σ'(z_l) + e_l⊙σ″(z_l)⊙R{z_l},   R{e_{l-1}} = W_lᵀR{δ_l} + V_lᵀδ_l,
//	(Hv)_{W_l} = R{δ_l} a_{l-1}ᵀ + δ_l R{a_{l-1}}ᵀ,   (Hv)_{b_l} = R{δ_l},
//
// summed over the batch. Every line is a batched matrix product through gemm: 8 products
// for an inner layer and 3 for the first (R{a₀} = 0), against 6 and 4 for the two
// gradients of central differences, and the result is exact up to rounding. For ReLU σ″ = 0 off the kinks, so on ReLU networks this is the
// Hessian of the piecewise-smooth loss on the current activation region — the one-sided
// limit that central differences of gradients approximate only while no pre-activation
// changes sign within the step. With σ'(0) = 0 a unit exactly at its kink counts as inactive.
//
// With a Mask the network computes with w⊙M, so H = M(∇²L)M: masked entries of v are
// ignored and masked entries of dst are exactly 0. If Loss is not a SecondOrderLoss, HVP
// falls back to central differences of LossGrad with Hessian's default step.
// HVP panics if idx is empty. It is safe for concurrent use and does not allocate in
// steady state.
func (s *Supervised) HVP(dst, w, v []float64, idx []int) {
	n := s.Dim()
	if len(dst) != n || len(w) != n || len(v) != n {
		panic(fmt.Sprintf("nn: Supervised.HVP lengths dst %d, w %d, v %d, want %d", len(dst), len(w), len(v), n))
	}
	if len(idx) == 0 {
		panic("nn: HVP with empty idx")
	}
	st := s.get()
	defer s.put(st)
	sl, ok := s.Loss.(SecondOrderLoss)
	if !ok {
		st.fd.Obj = s
		st.fd.difference(dst, w, v, idx)
		return
	}
	m := s.Net
	if m.Mask != nil {
		if len(st.vm) != n {
			st.vm = make([]float64, n)
		}
		maskTo(st.vm, v, m.Mask)
		v = st.vm
	}
	inv := 1 / float64(len(idx))
	for start := 0; start < len(idx); start += chunkRows {
		s.rop(st, sl, dst, start > 0, w, v, idx[start:min(start+chunkRows, len(idx))], inv)
	}
	if m.Mask != nil {
		maskTo(dst, dst, m.Mask)
	}
}

// rop writes (accumulate=false) or adds (accumulate=true) scale·Σ_{i∈idx} ∇²ℓᵢ(w)v into
// dst, for len(idx) <= chunkRows and v already masked.
func (s *Supervised) rop(st *supState, sl SecondOrderLoss, dst []float64, accumulate bool, w, v []float64, idx []int, scale float64) {
	m := s.Net
	ws := st.ws
	out, dOut := s.pass(st, w, idx, true, scale)
	st.ensureR(m)
	B := len(idx)
	L := m.NumLayers()
	weights := ws.weights

	// R-forward: R{Z_l} = A_{l-1}V_lᵀ + R{A_{l-1}}W_lᵀ + 1β_lᵀ, R{A_l} = σ'(Z_l)⊙R{Z_l}.
	off := 0
	for l := 0; l < L; l++ {
		in, nout := m.Sizes[l], m.Sizes[l+1]
		rz := general(B, nout, st.rz[l])
		beta := v[off+nout*in : off+nout*(in+1)]
		for i := 0; i < B; i++ {
			copy(rz.Data[i*nout:(i+1)*nout], beta)
		}
		gemm(blas.NoTrans, blas.Trans, 1, st.layerInputs(l, B), general(nout, in, v[off:]), 1, rz)
		if l > 0 {
			gemm(blas.NoTrans, blas.Trans, 1, general(B, in, st.ra[l-1]), general(nout, in, weights[off:]), 1, rz)
		}
		ra := st.ra[l][:B*nout]
		copy(ra, rz.Data)
		m.activation(l).scaleByDerivative(ra, ws.z[l][:B*nout], ws.a[l][:B*nout])
		off += nout * (in + 1)
	}

	// Loss: e_L = scale·∂ℓ/∂o (from pass) and R{e_L} = scale·∇²_o ℓ · R{o}.
	K := m.OutDim()
	copy(ws.d[L-1][:B*K], dOut.Data[:B*K])
	sl.HessVec(general(B, K, st.rd[L-1]), scale, out, general(B, K, st.ra[L-1]), s.Data, idx)

	// R-backward.
	gBeta := 0.0
	if accumulate {
		gBeta = 1
	}
	off = len(w)
	for l := L - 1; l >= 0; l-- {
		in, nout := m.Sizes[l], m.Sizes[l+1]
		off -= nout * (in + 1)
		act := m.activation(l)
		z, a := ws.z[l][:B*nout], ws.a[l][:B*nout]
		d, rd := ws.d[l][:B*nout], st.rd[l][:B*nout]
		// R{δ} = R{e}⊙σ' + e⊙σ″⊙R{z}, then δ = e⊙σ' (in place, e no longer needed).
		act.scaleByDerivative(rd, z, a)
		act.addCurvature(rd, d, st.rz[l][:B*nout], z, a)
		act.scaleByDerivative(d, z, a)
		D, RD := general(B, nout, d), general(B, nout, rd)
		gW := general(nout, in, dst[off:])
		gemm(blas.Trans, blas.NoTrans, 1, RD, st.layerInputs(l, B), gBeta, gW)
		if l > 0 {
			gemm(blas.Trans, blas.NoTrans, 1, D, general(B, in, st.ra[l-1]), 1, gW)
		}
		gb := dst[off+nout*in : off+nout*(in+1)]
		if !accumulate {
			clear(gb)
		}
		for i := 0; i < B; i++ {
			for j, x := range rd[i*nout : (i+1)*nout] {
				gb[j] += x
			}
		}
		if l > 0 {
			W := general(nout, in, weights[off:])
			gemm(blas.NoTrans, blas.NoTrans, 1, D, W, 0, general(B, in, ws.d[l-1]))
			re := general(B, in, st.rd[l-1])
			gemm(blas.NoTrans, blas.NoTrans, 1, RD, W, 0, re)
			gemm(blas.NoTrans, blas.NoTrans, 1, D, general(nout, in, v[off:]), 1, re)
		}
	}
}

// ensureR sizes the R-operator buffers R{z_l}, R{a_l}, R{e_l} to the workspace capacity.
func (st *supState) ensureR(m *MLP) {
	L := m.NumLayers()
	if len(st.rz) != L {
		st.rz = make([][]float64, L)
		st.ra = make([][]float64, L)
		st.rd = make([][]float64, L)
	}
	for l := range L {
		n := st.ws.cap * m.Sizes[l+1]
		if len(st.rz[l]) < n {
			st.rz[l] = make([]float64, n)
			st.ra[l] = make([]float64, n)
			st.rd[l] = make([]float64, n)
		}
	}
}

// layerInputs returns A_{l-1} (B×Sizes[l]) of the last forward: the input for l = 0.
func (st *supState) layerInputs(l, B int) blas64.General {
	if l == 0 {
		return st.ws.in
	}
	return general(B, st.ws.sizes[l], st.ws.a[l-1])
}

// maskTo sets dst[i] = src[i] where mask[i] and 0 elsewhere; dst and src may be the same.
func maskTo(dst, src []float64, mask []bool) {
	for i, keep := range mask {
		if keep {
			dst[i] = src[i]
		} else {
			dst[i] = 0
		}
	}
}
