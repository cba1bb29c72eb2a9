package nn

import (
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/mat"

	"github.com/sdeml/sdeml/internal/testutil"
)

// TestGraphHessian checks nn.HVP on a Graph with BatchNorm in training mode (where it
// differentiates through the batch statistics by central differences of gradients)
// against gonum's fd.Hessian of the loss values, an independent second-order difference.
func TestGraphHessian(t *testing.T) {
	g, err := NewGraph(Shape{C: 1, H: 4, W: 3},
		Node{Layer: Conv2D{Out: 2, Kernel: 3, Stride: 1, Pad: 1}},
		Node{Layer: BatchNorm{}},
		Node{Layer: Activate{Act: Tanh}},
		Node{Layer: Add{}, From: []int{2, 0}},
		Node{Layer: GlobalAvgPool{}},
		Node{Layer: Flatten{}},
		Node{Layer: Dense{Out: 3}},
	)
	if err != nil {
		t.Fatal(err)
	}
	obj, w := graphObjective(t, g, 6, SoftmaxCE{}, 12)
	idx := seq(6)
	var H mat.SymDense
	fd.Hessian(&H, func(x []float64) float64 { return obj.LossGrad(nil, x, idx) }, w, &fd.Settings{Formula: fd.Central, Step: 1e-4})
	rng := rand.New(rand.NewPCG(41, 0))
	v := make([]float64, len(w))
	for i := range v {
		v[i] = rng.NormFloat64()
	}
	want := mat.NewVecDense(len(w), nil)
	want.MulVec(&H, mat.NewVecDense(len(v), v))
	got := make([]float64, len(w))
	HVP(got, obj, w, v, idx)
	// fd.Hessian errs by ~1e-8 per entry (step 1e-4); nn.HVP's central difference of
	// gradients by ~h²‖∇³L‖ + ε‖∇L‖/h with its default step: 1e-5 relative leaves margin.
	if e := testutil.RelErr(got, want.RawVector().Data); e > 1e-5 {
		t.Errorf("relative error %.3g", e)
	}
}
