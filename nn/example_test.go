package nn_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/sdeml/sdeml/nn"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// A 2-2-1 network with hand-set weights: f(x) = relu(x₁ − x₂) + relu(x₂ − x₁) = |x₁ − x₂|.
func ExampleMLP_Forward() {
	net, _ := nn.NewMLP([]int{2, 2, 1}, nn.ReLU, nn.Identity)
	w := make([]float64, net.NumParams()) // W₁ (2×2), b₁ (2), W₂ (1×2), b₂ (1)
	W1, _ := net.Layer(w, 0)
	W1.Copy(mat.NewDense(2, 2, []float64{1, -1, -1, 1}))
	W2, _ := net.Layer(w, 1)
	W2.Copy(mat.NewDense(1, 2, []float64{1, 1}))

	x := mat.NewDense(3, 2, []float64{3, 1, -2, 2, 0.5, 0.5})
	out := mat.NewDense(3, 1, nil)
	net.Forward(out, w, x, net.NewWorkspace(3))
	fmt.Println(mat.Col(nil, 0, out))
	// Output:
	// [2 4 0]
}

// Training a classifier on a Gaussian mixture with plain minibatch SGD.
func ExampleSupervised() {
	data, _ := nn.GaussianMixture(1000, 2, 3, 3, rand.NewPCG(1, 0))
	net, _ := nn.NewMLP([]int{2, 32, 3}, nn.Tanh, nn.Identity)
	w := make([]float64, net.NumParams())
	net.Init(w, nn.Glorot, rand.NewPCG(2, 0))
	obj, _ := nn.NewSupervised(net, data, nn.SoftmaxCE{})

	all := make([]int, data.Len())
	for i := range all {
		all[i] = i
	}
	fmt.Printf("before: loss %.2f\n", obj.LossGrad(nil, w, all))
	batches, _ := nn.NewBatcher(data.Len(), 50, rand.NewPCG(3, 0))
	grad := make([]float64, len(w))
	for step := 0; step < 400; step++ {
		obj.LossGrad(grad, w, batches.Next())
		for i := range w {
			w[i] -= 0.1 * grad[i]
		}
	}
	fmt.Printf("after:  loss %.2f, accuracy %.2f\n", obj.LossGrad(nil, w, all), obj.Accuracy(w, all))
	// Output:
	// before: loss 1.20
	// after:  loss 0.07, accuracy 0.97
}

// Per-sample gradient norms, and the first one checked against the explicit gradient.
func ExampleSupervised_PerSampleGradNorms() {
	data, _ := nn.GaussianMixture(4, 3, 2, 1, rand.NewPCG(4, 0))
	net, _ := nn.NewMLP([]int{3, 5, 2}, nn.ReLU, nn.Identity)
	w := make([]float64, net.NumParams())
	net.Init(w, nn.He, rand.NewPCG(5, 0))
	obj, _ := nn.NewSupervised(net, data, nn.SoftmaxCE{})

	idx := []int{0, 1, 2, 3}
	norms := make([]float64, 4)
	obj.PerSampleGradNorms(norms, w, idx)
	G := mat.NewDense(4, net.NumParams(), nil)
	obj.PerSampleGrads(G, w, idx)
	fmt.Printf("%.4f\n%.4f\n", norms, mat.Norm(G.RowView(0), 2))
	// Output:
	// [1.9809 1.5300 2.4882 2.3305]
	// 1.9809
}

// The batch gradient and the per-sample gradient norms from one pass: the same gradient as
// LossGrad and the same norms as PerSampleGradNorms.
func ExampleSupervised_LossGradNorms() {
	data, _ := nn.GaussianMixture(4, 3, 2, 1, rand.NewPCG(4, 0))
	net, _ := nn.NewMLP([]int{3, 5, 2}, nn.ReLU, nn.Identity)
	w := make([]float64, net.NumParams())
	net.Init(w, nn.He, rand.NewPCG(5, 0))
	obj, _ := nn.NewSupervised(net, data, nn.SoftmaxCE{})

	idx := []int{0, 1, 2, 3}
	grad, norms := make([]float64, net.NumParams()), make([]float64, 4)
	loss := obj.LossGradNorms(grad, norms, w, idx)
	ref := make([]float64, net.NumParams())
	obj.LossGrad(ref, w, idx)
	fmt.Printf("loss %.4f, ‖grad‖ %.4f, equal to LossGrad: %v\n", loss, floats.Norm(grad, 2), floats.Equal(grad, ref))
	fmt.Printf("%.4f\n", norms)
	// Output:
	// loss 0.7934, ‖grad‖ 1.3664, equal to LossGrad: true
	// [1.9809 1.5300 2.4882 2.3305]
}

// The Hessian of a linear least-squares model is the Gram matrix of the augmented inputs,
// so H·e₁ is its first column.
func ExampleHVP() {
	X := mat.NewDense(2, 1, []float64{1, 3})
	data := &nn.Dataset{X: X, Y: mat.NewDense(2, 1, []float64{0, 1})}
	net, _ := nn.NewMLP([]int{1, 1}, nn.Identity, nn.Identity) // f(x) = a·x + b
	obj, _ := nn.NewSupervised(net, data, nn.MSE{})
	hv := make([]float64, 2)
	nn.HVP(hv, obj, []float64{0.3, -0.2}, []float64{1, 0}, []int{0, 1})
	fmt.Printf("%.6f\n", hv) // ((1²+3²)/2, (1+3)/2)
	// Output:
	// [5.000000 2.000000]
}

// The exact Hessian of a one-unit ReLU network f(x) = v·relu(u·x + c) + d under
// ℓ = ½f² at x = 1, y = 0, (u, c, v, d) = (2, 0, 3, 0): H = ∇f∇fᵀ + f∇²f with f = 6,
// ∇f = (v, v, u+c, 1) = (3, 3, 2, 1) and ∂²f/∂u∂v = 1, so H·e_u = (9, 9, 3·2 + 6, 3).
func ExampleSupervised_HVP() {
	data := &nn.Dataset{X: mat.NewDense(1, 1, []float64{1}), Y: mat.NewDense(1, 1, []float64{0})}
	net, _ := nn.NewMLP([]int{1, 1, 1}, nn.ReLU, nn.Identity)
	obj, _ := nn.NewSupervised(net, data, nn.MSE{})
	hv := make([]float64, 4)
	obj.HVP(hv, []float64{2, 0, 3, 0}, []float64{1, 0, 0, 0}, []int{0})
	fmt.Printf("%.6f\n", hv)
	// Output:
	// [9.000000 9.000000 12.000000 3.000000]
}

// Magnitude pruning to a sparse network, projection into [−B, B], and a save/load round trip.
func ExampleMLP_Prune() {
	net, _ := nn.NewMLP([]int{4, 8, 1}, nn.ReLU, nn.Identity)
	w := make([]float64, net.NumParams())
	net.Init(w, nn.TorchDefault, rand.NewPCG(6, 0))
	fmt.Println("parameters:", net.NumParams(), "nonzero:", net.NonZero(w))
	net.Prune(w, 10)
	net.Project(w, 0.3)
	fmt.Println("after pruning:", net.NonZero(w))

	dir, _ := os.MkdirTemp("", "nn")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "pruned.nn")
	// SaveFile replaces the file atomically: a kill mid-write leaves the previous one.
	if err := nn.SaveFile(path, net, w); err != nil {
		fmt.Println(err)
		return
	}
	file, _ := os.Open(path)
	defer file.Close()
	net2, w2, err := nn.Load(file)
	fmt.Println("loaded:", net2.Sizes, net2.NonZero(w2), err)
	// Output:
	// parameters: 49 nonzero: 49
	// after pruning: 10
	// loaded: [4 8 1] 10 <nil>
}

// The study CNN of docs/REPRODUCTION.md: two convolution + max-pool blocks and a linear head,
// its parameter count and output shape.
func ExampleNewSequential() {
	net, err := nn.NewSequential(nn.Shape{C: 1, H: 28, W: 28},
		nn.Conv2D{Out: 16, Kernel: 3, Stride: 1, Pad: 1, Act: nn.ReLU}, nn.MaxPool{Size: 2, Stride: 2},
		nn.Conv2D{Out: 32, Kernel: 3, Stride: 1, Pad: 1, Act: nn.ReLU}, nn.MaxPool{Size: 2, Stride: 2},
		nn.Flatten{}, nn.Dense{Out: 10})
	if err != nil {
		panic(err)
	}
	// 16·(9+1) + 32·(144+1) + 10·(1568+1) parameters.
	fmt.Println(net.NumParams(), net.OutShape())
	fmt.Println(net) // the summary: one row per layer
	// Output:
	// 20490 10×1×1 (C×H×W)
	// Sequential: input 1×28×28 (C×H×W), 20490 parameters
	// #  layer                                            output    parameters
	// 0  Conv2D(out 16, kernel 3, stride 1, pad 1, ReLU)  16×28×28  160
	// 1  MaxPool(size 2, stride 2)                        16×14×14  0
	// 2  Conv2D(out 32, kernel 3, stride 1, pad 1, ReLU)  32×14×14  4640
	// 3  MaxPool(size 2, stride 2)                        32×7×7    0
	// 4  Flatten                                          1568×1×1  0
	// 5  Dense(out 10, Identity)                          10×1×1    15690
}

// The network of ExampleSupervised_HVP written as a Sequential: a 1×1 convolution on a
// one-pixel image is the first dense layer, so SeqSupervised.HVP gives the same exact
// product H·e_u = (9, 9, 12, 3) (parameters in the order conv W, b, dense W, b).
func ExampleSeqSupervised_HVP() {
	net, _ := nn.NewSequential(nn.Shape{C: 1, H: 1, W: 1}, nn.Conv2D{Out: 1, Kernel: 1, Stride: 1, Act: nn.ReLU},
		nn.Flatten{}, nn.Dense{Out: 1})
	data := &nn.Dataset{X: mat.NewDense(1, 1, []float64{1}), Y: mat.NewDense(1, 1, []float64{0})}
	obj, _ := nn.NewSeqSupervised(net, data, nn.MSE{})
	hv := make([]float64, 4)
	obj.HVP(hv, []float64{2, 0, 3, 0}, []float64{1, 0, 0, 0}, []int{0})
	fmt.Printf("%.6f\n", hv)
	// Output:
	// [9.000000 9.000000 12.000000 3.000000]
}
