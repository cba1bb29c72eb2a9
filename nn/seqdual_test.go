package nn

import (
	"math"
	"math/rand/v2"
	"testing"
)

// LossGradWeighted gives LossGrad's loss and gradient bit for bit and WeightedLossGrad's
// weighted gradient up to the order of the sums (1e-12 relative, as TestWeightedLossGrad),
// on every conv case, with more samples than one round of chunks (so the weighted chunk
// gradients are accumulated across rounds), repeated indices and signed weights, without
// allocating in steady state.
func TestLossGradWeighted(t *testing.T) {
	for ci, sc := range seqCases {
		obj, w := seqObjective(t, sc, 200, SoftmaxCE{}, uint64(ci+5))
		idx := append(seq(150), 3, 3, 77)
		rng := rand.New(rand.NewPCG(uint64(ci), 2))
		p := make([]float64, len(idx))
		for k := range p {
			p[k] = (1 + 3*(rng.Float64()*2-1)) / float64(len(idx))
		}
		n := len(w)
		g, pg := make([]float64, n), make([]float64, n)
		l := obj.LossGradWeighted(g, pg, p, w, idx)
		g0, pg0 := make([]float64, n), make([]float64, n)
		l0 := obj.LossGrad(g0, w, idx)
		obj.WeightedLossGrad(pg0, p, w, idx)
		if math.Float64bits(l) != math.Float64bits(l0) {
			t.Errorf("case %d: loss %v, LossGrad %v", ci, l, l0)
		}
		for j := range g {
			if math.Float64bits(g[j]) != math.Float64bits(g0[j]) {
				t.Fatalf("case %d: grad[%d] = %v, LossGrad %v", ci, j, g[j], g0[j])
			}
		}
		if e := maxRelErr(pg, pg0); e > 1e-12 {
			t.Errorf("case %d: weighted gradient max error %.3g relative", ci, e)
		}
		if a := testing.AllocsPerRun(10, func() { obj.LossGradWeighted(g, pg, p, w, idx) }); a != 0 && !raceEnabled {
			t.Errorf("case %d: %v allocations per call, want 0", ci, a)
		}
	}
}
