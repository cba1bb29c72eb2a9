package nn

import (
	"fmt"

	"gonum.org/v1/gonum/blas/blas64"
)

// WeightedLossGrad returns the weighted loss Σ_k p[k]·ℓ_{idx[k]}(w) and, unless grad is nil,
// writes its gradient Σ_k p[k]·∇ℓ_{idx[k]}(w) into grad, in one batched forward and
// backward pass: the output errors ∂ℓ_k/∂out of sample k are scaled by p[k] before the
// backward pass, which is linear in them. With p[k] = 1/|idx| it is LossGrad. The weights
// need not sum to 1. It panics if idx is empty or len(p) != len(idx).
func (s *Supervised) WeightedLossGrad(grad, p, w []float64, idx []int) float64 {
	checkWeights(p, idx)
	st := s.get()
	defer s.put(st)
	total := 0.0
	for start := 0; start < len(idx); start += chunkRows {
		sub := idx[start:min(start+chunkRows, len(idx))]
		_, dOut := s.pass(st, w, sub, grad != nil, 1)
		total += weightRows(dOut, st.losses[:len(sub)], p[start:start+len(sub)])
		if grad != nil {
			s.Net.backward(grad, start > 0, blas64.General{}, w, dOut, st.ws)
		}
	}
	return total
}

// WeightedLossGrad is Supervised.WeightedLossGrad for a Sequential network.
func (s *SeqSupervised) WeightedLossGrad(grad, p, w []float64, idx []int) float64 {
	checkWeights(p, idx)
	r := s.getRun()
	defer s.putRun(r)
	r.w, r.idx, r.scale, r.p, r.wantGrad = w, idx, 1, p, grad != nil
	return r.exec(grad)
}

func checkWeights(p []float64, idx []int) {
	if len(idx) == 0 {
		panic("nn: WeightedLossGrad with empty idx")
	}
	if len(p) != len(idx) {
		panic(fmt.Sprintf("nn: WeightedLossGrad with len(p) = %d, want len(idx) = %d", len(p), len(idx)))
	}
}

// weightRows scales row k of dOut (if it has rows) by p[k] and returns Σ_k p[k]·losses[k].
func weightRows(dOut blas64.General, losses, p []float64) float64 {
	var total float64
	for k, pk := range p {
		total += pk * losses[k]
		if dOut.Rows == 0 {
			continue
		}
		row := dOut.Data[k*dOut.Stride : k*dOut.Stride+dOut.Cols]
		for j := range row {
			row[j] *= pk
		}
	}
	return total
}
