package nn

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/sdeml/sdeml/internal/testutil"
)

// oddGraph exercises every Graph layer on odd, non-square shapes: BatchNorm after a
// convolution and after a Dense layer, a strided residual block with a 1×1 shortcut,
// Concat, both pools on the same value, Add of three inputs, global average pooling and
// dropout. Smooth activations keep the finite differences valid.
func oddGraph(t testing.TB) *Graph {
	t.Helper()
	g, err := NewGraph(Shape{C: 2, H: 7, W: 5},
		Node{Layer: Conv2D{Out: 3, Kernel: 3, Stride: 1, Pad: 1}},         // 0: 3×7×5
		Node{Layer: BatchNorm{}},                                          // 1
		Node{Layer: Activate{Act: Tanh}},                                  // 2
		Node{Layer: Conv2D{Out: 4, Kernel: 3, Stride: 2, Pad: 1}},         // 3: 4×4×3
		Node{Layer: BatchNorm{Momentum: 0.2}},                             // 4
		Node{Layer: Conv2D{Out: 4, Kernel: 1, Stride: 2}, From: []int{2}}, // 5: shortcut
		Node{Layer: Add{}, From: []int{4, 5}},                             // 6
		Node{Layer: Activate{Act: GELU}},                                  // 7
		Node{Layer: Concat{}, From: []int{7, 6}},                          // 8: 8×4×3
		Node{Layer: MaxPool{Size: 2, Stride: 1}},                          // 9: 8×3×2
		Node{Layer: AvgPool{Size: 2, Stride: 1}, From: []int{8}},          // 10
		Node{Layer: Add{}, From: []int{9, 10, 9}},                         // 11
		Node{Layer: GlobalAvgPool{}},                                      // 12
		Node{Layer: Dropout{Rate: 0.3}},                                   // 13
		Node{Layer: Flatten{}},                                            // 14
		Node{Layer: Dense{Out: 5, Act: Tanh}},                             // 15
		Node{Layer: BatchNorm{}},                                          // 16
		Node{Layer: Dense{Out: 3}},                                        // 17
	)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func graphObjective(t testing.TB, g *Graph, n int, loss Loss, seed uint64) (*GraphSupervised, []float64) {
	t.Helper()
	obj, err := NewGraphSupervised(g, randomData(seed, n, g.InDim(), g.OutDim()), loss)
	if err != nil {
		t.Fatal(err)
	}
	obj.Seed = seed
	w := make([]float64, g.NumParams())
	g.Init(w, TorchDefault, rand.NewPCG(seed, 9))
	// Move γ and β off 1 and 0 so that their gradients are generic.
	rng := rand.New(rand.NewPCG(seed, 10))
	for i := range w {
		w[i] += 0.1 * rng.NormFloat64()
	}
	return obj, w
}

// randomizeState gives every running statistic a generic value (variances in [0.5, 1.5]).
func randomizeState(st *GraphState, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 3))
	for b := range st.Mean {
		for c := range st.Mean[b] {
			st.Mean[b][c] = 0.3 * rng.NormFloat64()
			st.Var[b][c] = 0.5 + rng.Float64()
		}
	}
}

func TestGraphGradientMatchesFiniteDifferences(t *testing.T) {
	for _, eval := range []bool{false, true} {
		for _, loss := range []Loss{SoftmaxCE{}, MSE{}} {
			t.Run(fmt.Sprintf("eval=%v/%T", eval, loss), func(t *testing.T) {
				obj, w := graphObjective(t, oddGraph(t), 12, loss, 5)
				obj.Eval = eval
				obj.State.Step = 3
				randomizeState(obj.State, 4)
				idx := []int{0, 3, 3, 4, 1, 6, 11, 10, 2, 9, 7} // 11 samples: two chunks, a repeat
				grad := make([]float64, len(w))
				obj.LossGrad(grad, w, idx)
				want := testutil.FDGradient(func(w []float64) float64 { return obj.LossGrad(nil, w, idx) }, w)
				// fdTol (grad_test.go): central differences err by ~1e-10 on O(1) losses.
				if e := testutil.RelErr(grad, want); e > fdTol {
					t.Errorf("relative error %.3g > %g", e, fdTol)
				}
			})
		}
	}
}

// TestGraphPerSampleGrads checks the definition of the per-sample gradient with BatchNorm
// in training mode: row k is the derivative of sample k's loss within the batch (finite
// differences of Losses' entry k, which moves the batch statistics too), and the rows
// average to LossGrad's gradient.
func TestGraphPerSampleGrads(t *testing.T) {
	obj, w := graphObjective(t, oddGraph(t), 12, SoftmaxCE{}, 6)
	idx := []int{5, 0, 3, 8, 11, 2, 7, 1, 9, 4}
	G := mat.NewDense(len(idx), len(w), nil)
	obj.PerSampleGrads(G, w, idx)
	losses := make([]float64, len(idx))
	for k := range idx {
		want := testutil.FDGradient(func(w []float64) float64 { obj.Losses(losses, w, idx); return losses[k] }, w)
		if e := testutil.RelErr(G.RawRowView(k), want); e > fdTol {
			t.Errorf("row %d: relative error %.3g > %g", k, e, fdTol)
		}
	}
	mean := make([]float64, len(w))
	for k := range idx {
		floats.Add(mean, G.RawRowView(k))
	}
	floats.Scale(1/float64(len(idx)), mean)
	grad := make([]float64, len(w))
	obj.LossGrad(grad, w, idx)
	// The two differ by the rounding of sums of ~10 terms of size O(|g|): 1e-12 relative.
	if e := testutil.RelErr(mean, grad); e > 1e-12 {
		t.Errorf("mean of per-sample gradients differs from LossGrad by %.3g", e)
	}
}

// TestGraphMatchesSequential runs a chain as a Graph and as a Sequential: the same losses
// and gradients up to the rounding of the fused ReLU + max pool and the chunked sums, and
// the blocked (graphBlock) path of a call of 150 samples.
func TestGraphMatchesSequential(t *testing.T) {
	layers := []Layer{Conv2D{Out: 3, Kernel: 3, Stride: 1, Pad: 1, Act: ReLU}, MaxPool{2, 2},
		Conv2D{Out: 4, Kernel: 3, Stride: 2, Act: Tanh}, Flatten{}, Dense{Out: 3}}
	in := Shape{C: 1, H: 9, W: 8}
	seqNet, err := NewSequential(in, layers...)
	if err != nil {
		t.Fatal(err)
	}
	nodes := make([]Node, len(layers))
	for i, l := range layers {
		nodes[i] = Node{Layer: l}
	}
	g, err := NewGraph(in, nodes...)
	if err != nil {
		t.Fatal(err)
	}
	if g.NumParams() != seqNet.NumParams() {
		t.Fatalf("NumParams %d, Sequential %d", g.NumParams(), seqNet.NumParams())
	}
	data := randomData(2, 160, in.Size(), 3)
	gobj, err := NewGraphSupervised(g, data, SoftmaxCE{})
	if err != nil {
		t.Fatal(err)
	}
	sobj, err := NewSeqSupervised(seqNet, data, SoftmaxCE{})
	if err != nil {
		t.Fatal(err)
	}
	w := make([]float64, g.NumParams())
	g.Init(w, He, rand.NewPCG(1, 2))
	idx := seq(150)
	g1, g2 := make([]float64, len(w)), make([]float64, len(w))
	l1, l2 := gobj.LossGrad(g1, w, idx), sobj.LossGrad(g2, w, idx)
	// Sums of 150 terms in different groupings: relative differences of order 1e-15.
	if math.Abs(l1-l2) > 1e-13*math.Abs(l2) || testutil.RelErr(g1, g2) > 1e-12 {
		t.Errorf("loss %v vs %v, gradient relative difference %.3g", l1, l2, testutil.RelErr(g1, g2))
	}
	if a, b := gobj.Accuracy(w, idx), sobj.Accuracy(w, idx); a != b {
		t.Errorf("Accuracy %v, Sequential %v", a, b)
	}
	P1, P2 := mat.NewDense(len(idx), 3, nil), mat.NewDense(len(idx), 3, nil)
	gobj.Predict(P1, w, idx)
	sobj.Predict(P2, w, idx)
	// Each output is one chain of products: only the fused bias rounding can differ.
	if !mat.EqualApprox(P1, P2, 1e-13) {
		t.Errorf("Predict differs from Sequential's")
	}
}

// TestBatchNormStatistics checks BatchNorm's forward pass in both modes and the running
// statistics update against sums over the data computed here: with γ = 1, β = 0 and the
// MSE loss against zero targets, Σᵢℓᵢ = ½Σ_c Σ_{i,p} x̂².
func TestBatchNormStatistics(t *testing.T) {
	in := Shape{C: 2, H: 3, W: 2}
	g, err := NewGraph(in, Node{Layer: BatchNorm{Momentum: 0.25}}, Node{Layer: Flatten{}})
	if err != nil {
		t.Fatal(err)
	}
	data := randomData(8, 9, in.Size(), in.Size())
	data.Y.Zero()
	obj, err := NewGraphSupervised(g, data, MSE{})
	if err != nil {
		t.Fatal(err)
	}
	w := make([]float64, g.NumParams())
	g.Init(w, He, rand.NewPCG(1, 1))
	idx := []int{0, 2, 3, 5, 8}
	// Batch statistics by channel c (HWC: entry p·C + c).
	N := float64(len(idx) * in.H * in.W)
	var mean, ss [2]float64
	for _, i := range idx {
		for q := range in.Size() {
			mean[q%2] += data.X.At(i, q) / N
		}
	}
	for _, i := range idx {
		for q := range in.Size() {
			d := data.X.At(i, q) - mean[q%2]
			ss[q%2] += d * d
		}
	}
	const eps = 1e-5
	want := 0.0
	for c := range 2 {
		v := ss[c] / N
		want += 0.5 * N * v / (v + eps)
	}
	got := obj.LossGrad(nil, w, idx) * float64(len(idx))
	// Sums of 30 squares: relative rounding ~1e-15.
	if math.Abs(got-want) > 1e-13*want {
		t.Errorf("training-mode loss sum %v, want %v", got, want)
	}
	obj.LossGradUpdate(nil, w, idx)
	for c := range 2 {
		wm, wv := 0.25*mean[c], 0.75+0.25*ss[c]/(N-1)
		if math.Abs(obj.State.Mean[0][c]-wm) > 1e-15 || math.Abs(obj.State.Var[0][c]-wv) > 1e-15 {
			t.Errorf("channel %d: running (%v, %v), want (%v, %v)", c, obj.State.Mean[0][c], obj.State.Var[0][c], wm, wv)
		}
	}
	if obj.State.Step != 1 {
		t.Errorf("Step = %d after one update, want 1", obj.State.Step)
	}
	ev, err := obj.EvalOn(data)
	if err != nil {
		t.Fatal(err)
	}
	want = 0
	for _, i := range idx {
		for q := range in.Size() {
			c := q % 2
			d := data.X.At(i, q) - obj.State.Mean[0][c]
			want += 0.5 * d * d / (obj.State.Var[0][c] + eps)
		}
	}
	if got := ev.LossGrad(nil, w, idx) * float64(len(idx)); math.Abs(got-want) > 1e-13*want {
		t.Errorf("evaluation-mode loss sum %v, want %v", got, want)
	}
}

// TestDropoutStreams checks that masks depend on (seed, step, sample) only: the same in a
// different batch composition and order, new at the next step, and that the kept
// fraction is 1 − Rate.
func TestDropoutStreams(t *testing.T) {
	in := Shape{C: 1, H: 20, W: 20}
	g, err := NewGraph(in, Node{Layer: Dropout{Rate: 0.25}}, Node{Layer: Flatten{}})
	if err != nil {
		t.Fatal(err)
	}
	data := randomData(3, 30, in.Size(), in.Size())
	data.Y.Zero()
	obj, err := NewGraphSupervised(g, data, MSE{})
	if err != nil {
		t.Fatal(err)
	}
	a, b := make([]float64, 3), make([]float64, 3)
	obj.Losses(a, nil, []int{4, 7, 9})
	l2 := make([]float64, 5)
	obj.Losses(l2, nil, []int{9, 1, 2, 4, 7})
	b[0], b[1], b[2] = l2[3], l2[4], l2[0]
	if !floats.Equal(a, b) {
		t.Errorf("sample losses depend on the batch: %v vs %v", a, b)
	}
	obj.State.Step++
	obj.Losses(b, nil, []int{4, 7, 9})
	if floats.Equal(a, b) {
		t.Errorf("the next step draws the same masks")
	}
	// Kept fraction over 30·400 values: standard deviation √(0.25·0.75/12000) = 0.004, so
	// 0.02 is 5 standard deviations.
	obj.State.Step = 0
	dst := make([]float64, 30)
	obj.Losses(dst, nil, seq(30))
	kept, tot := 0, 0
	ws := obj.get(seq(30))
	defer obj.wss.put(ws)
	obj.run(ws, nil, dst, nil, seq(30), 0, false)
	for _, m := range ws.mask[0][:30*in.Size()] {
		tot++
		if m != 0 {
			kept++
			if m != 1/0.75 {
				t.Fatalf("kept value scaled by %v, want 1/0.75", m)
			}
		}
	}
	if f := float64(kept) / float64(tot); math.Abs(f-0.75) > 0.02 {
		t.Errorf("kept fraction %v, want 0.75", f)
	}
}

func TestGraphDeterministicAcrossProcs(t *testing.T) {
	obj, w := graphObjective(t, oddGraph(t), 40, SoftmaxCE{}, 9)
	idx := seq(37)
	run := func() []float64 {
		g := make([]float64, len(w))
		l := obj.LossGrad(g, w, idx)
		return append(g, l)
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	runtime.GOMAXPROCS(1)
	g1 := run()
	for _, p := range []int{2, 3, 8} {
		runtime.GOMAXPROCS(p)
		if g := run(); !floats.Equal(g, g1) {
			t.Fatalf("GOMAXPROCS=%d: results differ from GOMAXPROCS=1", p)
		}
	}
}

func TestGraphNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under -race")
	}
	obj, w := graphObjective(t, oddGraph(t), 40, SoftmaxCE{}, 9)
	idx := seq(33)
	g, losses := make([]float64, len(w)), make([]float64, len(idx))
	for name, f := range map[string]func(){
		"LossGrad":       func() { obj.LossGrad(g, w, idx) },
		"LossGradUpdate": func() { obj.LossGradUpdate(g, w, idx) },
		"Losses":         func() { obj.Losses(losses, w, idx) },
	} {
		f()
		runtime.GC()
		if a := testing.AllocsPerRun(5, f); a != 0 {
			t.Errorf("%s: %v allocs/op, want 0", name, a)
		}
	}
}

func TestGraphBadInput(t *testing.T) {
	in := Shape{C: 2, H: 4, W: 4}
	for _, c := range []struct {
		nodes []Node
		want  string
	}{
		{[]Node{{Layer: BatchNorm{Momentum: -0.1}}}, "Momentum = -0.1 outside [0, 1]"},
		{[]Node{{Layer: BatchNorm{Momentum: 1.5}}}, "Momentum = 1.5 outside [0, 1]"},
		{[]Node{{Layer: BatchNorm{Momentum: math.NaN()}}}, "Momentum = NaN"},
		{[]Node{{Layer: BatchNorm{Eps: -1}}}, "Eps = -1"},
		{[]Node{{Layer: Dropout{Rate: 1}}}, "Rate = 1 outside [0, 1)"},
		{[]Node{{Layer: Dropout{Rate: -0.5}}}, "Rate = -0.5 outside [0, 1)"},
		{[]Node{{Layer: Conv2D{Out: 3, Kernel: 3, Pad: 1, Stride: 1}}, {Layer: Add{}, From: []int{0, GraphInput}}},
			"node 1 (Add): input 1 (From[1] = -1) has shape 2×4×4 (C×H×W), input 0 has 3×4×4 (C×H×W)"},
		{[]Node{{Layer: MaxPool{2, 2}}, {Layer: Concat{}, From: []int{0, GraphInput}}}, "Concat needs equal sizes"},
		{[]Node{{Layer: Add{}}}, "len(From) = 1: needs at least 2 inputs"},
		{[]Node{{Layer: Flatten{}, From: []int{0}}}, "From[0] = 0: must name an earlier node"},
	} {
		_, err := NewGraph(in, c.nodes...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("NewGraph(%v): error %v, want it to contain %q", c.nodes, err, c.want)
		}
	}
	obj, w := graphObjective(t, oddGraph(t), 4, SoftmaxCE{}, 1)
	func() {
		defer func() {
			if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "nn: BatchNorm in training mode needs a batch of at least 2 samples, got len(idx) = 1") {
				t.Errorf("batch of 1 in training mode: panic %v", r)
			}
		}()
		obj.LossGrad(nil, w, []int{0})
	}()
	obj.Eval = true // evaluation mode takes single samples
	if l := obj.LossGrad(nil, w, []int{0}); math.IsNaN(l) {
		t.Errorf("evaluation-mode loss of one sample is NaN")
	}
	data := randomData(1, 3, oddGraph(t).InDim(), 3)
	data.X.Set(1, 4, math.NaN())
	if _, err := NewGraphSupervised(oddGraph(t), data, SoftmaxCE{}); err == nil || !strings.Contains(err.Error(), "Dataset.X[1,4] = NaN") {
		t.Errorf("NaN input: error %v", err)
	}
}

// unetGraph is a one-level U-Net: an encoder convolution, a max pool, a bottleneck, a
// nearest-neighbour upsampling, the skip connection concatenated, a decoder convolution.
func unetGraph(t testing.TB) *Graph {
	t.Helper()
	g, err := NewGraph(Shape{C: 2, H: 6, W: 4},
		Node{Layer: Conv2D{Out: 3, Kernel: 3, Stride: 1, Pad: 1, Act: Tanh}}, // 0: 3×6×4
		Node{Layer: MaxPool{Size: 2, Stride: 2}},                             // 1: 3×3×2
		Node{Layer: Conv2D{Out: 4, Kernel: 3, Stride: 1, Pad: 1}},            // 2: 4×3×2
		Node{Layer: BatchNorm{}},                                             // 3
		Node{Layer: Activate{Act: GELU}},                                     // 4
		Node{Layer: Upsample{Factor: 2}},                                     // 5: 4×6×4
		Node{Layer: Concat{}, From: []int{5, 0}},                             // 6: 7×6×4
		Node{Layer: Conv2D{Out: 2, Kernel: 3, Stride: 1, Pad: 1, Act: Tanh}}, // 7: 2×6×4
		Node{Layer: Flatten{}},                                               // 8: 48
	)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// TestGraphUNet checks the U-Net's gradient against finite differences (MSE to image
// targets, both modes), Upsample's forward pass by its definition, and a save/load round
// trip.
func TestGraphUNet(t *testing.T) {
	for _, eval := range []bool{false, true} {
		obj, w := graphObjective(t, unetGraph(t), 10, MSE{}, 7)
		obj.Eval = eval
		randomizeState(obj.State, 2)
		idx := []int{0, 2, 9, 4, 4, 1, 7, 3, 8, 6, 5}
		grad := make([]float64, len(w))
		obj.LossGrad(grad, w, idx)
		want := testutil.FDGradient(func(w []float64) float64 { return obj.LossGrad(nil, w, idx) }, w)
		// fdTol (grad_test.go).
		if e := testutil.RelErr(grad, want); e > fdTol {
			t.Errorf("eval=%v: relative error %.3g > %g", eval, e, fdTol)
		}
	}
	g, err := NewGraph(Shape{C: 2, H: 2, W: 3}, Node{Layer: Upsample{Factor: 2}}, Node{Layer: Flatten{}})
	if err != nil {
		t.Fatal(err)
	}
	data := randomData(1, 1, 12, 48)
	obj, err := NewGraphSupervised(g, data, MSE{})
	if err != nil {
		t.Fatal(err)
	}
	ws := obj.get(seq(30))
	obj.pass(ws, nil, []int{0}, 0, false, 1)
	for h := range 4 {
		for w := range 6 {
			for c := range 2 {
				if got, want := ws.val[1][(h*6+w)*2+c], data.X.At(0, ((h/2)*3+w/2)*2+c); got != want {
					t.Fatalf("Upsample (%d, %d, %d) = %v, want %v", h, w, c, got, want)
				}
			}
		}
	}
	var buf bytes.Buffer
	u := unetGraph(t)
	w := make([]float64, u.NumParams())
	if err := SaveGraph(&buf, u, w, nil); err != nil {
		t.Fatal(err)
	}
	if g2, _, _, err := LoadGraph(&buf); err != nil || g2.NumParams() != u.NumParams() || g2.Nodes[5].Layer != (Upsample{Factor: 2}) {
		t.Errorf("U-Net round trip: %v", err)
	}
	if _, err := NewGraph(Shape{C: 1, H: 2, W: 2}, Node{Layer: Upsample{}}); err == nil || !strings.Contains(err.Error(), "Factor = 0 outside [1, 4096]") {
		t.Errorf("Upsample{}: error %v", err)
	}
}
