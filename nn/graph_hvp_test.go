package nn

import (
	"testing"
)

// TestGraphHessian checks nn.HVP on a Graph with BatchNorm in training mode (the exact
// R-operator of GraphSupervised.HVP, through the batch statistics) against gonum's
// fd.Hessian of the loss values, an independent second-order difference.
func TestGraphHessian(t *testing.T) {
	g, err := NewGraph(Shape{C: 1, H: 4, W: 3},
		Node{Layer: Conv2D{Out: 2, Kernel: 3, Stride: 1, Pad: 1}},
		Node{Layer: BatchNorm{}},
		Node{Layer: Activate{Act: Tanh}},
		Node{Layer: Add{}, From: []int{2, 0}},
		Node{Layer: GlobalAvgPool{}},
		Node{Layer: Flatten{}},
		Node{Layer: Dense{Out: 3}},
	)
	if err != nil {
		t.Fatal(err)
	}
	obj, w := graphObjective(t, g, 6, SoftmaxCE{}, 12)
	idx := seq(6)
	// fd.Hessian errs by ~1e-8 per entry (step 1e-4); nn.HVP is exact up to rounding:
	// 1e-5 relative leaves margin.
	if e := hvpFDHessianErr(obj, w, idx); e > 1e-5 {
		t.Errorf("relative error %.3g", e)
	}
}
