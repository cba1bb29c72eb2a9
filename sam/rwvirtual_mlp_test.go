package sam

import (
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/sdeml/sdeml/nn"
)

// supWeightedOnly hides nn.Supervised.LossGradWeighted (the fused pass) but keeps
// WeightedLossGrad, so the step takes g_B and Δ(w) in two separate passes.
type supWeightedOnly struct{ *nn.Supervised }

func (supWeightedOnly) LossGradWeighted() {}

// On the MLP objective (nn.Supervised, a DualGrader since issue 25) the zero value takes
// two passes over the batch, as on the CNN, and its direction equals the three-pass one
// (separate LossGrad and WeightedLossGrad at w) up to rounding: 1e-12 relative, the
// tolerance of nn's LossGradWeighted test, since only Δ(w) differs (by the order of its
// sums), and ε, Δ(w + ε) and d depend on it smoothly (ρ = 0.05 and O(1) curvature of a
// small net keep the amplification O(1)).
func TestVirtualMicroMLPTwoPasses(t *testing.T) {
	rng := rand.New(rand.NewPCG(71, 1))
	const n, in = 64, 6
	x := make([]float64, n*in)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	lab := make([]int, n)
	for i := range lab {
		lab[i] = rng.IntN(3)
	}
	net, err := nn.NewMLP([]int{in, 8, 3}, nn.Tanh, nn.Identity)
	if err != nil {
		t.Fatal(err)
	}
	obj, err := nn.NewSupervised(net, &nn.Dataset{X: mat.NewDense(n, in, x), Labels: lab}, nn.SoftmaxCE{})
	if err != nil {
		t.Fatal(err)
	}
	w := make([]float64, net.NumParams())
	net.Init(w, nn.He, rand.NewPCG(72, 1))
	batch := seq(32)
	var dirs [2][]float64
	for k, o := range []nn.Objective{obj, supWeightedOnly{obj}} {
		rec := &recorder{}
		opt := &RWSAM{Base: rec, Rho: 0.05, Seed: 5}
		if _, err := opt.Step(append([]float64(nil), w...), o, batch); err != nil {
			t.Fatal(err)
		}
		dirs[k] = rec.g
		if got, want := opt.LastCost().Forward, 2+k; got != want {
			t.Errorf("%T: %d passes, want %d", o, got, want)
		}
	}
	if e := dist(dirs[0], dirs[1]); e > 1e-12*norm(dirs[1]) {
		t.Errorf("fused and separate passes: ‖Δd‖ = %g, ‖d‖ = %g", e, norm(dirs[1]))
	}
}
