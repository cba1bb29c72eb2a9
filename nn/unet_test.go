package nn

import (
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	"github.com/sdeml/sdeml/internal/testutil"
)

// condGraph exercises the U-Net layers on odd shapes: GroupNorm with 3 groups of 2
// channels and with the default groups, SiLU, a Fourier embedding of one channel's mean,
// ScaleShift by a Dense layer of it, Channels, Upsample and Concat.
func condGraph(t testing.TB) *Graph {
	t.Helper()
	g, err := NewGraph(Shape{C: 3, H: 5, W: 3},
		Node{Layer: Channels{From: 2, To: 3}},                                      // 0: 1×5×3
		Node{Layer: GlobalAvgPool{}},                                               // 1: 1×1×1
		Node{Layer: Fourier{Freqs: 3, MaxFreq: 4}},                                 // 2: 7
		Node{Layer: Dense{Out: 12}},                                                // 3
		Node{Layer: Conv2D{Out: 6, Kernel: 3, Stride: 1, Pad: 1}, From: []int{-1}}, // 4: 6×5×3
		Node{Layer: GroupNorm{Groups: 3}},                                          // 5
		Node{Layer: ScaleShift{}, From: []int{5, 3}},                               // 6
		Node{Layer: SiLU{}},                                                        // 7
		Node{Layer: AvgPool{Size: 2, Stride: 1}},                                   // 8: 6×4×2
		Node{Layer: Upsample{Factor: 2}},                                           // 9: 6×8×4
		Node{Layer: Channels{From: 1, To: 5}},                                      // 10: 4×8×4
		Node{Layer: GroupNorm{}},                                                   // 11
		Node{Layer: Concat{}, From: []int{11, 9}},                                  // 12
		Node{Layer: Conv2D{Out: 2, Kernel: 3, Stride: 2, Pad: 1}},                  // 13: 2×4×2
	)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// smallUNet is a two-level U-Net on 6×4 images with 2 channels.
func smallUNet(t testing.TB) *Graph {
	t.Helper()
	g, err := NewUNet(UNet{C: 2, H: 6, W: 4, Widths: []int{4, 6}, Groups: 2, Freqs: 2, Embed: 5})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestUNetLayersGradientMatchesFiniteDifferences(t *testing.T) {
	for name, g := range map[string]*Graph{"layers": condGraph(t), "unet": smallUNet(t)} {
		t.Run(name, func(t *testing.T) {
			obj, w := graphObjective(t, g, 12, MSE{}, 7)
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

// TestGraphPassMatchesObjective checks GraphPass against GraphSupervised with MSE: the
// outputs are the same bits as Predict's, and Backward of ∂ℓ/∂out gives LossGrad's
// gradient; then that the pass allocates nothing and gives the same bits for any
// GOMAXPROCS.
func TestGraphPassMatchesObjective(t *testing.T) {
	g := smallUNet(t)
	obj, w := graphObjective(t, g, 20, MSE{}, 8)
	idx := seq(20)
	X := obj.Data.X.RawMatrix().Data
	Y := obj.Data.Y.RawMatrix().Data
	K := g.OutDim()
	p := g.NewPass(nil)
	out := make([]float64, 20*K)
	grad := make([]float64, len(w))
	dOut := make([]float64, 20*K)
	run := func() {
		p.Forward(out, w, X)
		for i := range out {
			dOut[i] = (out[i] - Y[i]) / 20 // MSE: ℓ = ½‖out − y‖², mean over 20 samples
		}
		p.Backward(grad, w, dOut)
	}
	run()
	want := make([]float64, len(w))
	obj.LossGrad(want, w, idx)
	// the same operations in the same order except the loss: equal up to rounding
	if e := testutil.RelErr(grad, want); e > 1e-12 {
		t.Errorf("gradient: relative error %.3g to LossGrad's", e)
	}
	if a := testing.AllocsPerRun(5, run); a != 0 {
		t.Errorf("%v allocs per Forward+Backward, want 0", a)
	}
	keepOut, keepGrad := append([]float64(nil), out...), append([]float64(nil), grad...)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	run()
	for i := range out {
		if math.Float64bits(out[i]) != math.Float64bits(keepOut[i]) {
			t.Fatalf("output %d differs with GOMAXPROCS = 1", i)
		}
	}
	for i := range grad {
		if math.Float64bits(grad[i]) != math.Float64bits(keepGrad[i]) {
			t.Fatalf("gradient %d differs with GOMAXPROCS = 1", i)
		}
	}
}

// TestGroupNormStatistics checks GroupNorm against the definition: with γ = 1, β = 0 each
// group of each sample has mean 0 and variance σ²/(σ² + ε).
func TestGroupNormStatistics(t *testing.T) {
	g, err := NewGraph(Shape{C: 6, H: 3, W: 5}, Node{Layer: GroupNorm{Groups: 2, Eps: 1e-3}})
	if err != nil {
		t.Fatal(err)
	}
	w := make([]float64, g.NumParams())
	g.Init(w, He, rand.NewPCG(1, 1))
	rng := rand.New(rand.NewPCG(2, 2))
	x := make([]float64, 3*g.InDim())
	for i := range x {
		x[i] = 3 + 2*rng.NormFloat64()
	}
	out := make([]float64, len(x))
	g.NewPass(nil).Forward(out, w, x)
	for s := range 3 {
		for grp := range 2 {
			var m, q, mx, qx float64
			for p := range 15 {
				for c := grp * 3; c < grp*3+3; c++ {
					v, u := out[s*90+p*6+c], x[s*90+p*6+c]
					m, q, mx, qx = m+v, q+v*v, mx+u, qx+u*u
				}
			}
			m, mx = m/45, mx/45
			vx := qx/45 - mx*mx
			v := q/45 - m*m
			// sums of 45 values of size ~1: rounding ~1e-14
			if math.Abs(m) > 1e-12 || math.Abs(v-vx/(vx+1e-3)) > 1e-12 {
				t.Errorf("sample %d group %d: mean %g, variance %g, want 0 and %g", s, grp, m, v, vx/(vx+1e-3))
			}
		}
	}
}

func TestUNetBadInput(t *testing.T) {
	for _, c := range []struct {
		u    UNet
		want string
	}{
		{UNet{C: 1, H: 28, W: 28, Widths: []int{8, 8, 8, 8}}, "UNet.H = 28"},
		{UNet{C: 1, H: 28, W: 30, Widths: []int{8, 8, 8}}, "UNet.W = 30"},
		{UNet{C: 0, H: 28, W: 28}, "UNet.C = 0"},
		{UNet{C: 1, H: 28, W: 28, Widths: []int{12, 16}, Groups: 8}, "UNet.Groups = 8 does not divide Widths[0] = 12"},
		{UNet{C: 1, H: 28, W: 28, Widths: []int{8, 0}}, "UNet.Widths[1] = 0"},
	} {
		if _, err := NewUNet(c.u); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want %q", c.u, err, c.want)
		}
	}
	for _, c := range []struct {
		n    Node
		want string
	}{
		{Node{Layer: GroupNorm{Groups: 4}}, "Groups = 4"},
		{Node{Layer: Channels{From: 2, To: 7}}, "To = 7"},
		{Node{Layer: Fourier{}}, "Freqs = 0"},
		{Node{Layer: ScaleShift{}, From: []int{-1, -1}}, "want 2·C = 12"},
		{Node{Layer: SiLU{}, From: []int{-1, -1}}, "len(From) = 2"},
	} {
		if _, err := NewGraph(Shape{C: 6, H: 2, W: 3}, c.n); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", layerName(c.n.Layer), err, c.want)
		}
	}
}
