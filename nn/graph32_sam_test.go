package nn_test

import (
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/sdeml/sdeml/nn"
	"github.com/sdeml/sdeml/sam"
)

// TestGraphSupervised32Optimizers runs SGD, SAM and m-SAM steps of package sam on a
// mixed-precision ResNet: each step advances the model state exactly once, at the
// unperturbed parameters on the whole batch (the running statistics after one step are
// the bits of one LossGradUpdate there, so the ascent and perturbed passes left them
// alone), and a few steps lower the training loss.
func TestGraphSupervised32Optimizers(t *testing.T) {
	g, err := nn.ResNet{Width: 4, Blocks: []int{1, 1}, Classes: 3}.Graph(nn.Shape{C: 1, H: 6, W: 6})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	data := &nn.Dataset{X: randDense(rng, 32, g.InDim()), Labels: make([]int, 32)}
	for i := range data.Labels {
		data.Labels[i] = rng.IntN(3)
	}
	w0 := make([]float64, g.NumParams())
	g.Init(w0, nn.He, rand.NewPCG(3, 4))
	batch := make([]int, 16)
	for i := range batch {
		batch[i] = 2 * i
	}
	for _, c := range []struct {
		name string
		opt  func() sam.Optimizer
	}{
		{"SGD", func() sam.Optimizer { return &sam.SGD{LR: 0.05} }},
		{"SAM", func() sam.Optimizer { return &sam.SAM{Base: &sam.SGD{LR: 0.05}, Rho: 0.05} }},
		{"m-SAM4", func() sam.Optimizer { return &sam.SAM{Base: &sam.SGD{LR: 0.05}, Rho: 0.05, Micro: 4} }},
	} {
		t.Run(c.name, func(t *testing.T) {
			obj, err := nn.NewGraphSupervised32(g, data, nn.SoftmaxCE{})
			if err != nil {
				t.Fatal(err)
			}
			ref, _ := nn.NewGraphSupervised32(g, data, nn.SoftmaxCE{})
			ref.LossGradUpdate(nil, w0, batch)
			w := append([]float64(nil), w0...)
			opt := c.opt()
			first, err := opt.Step(w, obj, batch)
			if err != nil {
				t.Fatal(err)
			}
			if obj.State.Step != 1 {
				t.Fatalf("State.Step = %d after one step, want 1", obj.State.Step)
			}
			for b := range obj.State.Mean {
				if !floats.Equal(obj.State.Mean[b], ref.State.Mean[b]) || !floats.Equal(obj.State.Var[b], ref.State.Var[b]) {
					t.Fatalf("BatchNorm %d: running statistics after one step differ from one update at w0", b)
				}
			}
			for range 20 {
				if _, err := opt.Step(w, obj, batch); err != nil {
					t.Fatal(err)
				}
			}
			if last := obj.LossGrad(nil, w, batch); !(last < first) {
				t.Errorf("loss %v after 21 steps, %v at the first", last, first)
			}
		})
	}
}

// randDense returns an r×c matrix of N(0, 1) entries.
func randDense(rng *rand.Rand, r, c int) *mat.Dense {
	m := mat.NewDense(r, c, nil)
	for i := range r {
		for j := range c {
			m.Set(i, j, rng.NormFloat64())
		}
	}
	return m
}
