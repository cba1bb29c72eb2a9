package nn

import (
	"fmt"

	"gonum.org/v1/gonum/floats"
)

// LossGradWeighted returns the mean loss over idx, writes its gradient into grad and the
// weighted gradient Σ_k p[k]·∇ℓ_{idx[k]}(w) into pgrad, from one forward and one backward
// pass. The backward pass is linear in each sample's output error, so the errors δ of
// every layer, computed once for the mean, give the weighted gradient after each sample's
// rows are rescaled by p[k]·|idx|: per convolution or dense stage one more weight-gradient
// product δ_pᵀA and bias sum, instead of a second forward and backward pass (RW-SAM's
// VirtualMicro form needs both gradients at the same point). grad is bit-identical to
// LossGrad's; pgrad equals WeightedLossGrad's up to rounding. It panics if idx is empty or
// a length differs.
func (s *SeqSupervised) LossGradWeighted(grad, pgrad, p, w []float64, idx []int) float64 {
	checkWeights(p, idx)
	n := s.Dim()
	if len(grad) != n || len(pgrad) != n {
		panic(fmt.Sprintf("nn: LossGradWeighted lengths grad %d, pgrad %d, want %d", len(grad), len(pgrad), n))
	}
	r := s.getRun()
	defer s.putRun(r)
	inv := 1 / float64(len(idx))
	r.w, r.idx, r.scale, r.wantGrad, r.p2, r.pgrad = w, idx, inv, true, p, pgrad
	return r.exec(grad) * inv
}

// weightedGrad writes Σ_i p_i ∇ℓ_i(w) into g (unless accumulate, then adds it) from the
// errors of the last backward pass over the ws.batch samples, which carry the factor scale
// of that pass: sample i's rows of every stage's δ are multiplied by p_i/scale in place
// (the errors are not used afterwards), then g_W = δᵀA and g_b = δᵀ1 per stage.
func (n *Sequential) weightedGrad(g []float64, ws *seqWorkspace, p []float64, scale float64) {
	B := ws.batch
	for s := range n.stages {
		st := &n.stages[s]
		if st.kind != stageConv {
			continue
		}
		P, co := st.npos(), st.out.C
		d := ws.d[s][:B*P*co]
		for i := range B {
			floats.Scale(p[i]/scale, d[i*P*co:(i+1)*P*co])
		}
		D := general(B*P, co, d)
		ws.weightGrad(g[st.off:st.off+co*st.k], D, general(B*P, st.k, ws.unfolded(s)), false)
		columnSums(g[st.off+co*st.k:st.off+st.nparams()], D)
	}
}
