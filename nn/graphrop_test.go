package nn

import (
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/sdeml/sdeml/internal/testutil"
)

// TestGraphHVPExact checks GraphSupervised.HVP (the R-operator) against central
// differences of LossGrad, (∇L(w + hv) − ∇L(w − hv))/2h, on graphs of odd shapes that use
// every layer (6×4 inputs of 2 channels, 3-, 5- and 2-channel layers, a 3×2 stage): BatchNorm in training mode (where the batch statistics depend on every
// sample: the differences move them too) and in evaluation mode, convolutions with and
// without a fused activation, strided and 1×1 shortcuts, Add, Concat, Upsample, the pools,
// Dropout, GlobalAvgPool and Dense, with smooth activations (no kinks within the step)
// and with ReLU. The difference errs by about h²‖∇³L‖/6 + ε‖∇L‖/h; h = 1e-4 puts both near
// 1e-9 relative here, so 1e-6 leaves a wide margin while a wrong term (e.g. R{σ²} or R{s}
// dropped, which changes the result by O(1) relative) fails by orders of magnitude.
func TestGraphHVPExact(t *testing.T) {
	in := Shape{C: 2, H: 6, W: 4}
	smooth := []Node{
		{Layer: Conv2D{Out: 3, Kernel: 3, Stride: 1, Pad: 1, Act: Tanh}},
		{Layer: BatchNorm{}},
		{Layer: Activate{Act: GELU}},
		{Layer: Conv2D{Out: 3, Kernel: 3, Stride: 1, Pad: 1}},
		{Layer: BatchNorm{Eps: 1e-3}},
		{Layer: Add{}, From: []int{4, 2}},
		{Layer: Activate{Act: Sigmoid}},
		{Layer: Conv2D{Out: 5, Kernel: 1, Stride: 2, Pad: 0}, From: []int{6}},
		{Layer: BatchNorm{}},
		{Layer: Upsample{Factor: 2}},
		{Layer: Conv2D{Out: 2, Kernel: 3, Stride: 1, Pad: 1, Act: Tanh}, From: []int{6}},
		{Layer: Concat{}, From: []int{10, 9, 6}},
		{Layer: AvgPool{Size: 2, Stride: 1}},
		{Layer: GlobalAvgPool{}},
		{Layer: Flatten{}},
		{Layer: Dropout{Rate: 0.3}},
		{Layer: Dense{Out: 4, Act: Tanh}},
		{Layer: BatchNorm{}},
		{Layer: Dense{Out: 3}},
	}
	relu := []Node{
		{Layer: Conv2D{Out: 4, Kernel: 3, Stride: 1, Pad: 1}},
		{Layer: BatchNorm{}},
		{Layer: Activate{Act: ReLU}},
		{Layer: Conv2D{Out: 4, Kernel: 3, Stride: 2, Pad: 1}},
		{Layer: BatchNorm{}},
		{Layer: Conv2D{Out: 4, Kernel: 1, Stride: 2, Pad: 0}, From: []int{2}},
		{Layer: BatchNorm{}},
		{Layer: Add{}, From: []int{4, 6}},
		{Layer: Activate{Act: ReLU}},
		{Layer: MaxPool{Size: 2, Stride: 1}},
		{Layer: GlobalAvgPool{}},
		{Layer: Flatten{}},
		{Layer: Dense{Out: 3}},
	}
	for _, c := range []struct {
		name  string
		nodes []Node
		loss  Loss
		n     int
		eval  bool
	}{
		{"smooth/train/softmax", smooth, SoftmaxCE{Smoothing: 0.1}, 7, false},
		{"smooth/eval/softmax", smooth, SoftmaxCE{}, 7, true},
		{"smooth/train/mse", smooth, MSE{}, 5, false},
		{"relu/train/softmax", relu, SoftmaxCE{}, 9, false},
		{"resnet/train", nil, SoftmaxCE{}, 6, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			var g *Graph
			var err error
			if c.nodes == nil {
				g, err = ResNet{Width: 3, Blocks: []int{1, 2}, Classes: 3}.Graph(Shape{C: 1, H: 7, W: 5})
			} else {
				g, err = NewGraph(in, c.nodes...)
			}
			if err != nil {
				t.Fatal(err)
			}
			obj, w := graphObjective(t, g, 2*c.n+1, c.loss, 5)
			randomizeState(obj.State, 6)
			obj.Eval = c.eval
			obj.State.Step = 3
			idx := make([]int, c.n)
			for i := range idx {
				idx[i] = 2*i + 1
			}
			rng := rand.New(rand.NewPCG(7, 8))
			v := make([]float64, len(w))
			for i := range v {
				v[i] = rng.NormFloat64()
			}
			got := make([]float64, len(w))
			obj.HVP(got, w, v, idx)
			want := make([]float64, len(w))
			(&Hessian{Obj: obj, Difference: true, Step: 1e-4}).MulVec(want, w, v, idx)
			e := testutil.RelErr(got, want)
			t.Logf("rel err %.3g", e)
			if e > 1e-6 {
				t.Errorf("relative error %.3g against central differences", e)
			}
			// The same bits for any GOMAXPROCS, and no allocation in steady state.
			again := make([]float64, len(w))
			procs := runtime.GOMAXPROCS(1)
			obj.HVP(again, w, v, idx)
			runtime.GOMAXPROCS(procs)
			for i := range got {
				if got[i] != again[i] {
					t.Fatalf("HVP[%d] = %v with GOMAXPROCS=1, %v before", i, again[i], got[i])
				}
			}
			if !raceEnabled {
				if a := testing.AllocsPerRun(3, func() { obj.HVP(again, w, v, idx) }); a != 0 {
					t.Errorf("%v allocations per HVP in steady state", a)
				}
			}
		})
	}
}
