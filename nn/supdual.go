package nn

import (
	"fmt"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/floats"
)

// LossGradWeighted returns the mean loss over idx, writes its gradient into grad and the
// weighted gradient Σ_k p[k]·∇ℓ_{idx[k]}(w) into pgrad, from one forward and one backward
// pass, as SeqSupervised.LossGradWeighted: the backward pass is linear in each sample's
// output error, so the layer errors δ_l of the mean loss (which carry the factor 1/|idx|),
// with sample k's row rescaled by p[k]·|idx|, give the weighted gradient with one more
// product δ_lᵀA_{l−1} and bias sum per layer. grad is bit-identical to LossGrad's; pgrad
// equals WeightedLossGrad's up to rounding. It panics if idx is empty or a length differs.
func (s *Supervised) LossGradWeighted(grad, pgrad, p, w []float64, idx []int) float64 {
	checkWeights(p, idx)
	n := s.Dim()
	if len(grad) != n || len(pgrad) != n {
		panic(fmt.Sprintf("nn: LossGradWeighted lengths grad %d, pgrad %d, want %d", len(grad), len(pgrad), n))
	}
	st := s.get()
	defer s.put(st)
	inv := 1 / float64(len(idx))
	total := 0.0
	for start := 0; start < len(idx); start += chunkRows {
		sub := idx[start:min(start+chunkRows, len(idx))]
		_, dOut := s.pass(st, w, sub, true, inv)
		for _, v := range st.losses[:len(sub)] {
			total += v
		}
		s.Net.backward(grad, start > 0, blas64.General{}, w, dOut, st.ws)
		s.Net.weightedGrad(pgrad, start > 0, st.ws, p[start:start+len(sub)], inv)
	}
	return total * inv
}

// weightedGrad writes (accumulate: adds) Σ_i p_i ∇ℓ_i(w) into g from the errors δ_l of
// the last backward pass on ws, which carry the factor scale of that pass: sample i's row
// of every δ_l is multiplied by p_i/scale in place (the errors are not used afterwards),
// then ∂/∂W_l = δ_lᵀA_{l−1} and ∂/∂b_l = δ_lᵀ1; masked entries get exactly 0.
func (m *MLP) weightedGrad(g []float64, accumulate bool, ws *Workspace, p []float64, scale float64) {
	B := ws.batch
	beta := 0.0
	if accumulate {
		beta = 1
	}
	off := len(g)
	for l := m.NumLayers() - 1; l >= 0; l-- {
		in, out := m.Sizes[l], m.Sizes[l+1]
		off -= out * (in + 1)
		d := ws.d[l][:B*out]
		for i := range B {
			floats.Scale(p[i]/scale, d[i*out:(i+1)*out])
		}
		prev := ws.in
		if l > 0 {
			prev = general(B, in, ws.a[l-1])
		}
		gemm(blas.Trans, blas.NoTrans, 1, general(B, out, d), prev, beta, general(out, in, g[off:]))
		gb := g[off+out*in : off+out*(in+1)]
		if !accumulate {
			clear(gb)
		}
		for i := range B {
			floats.Add(gb, d[i*out:(i+1)*out])
		}
	}
	if m.Mask != nil {
		for i, keep := range m.Mask {
			if !keep {
				g[i] = 0
			}
		}
	}
}
