package nn_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/sdeml/sdeml/nn"
)

// A U-Net for 28×28 grey images conditioned on a noise level: the input has a second,
// constant channel holding the noise feature; the output has the image's shape.
func ExampleNewUNet() {
	g, err := nn.NewUNet(nn.UNet{C: 1, H: 28, W: 28, Widths: []int{16, 32, 32}})
	if err != nil {
		fmt.Println(err)
		return
	}
	w := make([]float64, g.NumParams())
	nn.InitUNet(g, w, rand.NewPCG(1, 2), 1e-2)
	x := make([]float64, 2*g.InDim()) // two images: pixels 0, noise feature 0
	out := make([]float64, 2*g.OutDim())
	g.NewPass(nil).Forward(out, w, x)
	fmt.Println(g.In, "→", g.OutShape(), "parameters:", g.NumParams())
	_, err = nn.NewUNet(nn.UNet{C: 1, H: 28, W: 28, Widths: []int{16, 32, 32, 64}})
	fmt.Println(err)
	// Output:
	// 2×28×28 (C×H×W) → 1×28×28 (C×H×W) parameters: 134497
	// nn: UNet.H = 28: 4 levels need a height divisible by 8
}
