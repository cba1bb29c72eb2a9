package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats"
)

// TestGraphSupervised32Bound checks GraphSupervised32's loss and every gradient entry
// against GraphSupervised's (float64) within the first-order float32 rounding bounds of
// graphBound32, on small residual networks with odd shapes (stride-2 convolutions on
// 7×5 images, batches of 11 and 13 samples: a full chunk of 8 and a partial one), in
// training mode (batch statistics, dropout) and evaluation mode (running statistics).
// The reference's exact values are checked against the float64 objective too.
func TestGraphSupervised32Bound(t *testing.T) {
	// A residual network with every node kind of nn.ResNet, shallow enough (three
	// BatchNorms deep) that the worst-case bound stays far below the values: the bound
	// multiplies by about 5 per BatchNorm in training mode (the variance's sensitivity),
	// so on ResNet-8 it would exceed the values themselves.
	g, err := NewGraph(Shape{C: 2, H: 7, W: 5},
		Node{Layer: Conv2D{Out: 3, Kernel: 3, Stride: 1, Pad: 1}},         // 0
		Node{Layer: BatchNorm{}},                                          // 1
		Node{Layer: Activate{Act: ReLU}},                                  // 2
		Node{Layer: Conv2D{Out: 3, Kernel: 3, Stride: 1, Pad: 1}},         // 3: ∂/∂x by the flipped kernel
		Node{Layer: Conv2D{Out: 4, Kernel: 3, Stride: 2, Pad: 1}},         // 4: 4×3 pixels, ∂/∂x by col2im
		Node{Layer: BatchNorm{}},                                          // 5
		Node{Layer: Activate{Act: ReLU}},                                  // 6
		Node{Layer: Conv2D{Out: 4, Kernel: 1, Stride: 2}, From: []int{2}}, // 7: projection shortcut
		Node{Layer: BatchNorm{}},                                          // 8
		Node{Layer: Add{}, From: []int{6, 8}},                             // 9
		Node{Layer: Activate{Act: ReLU}},                                  // 10
		Node{Layer: GlobalAvgPool{}},                                      // 11
		Node{Layer: Flatten{}},                                            // 12
		Node{Layer: Dropout{Rate: 0.3}},                                   // 13
		Node{Layer: Dense{Out: 4}},                                        // 14
	)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		batch int
		eval  bool
	}{
		{"train", 11, false},
		{"train, 13 samples", 13, false},
		{"eval", 11, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			checkGraph32Draw(t, g, 4, c.batch, c.eval, 0)
		})
	}
}

// checkGraph32Draw runs one draw of TestGraphSupervised32Bound.
func checkGraph32Draw(t *testing.T, g *Graph, classes, batch int, eval bool, draw uint64) {
	data := randomData(11+draw, 30, g.InDim(), classes)
	w := make([]float64, g.NumParams())
	g.Init(w, He, rand.NewPCG(5, 6+draw))
	rng := rand.New(rand.NewPCG(7, 8+draw))
	for j := range g.nodes { // non-trivial γ, β
		if gn := &g.nodes[j]; gn.kind == gBN {
			for q := gn.off; q < gn.off+gn.np; q++ {
				w[q] += 0.3 * rng.NormFloat64()
			}
		}
	}
	o64, err := NewGraphSupervised(g, data, SoftmaxCE{})
	if err != nil {
		t.Fatal(err)
	}
	o64.Seed = 3
	o64.LossGradUpdate(nil, w, seq(20)) // running statistics moved once (Step 1)
	for range 3 {
		o64.LossGradUpdate(nil, w, seq(20)[5:])
	}
	o32, err := NewGraphSupervised32(g, data, SoftmaxCE{})
	if err != nil {
		t.Fatal(err)
	}
	o32.State, o32.Seed, o32.Eval, o64.Eval = o64.State, 3, eval, eval
	idx := make([]int, batch)
	for i := range idx {
		idx[i] = (7*i + 3) % data.Len()
	}
	g64, g32 := make([]float64, len(w)), make([]float64, len(w))
	l64, l32 := o64.LossGrad(g64, w, idx), o32.LossGrad(g32, w, idx)
	lref, lossTol, gref, gradTol, flips, worstRel := graphBound32(g, w, data, idx, o64.State, eval, 3, o64.State.Step)
	if worstRel > 1e-2 {
		t.Fatalf("relative error bound %g of a value: the first-order bound needs it small", worstRel)
	}
	// The reference is plain float64 code: it agrees with the float64 objective to
	// its rounding, far below the float32 bounds (1e-9 of them).
	if math.Abs(lref-l64) > 1e-12*math.Abs(l64) {
		t.Fatalf("reference loss %v, float64 objective %v", lref, l64)
	}
	for i := range w {
		if math.Abs(gref[i]-g64[i]) > 1e-9*gradTol[i]+1e-15 {
			t.Fatalf("reference grad[%d] = %v, float64 objective %v (bound %g)", i, gref[i], g64[i], gradTol[i])
		}
	}
	if d := math.Abs(l32 - l64); d > lossTol {
		t.Errorf("loss %v vs float64 %v: |diff| %g > bound %g", l32, l64, d, lossTol)
	}
	worst, nz := 0.0, 0
	for i := range w {
		d := math.Abs(g32[i] - g64[i])
		if d > gradTol[i] {
			t.Fatalf("grad[%d] = %v vs float64 %v: |diff| %g > bound %g", i, g32[i], g64[i], d, gradTol[i])
		}
		if gradTol[i] > 0 {
			worst = max(worst, d/gradTol[i])
		}
		if g32[i] != g64[i] {
			nz++
		}
	}
	// A path that silently ran in float64 would match exactly: the float32 rounding
	// must show.
	if nz < len(w)/2 {
		t.Errorf("only %d of %d gradient entries differ from float64's", nz, len(w))
	}
	t.Logf("loss diff %.3g (bound %.3g), worst gradient diff/bound %.3g, %d ReLU masks may flip, value errors below %.3g relative", math.Abs(l32-l64), lossTol, worst, flips, worstRel)
}

// graph32Objective is graphObjective's problem in mixed precision, with its float64 twin.
func graph32Objective(t testing.TB, g *Graph, n int, seed uint64) (*GraphSupervised32, *GraphSupervised, []float64) {
	t.Helper()
	o64, w := graphObjective(t, g, n, SoftmaxCE{}, seed)
	o32, err := NewGraphSupervised32(g, o64.Data, SoftmaxCE{})
	if err != nil {
		t.Fatal(err)
	}
	o32.Seed = seed
	return o32, o64, w
}

// TestGraphSupervised32DeterministicAcrossProcs checks the same bits of loss, gradient and
// running statistics for GOMAXPROCS 1, 2, 3 and 8, on a graph with every built-in node
// kind and a batch of 5 chunks, in training and evaluation mode.
func TestGraphSupervised32DeterministicAcrossProcs(t *testing.T) {
	run := func(eval bool) []float64 {
		obj, _, w := graph32Objective(t, oddGraph(t), 40, 9)
		obj.Eval = eval
		idx := seq(37)
		g := make([]float64, len(w))
		l := obj.LossGradUpdate(g, w, idx)
		out := append(g, l)
		for b := range obj.State.Mean {
			out = append(append(out, obj.State.Mean[b]...), obj.State.Var[b]...)
		}
		return out
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, eval := range []bool{false, true} {
		runtime.GOMAXPROCS(1)
		g1 := run(eval)
		for _, p := range []int{2, 3, 8} {
			runtime.GOMAXPROCS(p)
			if g := run(eval); !floats.Equal(g, g1) {
				t.Fatalf("eval %v, GOMAXPROCS=%d: results differ from GOMAXPROCS=1", eval, p)
			}
		}
	}
}

// TestGraphSupervised32NoAllocs checks 0 allocations per call in steady state.
func TestGraphSupervised32NoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under -race")
	}
	obj, _, w := graph32Objective(t, oddGraph(t), 40, 9)
	idx := seq(33)
	g, losses := make([]float64, len(w)), make([]float64, len(idx))
	for name, f := range map[string]func(){
		"LossGrad":       func() { obj.LossGrad(g, w, idx) },
		"LossGradUpdate": func() { obj.LossGradUpdate(g, w, idx) },
		"Losses":         func() { obj.Losses(losses, w, idx) },
		"Accuracy":       func() { obj.Accuracy(w, idx) },
	} {
		f()
		runtime.GC()
		if a := testing.AllocsPerRun(5, f); a != 0 {
			t.Errorf("%s: %v allocs/op, want 0", name, a)
		}
	}
}

// TestGraphSupervised32BadInput checks the errors and panics of the mixed-precision path.
func TestGraphSupervised32BadInput(t *testing.T) {
	g := oddGraph(t)
	data := randomData(1, 3, g.InDim(), 3)
	data.X.Set(2, 5, 1e39)
	if _, err := NewGraphSupervised32(g, data, SoftmaxCE{}); err == nil || !strings.Contains(err.Error(), "Dataset.X[2][5] = 1e+39 overflows float32") {
		t.Errorf("input beyond float32: error %v", err)
	}
	data.X.Set(2, 5, math.NaN())
	if _, err := NewGraphSupervised32(g, data, SoftmaxCE{}); err == nil || !strings.Contains(err.Error(), "Dataset.X[2,5] = NaN") {
		t.Errorf("NaN input: error %v", err)
	}
	if _, err := NewGraphSupervised32(nil, data, SoftmaxCE{}); err == nil || !strings.Contains(err.Error(), "Net is nil") {
		t.Errorf("nil graph: error %v", err)
	}
	obj, _, w := graph32Objective(t, g, 4, 1)
	for _, c := range []struct {
		name string
		f    func()
		want string
	}{
		{"one sample in training mode", func() { obj.LossGrad(nil, w, []int{0}) }, "nn: BatchNorm in training mode needs a batch of at least 2 samples, got len(idx) = 1"},
		{"short w", func() { obj.LossGrad(nil, w[1:], []int{0, 1}) }, "nn: len(w) ="},
		{"short grad", func() { obj.LossGrad(make([]float64, 3), w, []int{0, 1}) }, "nn: len(grad) = 3"},
		{"index out of range", func() { obj.LossGrad(nil, w, []int{0, 9}) }, "nn: sample index 9 out of range [0, 4)"},
		{"empty idx", func() { obj.LossGrad(nil, w, nil) }, "nn: LossGrad with empty idx"},
		{"wrong state", func() {
			o, _ := NewGraphSupervised32(g, obj.Data, SoftmaxCE{})
			o.State = &GraphState{}
			o.LossGrad(nil, w, []int{0, 1})
		}, "nn: GraphSupervised32.State"},
	} {
		func() {
			defer func() {
				if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), c.want) {
					t.Errorf("%s: panic %v, want %q", c.name, r, c.want)
				}
			}()
			c.f()
		}()
	}
	if mb := obj.MinBatch(); mb != 2 {
		t.Errorf("MinBatch = %d in training mode with BatchNorm, want 2", mb)
	}
}

// TestGraphSupervised32AllLayers checks the mixed-precision objective on the graph with
// every built-in node kind (MaxPool, AvgPool, Concat, a three-input Add, Tanh and GELU
// activations, a Dense layer with Tanh, BatchNorm after Dense) against the float64 one,
// normwise, in both modes, with the tolerance of TestGraphPass32UNet: 10·Σ_l (k_l + 2)·u
// over the products of the graph. The exact per-entry bounds of
// TestGraphSupervised32Bound cover the ResNet node kinds only.
func TestGraphSupervised32AllLayers(t *testing.T) {
	g := oddGraph(t)
	tol := 0.0
	for j := range g.nodes {
		if gn := &g.nodes[j]; gn.kind == gStage && gn.st.kind == stageConv {
			tol += float64(gn.st.k + 2)
		}
	}
	tol *= 10 * 0x1p-24
	for _, eval := range []bool{false, true} {
		o32, o64, w := graph32Objective(t, g, 40, 9)
		randomizeState(o64.State, 4)
		o32.State, o32.Eval, o64.Eval = o64.State, eval, eval
		idx := seq(37)
		g64, g32 := make([]float64, len(w)), make([]float64, len(w))
		l64, l32 := o64.LossGrad(g64, w, idx), o32.LossGrad(g32, w, idx)
		num, den := 0.0, 0.0
		for i := range w {
			num += (g32[i] - g64[i]) * (g32[i] - g64[i])
			den += g64[i] * g64[i]
		}
		e := math.Sqrt(num / den)
		if el := math.Abs(l32-l64) / l64; !(el <= tol) {
			t.Errorf("eval %v: loss %v vs float64 %v: relative difference %.3g > %.3g", eval, l32, l64, el, tol)
		}
		if !(e > 0 && e <= tol) {
			t.Errorf("eval %v: gradient relative difference %.3g, want in (0, %.3g]", eval, e, tol)
		}
		t.Logf("eval %v: gradient relative difference %.3g (tolerance %.3g)", eval, e, tol)
	}
}
