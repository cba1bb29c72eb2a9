package nn

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Supervised.LossGradWeighted gives LossGrad's loss and gradient bit for bit (the same
// forward and backward computations in the same order) and WeightedLossGrad's weighted
// gradient up to rounding, on a dense and a masked MLP, with more samples than one chunk
// (so the weighted chunk gradients are accumulated), repeated indices and signed weights,
// without allocating in steady state. Tolerance 1e-12 relative to the largest entry: each
// δ_l row differs from WeightedLossGrad's by the rounding of the factors 1/|idx| and
// p_k·|idx| (a few units of 2^-53 relative), and the sums over samples and units do
// not amplify that beyond their condition Σ|terms|/|sum|, which these random problems keep
// far below 1e3.
func TestSupervisedLossGradWeighted(t *testing.T) {
	long := make([]int, chunkRows+41)
	for i := range long {
		long[i] = (13 * i) % 1200
	}
	cases := []struct {
		name  string
		sizes []int
		act   Activation
		mask  bool
		idx   []int
	}{
		{"tanh", []int{5, 7, 3}, Tanh, false, []int{0, 4, 4, 9, 2}},
		{"relu/chunks", []int{5, 9, 6, 3}, ReLU, false, long},
		{"relu/masked", []int{5, 9, 6, 3}, ReLU, true, append(seq(150), 3, 3, 77)},
	}
	for ci, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			net, err := NewMLP(c.sizes, c.act, Identity)
			if err != nil {
				t.Fatal(err)
			}
			if c.mask {
				net.Mask = randomMask(net.NumParams(), 21)
			}
			obj, err := NewSupervised(net, randomData(uint64(ci+3), 1200, c.sizes[0], c.sizes[len(c.sizes)-1]), SoftmaxCE{})
			if err != nil {
				t.Fatal(err)
			}
			w := randomParams(net, uint64(ci+11))
			rng := rand.New(rand.NewPCG(uint64(ci), 2))
			p := make([]float64, len(c.idx))
			for k := range p {
				p[k] = (1 + 3*(rng.Float64()*2-1)) / float64(len(c.idx))
			}
			n := len(w)
			g, pg := make([]float64, n), make([]float64, n)
			l := obj.LossGradWeighted(g, pg, p, w, c.idx)
			g0, pg0 := make([]float64, n), make([]float64, n)
			l0 := obj.LossGrad(g0, w, c.idx)
			obj.WeightedLossGrad(pg0, p, w, c.idx)
			if math.Float64bits(l) != math.Float64bits(l0) {
				t.Errorf("loss %v, LossGrad %v", l, l0)
			}
			for j := range g {
				if math.Float64bits(g[j]) != math.Float64bits(g0[j]) {
					t.Fatalf("grad[%d] = %v, LossGrad %v", j, g[j], g0[j])
				}
			}
			if e := maxRelErr(pg, pg0); e > 1e-12 {
				t.Errorf("weighted gradient max error %.3g relative", e)
			}
			for j, keep := range net.Mask {
				if !keep && pg[j] != 0 {
					t.Fatalf("masked entry %d of the weighted gradient = %v, want 0", j, pg[j])
				}
			}
			if a := testing.AllocsPerRun(10, func() { obj.LossGradWeighted(g, pg, p, w, c.idx) }); a != 0 && !raceEnabled {
				t.Errorf("%v allocations per call, want 0", a)
			}
		})
	}
}
