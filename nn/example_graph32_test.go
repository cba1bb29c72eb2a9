package nn_test

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/sdeml/sdeml/nn"
	"github.com/sdeml/sdeml/sam"
)

// A residual network trained in mixed precision: GraphSupervised32 takes the place of
// GraphSupervised in the optimizers of package sam, and agrees with it to float32
// rounding.
func ExampleGraphSupervised32() {
	g, _ := nn.ResNet{Width: 4, Blocks: []int{1, 1}, Classes: 3}.Graph(nn.Shape{C: 1, H: 8, W: 8})
	rng := rand.New(rand.NewPCG(1, 2))
	X := mat.NewDense(64, g.InDim(), nil)
	labels := make([]int, 64)
	for i := range labels {
		labels[i] = i % 3
		for j := range g.InDim() {
			X.Set(i, j, rng.NormFloat64()+float64(labels[i])*float64(j%3)) // class-dependent pattern
		}
	}
	data := &nn.Dataset{X: X, Labels: labels}
	w := make([]float64, g.NumParams())
	g.Init(w, nn.He, rand.NewPCG(3, 4))
	obj64, _ := nn.NewGraphSupervised(g, data, nn.SoftmaxCE{})
	obj32, _ := nn.NewGraphSupervised32(g, data, nn.SoftmaxCE{})

	batch := make([]int, 32)
	for i := range batch {
		batch[i] = i
	}
	g64, g32 := make([]float64, len(w)), make([]float64, len(w))
	l64, l32 := obj64.LossGrad(g64, w, batch), obj32.LossGrad(g32, w, batch)
	num, den := 0.0, 0.0
	for i := range w {
		num += (g32[i] - g64[i]) * (g32[i] - g64[i])
		den += g64[i] * g64[i]
	}
	fmt.Printf("loss float64 %.5f, mixed %.5f\n", l64, l32)
	fmt.Printf("relative gradient difference below 1e-5: %v\n", math.Sqrt(num/den) < 1e-5)

	opt := &sam.SAM{Base: &sam.SGD{LR: 0.05, Momentum: 0.9}, Rho: 0.05, Micro: 8}
	for step := range 30 {
		if _, err := opt.Step(w, obj32, batch[:16+16*(step%2)]); err != nil {
			fmt.Println(err)
			return
		}
	}
	eval, _ := obj32.EvalOn(data)
	fmt.Printf("steps taken: %d, training accuracy above 0.5: %v\n", obj32.State.Step, eval.Accuracy(w, batch) > 0.5)
	// Output:
	// loss float64 0.98173, mixed 0.98173
	// relative gradient difference below 1e-5: true
	// steps taken: 30, training accuracy above 0.5: true
}
