package nn_test

import (
	"fmt"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/sdeml/sdeml/nn"
	"github.com/sdeml/sdeml/sam"
)

// A ResNet-8 with batch normalisation trained by SAM through sam.Train, then evaluated in
// evaluation mode (running statistics) on held-out images. The task: are the stripes of
// a noisy 10×10 image horizontal or vertical?
func ExampleResNet() {
	g, err := nn.ResNet{Width: 4, Classes: 2}.Graph(nn.Shape{C: 1, H: 10, W: 10})
	if err != nil {
		panic(err)
	}
	images := func(n int, seed uint64) *nn.Dataset {
		rng := rand.New(rand.NewPCG(seed, 0))
		X := mat.NewDense(n, 100, nil)
		labels := make([]int, n)
		for i := range n {
			labels[i] = rng.IntN(2)
			phase := float64(rng.IntN(2))
			for p := range 100 {
				k := p / 10 // row: horizontal stripes
				if labels[i] == 1 {
					k = p % 10 // column: vertical stripes
				}
				X.Set(i, p, float64(k%2)-phase+0.7*rng.NormFloat64())
			}
		}
		return &nn.Dataset{X: X, Labels: labels}
	}
	train, err := nn.NewGraphSupervised(g, images(256, 1), nn.SoftmaxCE{Smoothing: 0.05})
	if err != nil {
		panic(err)
	}
	test, err := train.EvalOn(images(256, 2)) // shares the running statistics
	if err != nil {
		panic(err)
	}
	w := make([]float64, g.NumParams())
	g.Init(w, nn.He, rand.NewPCG(3, 0))
	opt := &sam.SAM{Base: &sam.SGD{LR: 0.1, Momentum: 0.9, DecoupledWD: 5e-4}, Rho: 0.05}
	if _, err := sam.Train(w, train, opt, &sam.TrainSettings{Epochs: 8, Batch: 32}); err != nil {
		panic(err)
	}
	fmt.Println("parameters:", g.NumParams()) // 9·1·4+4 + 9·4·8+8 + 2·8 + 9·12·1+1
	fmt.Println("steps taken (running statistics updated once per step):", train.State.Step)
	fmt.Println("test accuracy above 0.9:", test.Accuracy(w, seqIdx(256)) > 0.9)
	// Output:
	// parameters: 5090
	// steps taken (running statistics updated once per step): 64
	// test accuracy above 0.9: true
}

func seqIdx(n int) []int {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	return idx
}

// A one-level U-Net as a Graph: an encoder convolution, a max pool, a bottleneck with
// batch normalisation, nearest-neighbour upsampling and the skip connection concatenated
// along the channels before the decoder convolution. From names the input nodes (-1 is the
// graph input; nil means the previous node).
func ExampleNewGraph() {
	g, err := nn.NewGraph(nn.Shape{C: 1, H: 8, W: 8},
		nn.Node{Layer: nn.Conv2D{Out: 4, Kernel: 3, Stride: 1, Pad: 1, Act: nn.ReLU}}, // 0: encoder, 4×8×8
		nn.Node{Layer: nn.MaxPool{Size: 2, Stride: 2}},                                // 1: 4×4×4
		nn.Node{Layer: nn.Conv2D{Out: 8, Kernel: 3, Stride: 1, Pad: 1}},               // 2: bottleneck, 8×4×4
		nn.Node{Layer: nn.BatchNorm{}},                                                // 3
		nn.Node{Layer: nn.Activate{Act: nn.ReLU}},                                     // 4
		nn.Node{Layer: nn.Upsample{Factor: 2}},                                        // 5: 8×8×8
		nn.Node{Layer: nn.Concat{}, From: []int{5, 0}},                                // 6: skip, 12×8×8
		nn.Node{Layer: nn.Conv2D{Out: 1, Kernel: 3, Stride: 1, Pad: 1}},               // 7: decoder, 1×8×8
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("parameters:", g.NumParams()) // 9·1·4+4 + 9·4·8+8 + 2·8 + 9·12·1+1
	fmt.Println("output:", g.OutShape())
	_, err = nn.NewGraph(nn.Shape{C: 1, H: 8, W: 8},
		nn.Node{Layer: nn.MaxPool{Size: 2, Stride: 2}},
		nn.Node{Layer: nn.Add{}, From: []int{0, nn.GraphInput}})
	fmt.Println(err)
	// Output:
	// parameters: 461
	// output: 1×8×8 (C×H×W)
	// nn: Graph node 1 (Add): input 1 (From[1] = -1) has shape 1×8×8 (C×H×W), input 0 has 1×4×4 (C×H×W): Add needs equal shapes
}
