package nn

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestAccuracyNaN checks that Accuracy at NaN parameters is NaN for both model types (the
// argmax of NaN logits used to fall to class 0, giving the share of class-0 labels), and
// that one NaN parameter in the output bias of one class, which makes every output row
// hold a NaN, also gives NaN.
func TestAccuracyNaN(t *testing.T) {
	data, err := GaussianMixture(200, 2, 3, 3, rand.NewPCG(1, 0))
	if err != nil {
		t.Fatal(err)
	}
	all := make([]int, data.Len())
	for i := range all {
		all[i] = i
	}
	mlp, _ := NewMLP([]int{2, 8, 3}, Tanh, Identity)
	sup, err := NewSupervised(mlp, data, SoftmaxCE{})
	if err != nil {
		t.Fatal(err)
	}
	seq, err := NewSequential(Shape{C: 2, H: 1, W: 1}, Flatten{}, Dense{Out: 8, Act: Tanh}, Dense{Out: 3})
	if err != nil {
		t.Fatal(err)
	}
	seqSup, err := NewSeqSupervised(seq, data, SoftmaxCE{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		n    int
		acc  func(w []float64) float64
	}{
		{"Supervised", mlp.NumParams(), func(w []float64) float64 { return sup.Accuracy(w, all) }},
		{"SeqSupervised", seq.NumParams(), func(w []float64) float64 { return seqSup.Accuracy(w, all) }},
	} {
		w := make([]float64, c.n)
		for i := range w {
			w[i] = math.NaN()
		}
		if a := c.acc(w); !math.IsNaN(a) {
			t.Errorf("%s at NaN weights: accuracy %v, want NaN", c.name, a)
		}
		clear(w)
		w[c.n-1] = math.NaN() // the last output bias: class 2's logit is NaN for every sample
		if a := c.acc(w); !math.IsNaN(a) {
			t.Errorf("%s with a NaN output bias: accuracy %v, want NaN", c.name, a)
		}
		clear(w)
		if a := c.acc(w); math.IsNaN(a) || a < 0 || a > 1 {
			t.Errorf("%s at zero weights: accuracy %v, want a fraction", c.name, a)
		}
	}
}
