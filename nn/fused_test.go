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

// FuzzFusedArchitectures builds small networks from the fuzzer's bytes (input shape, then
// up to five layers: convolutions with any activation, max and average pools, Flatten and
// Dense), and checks, for every network NewSequential accepts, that the fused network
// (ReLU convolutions with their max pools) gives the unfused network's bits for outputs,
// loss, gradient and Hessian-vector product, on integer data where ties are common.
func FuzzFusedArchitectures(f *testing.F) {
	f.Add([]byte{1, 6, 6, 0, 3, 3, 1, 1, 1, 2, 2, 2, 3, 4, 2})
	f.Add([]byte{2, 7, 5, 0, 4, 2, 2, 0, 1, 1, 3, 1, 0, 8, 1, 1, 1, 2, 2, 3, 3, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		at := 0
		next := func() int {
			if at >= len(b) {
				return 0
			}
			at++
			return int(b[at-1])
		}
		in := Shape{C: 1 + next()%3, H: 1 + next()%9, W: 1 + next()%9}
		var layers []Layer
		for range 5 {
			switch next() % 5 {
			case 0:
				layers = append(layers, Conv2D{Out: 1 + next()%9, Kernel: 1 + next()%3, Stride: 1 + next()%2, Pad: next() % 2, Act: Activation(next() % 5)})
			case 1:
				layers = append(layers, MaxPool{Size: 1 + next()%3, Stride: 1 + next()%2})
			case 2:
				layers = append(layers, AvgPool{Size: 1 + next()%2, Stride: 1 + next()%2})
			case 3:
				layers = append(layers, Flatten{}, Dense{Out: 1 + next()%4, Act: Activation(next() % 5)})
			}
		}
		layers = append(layers, Flatten{}, Dense{Out: 3})
		net, err := NewSequential(in, layers...)
		if err != nil || net.NumParams() > 5000 {
			return
		}
		plain := *net
		plain.stages = append([]stage(nil), net.stages...)
		for i := range plain.stages {
			plain.stages[i].fused = false
		}
		rng := rand.New(rand.NewPCG(uint64(len(b)), 1))
		const n = 3
		X := mat.NewDense(n, in.Size(), nil)
		for i := range n {
			for j := range in.Size() {
				X.Set(i, j, float64(rng.IntN(3)-1))
			}
		}
		data := &Dataset{X: X, Labels: []int{0, 1, 2}}
		w, v := make([]float64, net.NumParams()), make([]float64, net.NumParams())
		for i := range w {
			w[i], v[i] = float64(rng.IntN(3)-1)/2, float64(rng.IntN(5)-2)
		}
		var out [2][]float64
		for r, nw := range []*Sequential{net, &plain} {
			obj, err := NewSeqSupervised(nw, data, SoftmaxCE{})
			if err != nil {
				t.Fatal(err)
			}
			g, hv := make([]float64, len(w)), make([]float64, len(w))
			l := obj.LossGrad(g, w, seq(n))
			obj.HVP(hv, w, v, seq(n))
			P := mat.NewDense(n, 3, nil)
			obj.Predict(P, w, seq(n))
			out[r] = append(append(append([]float64{l}, g...), hv...), P.RawMatrix().Data...)
		}
		for i := range out[0] {
			if a, c := out[0][i], out[1][i]; math.Float64bits(a) != math.Float64bits(c) && !(math.IsNaN(a) && math.IsNaN(c)) {
				t.Fatalf("%v %v: value %d fused %v, unfused %v", in, layers, i, a, c)
			}
		}
	})
}
