package nn

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// PerSampleGrads writes ∇ℓ_{idx[k]}(w) (not divided by the batch size) into row k of dst
// (len(idx)×Dim()). One batched forward and backward give the errors δ_l of every sample;
// the gradient of sample i is then the outer products ∂ℓᵢ/∂W_l = δ_l[i]⊗a_{l-1}[i] and
// ∂ℓᵢ/∂b_l = δ_l[i]. Masked entries are 0.
func (s *Supervised) PerSampleGrads(dst *mat.Dense, w []float64, idx []int) {
	r, c := dst.Dims()
	if r != len(idx) || c != s.Dim() {
		panic(fmt.Sprintf("nn: PerSampleGrads dst is %d×%d, want %d×%d", r, c, len(idx), s.Dim()))
	}
	G := dst.RawMatrix()
	st := s.get()
	defer s.put(st)
	m := s.Net
	for start := 0; start < len(idx); start += chunkRows {
		sub := idx[start:min(start+chunkRows, len(idx))]
		s.deltas(st, w, sub)
		for k := range sub {
			g := G.Data[(start+k)*G.Stride : (start+k)*G.Stride+c]
			off := 0
			for l := 0; l < m.NumLayers(); l++ {
				in, out := m.Sizes[l], m.Sizes[l+1]
				a := st.layerInput(l, k)
				d := st.ws.d[l][k*out : (k+1)*out]
				for j, dj := range d {
					row := g[off+j*in : off+(j+1)*in]
					for q, aq := range a {
						row[q] = dj * aq
					}
				}
				copy(g[off+out*in:off+out*(in+1)], d)
				off += out * (in + 1)
			}
			if m.Mask != nil {
				for i, keep := range m.Mask {
					if !keep {
						g[i] = 0
					}
				}
			}
		}
	}
}

// PerSampleGradNorms writes ‖∇ℓ_{idx[k]}(w)‖ into dst[k] without forming the gradients:
// for a dense layer ‖δ⊗a‖² + ‖δ‖² = ‖δ‖²(‖a‖² + 1). With a Mask M the squared norm of
// layer l is Σ_j δ_j²(Σ_q M_jq a_q² + M_j^b), computed for the whole batch as one matrix
// product (A∘A)Mᵀ, so it is exact for sparse networks too.
func (s *Supervised) PerSampleGradNorms(dst []float64, w []float64, idx []int) {
	if len(dst) != len(idx) {
		panic(fmt.Sprintf("nn: len(dst) = %d, want len(idx) = %d", len(dst), len(idx)))
	}
	st := s.get()
	defer s.put(st)
	st.maskFloats(s.Net)
	for start := 0; start < len(idx); start += chunkRows {
		sub := idx[start:min(start+chunkRows, len(idx))]
		s.deltas(st, w, sub)
		s.deltaNorms(st, dst[start:start+len(sub)], 1)
	}
}

// LossGradNorms is LossGrad fused with PerSampleGradNorms: it returns the mean loss
// (1/|idx|)Σ_{i∈idx} ℓᵢ(w), writes its gradient into grad (unless grad is nil) and the
// per-sample gradient norms ‖∇ℓ_{idx[k]}(w)‖ (not divided by |idx|) into norms[k], from ONE
// forward and backward pass. The backward pass of the mean loss leaves δ_l/|idx| for
// every sample, so ‖∇ℓᵢ‖ = |idx|·sqrt(Σ_l ‖δ_l[i]/|idx|‖²(‖a_{l-1}[i]‖² + 1)) (exact
// masked form as in PerSampleGradNorms) costs only the row norms. grad is bit-identical to
// LossGrad's; norms equal PerSampleGradNorms' up to rounding (the δ carry the 1/|idx|
// factor). It panics if idx is empty or len(norms) != len(idx).
func (s *Supervised) LossGradNorms(grad, norms, w []float64, idx []int) float64 {
	if len(idx) == 0 {
		panic("nn: LossGradNorms with empty idx")
	}
	if len(norms) != len(idx) {
		panic(fmt.Sprintf("nn: len(norms) = %d, want len(idx) = %d", len(norms), len(idx)))
	}
	st := s.get()
	defer s.put(st)
	st.maskFloats(s.Net)
	b := float64(len(idx))
	inv := 1 / b
	total := 0.0
	for start := 0; start < len(idx); start += chunkRows {
		sub := idx[start:min(start+chunkRows, len(idx))]
		_, dOut := s.pass(st, w, sub, true, inv)
		for _, v := range st.losses[:len(sub)] {
			total += v
		}
		s.Net.backward(grad, start > 0, blas64.General{}, w, dOut, st.ws)
		s.deltaNorms(st, norms[start:start+len(sub)], b)
	}
	return total * inv
}

// maskFloats fills st.mf with m.Mask as 0/1 floats (nothing for a dense network).
func (st *supState) maskFloats(m *MLP) {
	if m.Mask == nil {
		return
	}
	if len(st.mf) != len(m.Mask) {
		st.mf = make([]float64, len(m.Mask))
	}
	for i, keep := range m.Mask {
		st.mf[i] = 0
		if keep {
			st.mf[i] = 1
		}
	}
}

// deltaNorms writes c·sqrt(Σ_l ‖δ_l[k] ⊗ a_{l-1}[k]‖² + ‖δ_l[k]‖²) (masked entries left
// out) into nrm[k] for the rows of the last backward pass on st.ws (len(nrm) rows);
// st.mf must hold the mask (maskFloats).
func (s *Supervised) deltaNorms(st *supState, nrm []float64, c float64) {
	m := s.Net
	B := len(nrm)
	clear(nrm)
	off := 0
	for l := 0; l < m.NumLayers(); l++ {
		in, out := m.Sizes[l], m.Sizes[l+1]
		if m.Mask == nil {
			for k := 0; k < B; k++ {
				d, a := st.ws.d[l][k*out:(k+1)*out], st.layerInput(l, k)
				nrm[k] += floats.Dot(d, d) * (floats.Dot(a, a) + 1)
			}
		} else {
			st.maskedLayerNorms(nrm, l, in, out, B, off)
		}
		off += out * (in + 1)
	}
	for k, v := range nrm {
		nrm[k] = c * math.Sqrt(v)
	}
}

// maskedLayerNorms adds Σ_j δ_kj²((A∘A)Mᵀ + M^b)_kj to nrm[k] for layer l at offset off.
func (st *supState) maskedLayerNorms(nrm []float64, l, in, out, B, off int) {
	if len(st.a2) < st.ws.cap*in {
		st.a2 = make([]float64, st.ws.cap*max(in, 1))
	}
	if len(st.q) < st.ws.cap*out {
		st.q = make([]float64, st.ws.cap*out)
	}
	a2 := general(B, in, st.a2)
	for k := 0; k < B; k++ {
		for q, v := range st.layerInput(l, k) {
			a2.Data[k*in+q] = v * v
		}
	}
	qm := general(B, out, st.q)
	gemm(blas.NoTrans, blas.Trans, 1, a2, general(out, in, st.mf[off:]), 0, qm)
	mb := st.mf[off+out*in : off+out*(in+1)]
	for k := 0; k < B; k++ {
		d := st.ws.d[l][k*out : (k+1)*out]
		qk := qm.Data[k*out : (k+1)*out]
		for j, dj := range d {
			nrm[k] += dj * dj * (qk[j] + mb[j])
		}
	}
}

// deltas runs forward, per-sample loss gradients (unscaled) and the backward recursion
// for δ_l, without the parameter gradient.
func (s *Supervised) deltas(st *supState, w []float64, idx []int) {
	_, dOut := s.pass(st, w, idx, true, 1)
	s.Net.backward(nil, false, blas64.General{}, w, dOut, st.ws)
}

// layerInput returns a_{l-1} for row k of the last forward (the input row for l = 0).
func (st *supState) layerInput(l, k int) []float64 {
	if l == 0 {
		in := st.ws.in
		return in.Data[k*in.Stride : k*in.Stride+in.Cols]
	}
	n := st.ws.sizes[l]
	return st.ws.a[l-1][k*n : (k+1)*n]
}

func sumSq(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x * x
	}
	return s
}
