package nn_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"

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

// A trained U-Net saved with SaveGraph loads back with the same outputs, bit for bit.
func ExampleSaveGraph_uNet() {
	g, _ := nn.NewUNet(nn.UNet{C: 1, H: 8, W: 8, Widths: []int{4, 8}})
	w := make([]float64, g.NumParams())
	nn.InitUNet(g, w, rand.NewPCG(1, 2), 1)
	var buf bytes.Buffer
	if err := nn.SaveGraph(&buf, g, w, nil); err != nil {
		fmt.Println(err)
		return
	}
	g2, w2, _, err := nn.LoadGraph(&buf)
	if err != nil {
		fmt.Println(err)
		return
	}
	x := make([]float64, g.InDim())
	for i := range x {
		x[i] = float64(i%7) / 7
	}
	a, b := make([]float64, g.OutDim()), make([]float64, g.OutDim())
	g.NewPass(nil).Forward(a, w, x)
	g2.NewPass(nil).Forward(b, w2, x)
	fmt.Println("same nodes:", reflect.DeepEqual(g.Nodes, g2.Nodes), "same parameters:", slices.Equal(w, w2), "same outputs:", slices.Equal(a, b))
	// Output:
	// same nodes: true same parameters: true same outputs: true
}
