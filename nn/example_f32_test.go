package nn_test

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/sdeml/sdeml/nn"
)

// The mixed-precision objective beside the float64 one: same parameters (float64, the
// master copy), same contract, a gradient that differs by float32 rounding only.
func ExampleSupervised32() {
	data, _ := nn.GaussianMixture(512, 20, 4, 3, rand.NewPCG(1, 0))
	net, _ := nn.NewMLP([]int{20, 64, 64, 4}, nn.ReLU, nn.Identity)
	w := make([]float64, net.NumParams())
	net.Init(w, nn.He, rand.NewPCG(2, 0))
	obj64, _ := nn.NewSupervised(net, data, nn.SoftmaxCE{})
	obj32, _ := nn.NewSupervised32(net, data, nn.SoftmaxCE{})

	batch := make([]int, 128)
	for i := range batch {
		batch[i] = i
	}
	g64, g32 := make([]float64, len(w)), make([]float64, len(w))
	l64 := obj64.LossGrad(g64, w, batch)
	l32 := obj32.LossGrad(g32, w, batch)
	num, den := 0.0, 0.0
	for i := range w {
		num += (g32[i] - g64[i]) * (g32[i] - g64[i])
		den += g64[i] * g64[i]
	}
	fmt.Printf("loss float64 %.5f, mixed %.5f\n", l64, l32)
	fmt.Printf("relative gradient difference below 1e-5: %v\n", math.Sqrt(num/den) < 1e-5)
	// Output:
	// loss float64 1.71195, mixed 1.71195
	// relative gradient difference below 1e-5: true
}
