package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestFusedConvPoolBits checks that a ReLU convolution followed by a max pool, which
// NewSequential fuses (the pool takes the activations of its windows from the
// pre-activations, AVX-512 for 2×2 windows over a multiple of 8 channels), gives the bits
// of the same network run unfused (activations formed, then pooled): outputs, losses and
// gradients. Integer weights and inputs make exact ties between window entries common,
// so the first-maximum rule is exercised, as are windows that are all zero after the ReLU.
func TestFusedConvPoolBits(t *testing.T) {
	for _, c := range []struct {
		in         Shape
		out, k     int
		size, step int
	}{
		{Shape{1, 8, 8}, 8, 3, 2, 2},   // asm path (8 channels), padded convolution
		{Shape{2, 7, 9}, 16, 3, 2, 2},  // odd input: the last row and column are not pooled
		{Shape{3, 6, 6}, 3, 3, 2, 2},   // portable 2×2 path (3 channels)
		{Shape{1, 7, 7}, 8, 3, 2, 1},   // overlapping 2×2 windows
		{Shape{2, 9, 9}, 8, 3, 3, 2},   // 3×3 windows: the general loop
		{Shape{1, 10, 10}, 4, 2, 3, 3}, // 3×3 windows, stride 3
	} {
		t.Run(fmt.Sprintf("%v/out%d/pool%dx%d", c.in, c.out, c.size, c.step), func(t *testing.T) {
			net, err := NewSequential(c.in, Conv2D{Out: c.out, Kernel: c.k, Stride: 1, Pad: 1, Act: ReLU},
				MaxPool{c.size, c.step}, Flatten{}, Dense{Out: 3})
			if err != nil {
				t.Fatal(err)
			}
			if !net.stages[0].fused {
				t.Fatal("ReLU convolution + max pool not fused")
			}
			plain := *net
			plain.stages = append([]stage(nil), net.stages...)
			plain.stages[0].fused = false

			rng := rand.New(rand.NewPCG(uint64(c.out), uint64(c.in.Size())))
			const n = 11
			X := mat.NewDense(n, c.in.Size(), nil)
			for i := range n {
				for j := range c.in.Size() {
					X.Set(i, j, float64(rng.IntN(3)))
				}
			}
			data := &Dataset{X: X, Labels: make([]int, n)}
			for i := range data.Labels {
				data.Labels[i] = rng.IntN(3)
			}
			w := make([]float64, net.NumParams())
			for i := range w {
				w[i] = float64(rng.IntN(3) - 1)
			}
			idx := seq(n)
			var results [2]struct {
				loss       float64
				grad, pred []float64
			}
			for r, nw := range []*Sequential{net, &plain} {
				obj, err := NewSeqSupervised(nw, data, SoftmaxCE{})
				if err != nil {
					t.Fatal(err)
				}
				results[r].grad = make([]float64, len(w))
				results[r].loss = obj.LossGrad(results[r].grad, w, idx)
				P := mat.NewDense(n, 3, nil)
				obj.Predict(P, w, idx)
				results[r].pred = P.RawMatrix().Data
			}
			f, u := results[0], results[1]
			if math.Float64bits(f.loss) != math.Float64bits(u.loss) {
				t.Errorf("loss %v fused, %v unfused", f.loss, u.loss)
			}
			for _, v := range []struct {
				name string
				a, b []float64
			}{{"output", f.pred, u.pred}, {"gradient", f.grad, u.grad}} {
				for i := range v.a {
					if math.Float64bits(v.a[i]) != math.Float64bits(v.b[i]) {
						t.Fatalf("%s[%d] = %v fused, %v unfused", v.name, i, v.a[i], v.b[i])
					}
				}
			}
		})
	}
}

// TestFusedNaN checks that a NaN activation reaches the output through a fused pool (a
// NaN weight of the convolution makes every pre-activation NaN).
func TestFusedNaN(t *testing.T) {
	obj, w := studyObjective(t, 4, 7, 1)
	w[0] = math.NaN()
	if l := obj.LossGrad(nil, w, seq(4)); !math.IsNaN(l) {
		t.Fatalf("loss %v with a NaN convolution weight, want NaN", l)
	}
}
