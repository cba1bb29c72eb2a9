package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/sdeml/sdeml/internal/testutil"
)

// seqCase is a small network exercising one shape edge case.
type seqCase struct {
	name   string
	in     Shape
	layers []Layer
}

// seqCases covers padding, stride 2, 1×1 kernels, kernels covering the input, odd and
// non-square sizes, both pools and a Dense-only net. Smooth activations keep the finite
// differences valid (no ReLU kinks, and window maxima are untied for random inputs).
var seqCases = []seqCase{
	{"pad1/maxpool", Shape{1, 6, 6}, []Layer{Conv2D{Out: 3, Kernel: 3, Stride: 1, Pad: 1, Act: Tanh}, MaxPool{2, 2}, Flatten{}, Dense{Out: 3}}},
	{"stride2/odd/avgpool", Shape{2, 7, 7}, []Layer{Conv2D{Out: 3, Kernel: 3, Stride: 2, Act: GELU}, AvgPool{2, 1}, Flatten{}, Dense{Out: 4, Act: Sigmoid}, Dense{Out: 3}}},
	{"1x1/fullkernel", Shape{3, 5, 5}, []Layer{Conv2D{Out: 2, Kernel: 1, Stride: 1, Act: Tanh}, Conv2D{Out: 4, Kernel: 5, Stride: 1, Act: Tanh}, Flatten{}, Dense{Out: 3}}},
	{"nonsquare/pad2/stride2", Shape{1, 5, 4}, []Layer{Conv2D{Out: 2, Kernel: 3, Stride: 2, Pad: 2, Act: Sigmoid}, Conv2D{Out: 2, Kernel: 2, Stride: 1, Pad: 0, Act: Tanh}, MaxPool{2, 1}, Flatten{}, Dense{Out: 3}}},
	{"overlapping maxpool/stride3", Shape{2, 8, 7}, []Layer{Conv2D{Out: 2, Kernel: 2, Stride: 3, Pad: 1, Act: Tanh}, MaxPool{2, 1}, Conv2D{Out: 3, Kernel: 1, Stride: 2, Act: GELU}, Flatten{}, Dense{Out: 3}}},
	{"dense only", Shape{1, 2, 3}, []Layer{Flatten{}, Dense{Out: 4, Act: Tanh}, Dense{Out: 3}}},
}

// seqObjective builds case c on n random samples with loss.
func seqObjective(t testing.TB, c seqCase, n int, loss Loss, seed uint64) (*SeqSupervised, []float64) {
	t.Helper()
	net, err := NewSequential(c.in, c.layers...)
	if err != nil {
		t.Fatal(err)
	}
	obj, err := NewSeqSupervised(net, randomData(seed, n, c.in.Size(), net.OutDim()), loss)
	if err != nil {
		t.Fatal(err)
	}
	w := make([]float64, net.NumParams())
	net.Init(w, TorchDefault, rand.NewPCG(seed, 9))
	return obj, w
}

func TestSeqGradientMatchesFiniteDifferences(t *testing.T) {
	for ci, c := range seqCases {
		for _, loss := range []Loss{SoftmaxCE{}, MSE{}} {
			t.Run(fmt.Sprintf("%s/%T", c.name, loss), func(t *testing.T) {
				obj, w := seqObjective(t, c, 5, loss, uint64(10+ci))
				idx := []int{0, 3, 3, 4, 1}
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

// naiveConv is the convolution of one HWC sample by its definition (Conv2D's doc).
func naiveConv(x []float64, in Shape, c Conv2D, W, b []float64) (out []float64, os Shape) {
	os = Shape{C: c.Out, H: (in.H+2*c.Pad-c.Kernel)/c.Stride + 1, W: (in.W+2*c.Pad-c.Kernel)/c.Stride + 1}
	out = make([]float64, os.Size())
	K := c.Kernel
	for oh := 0; oh < os.H; oh++ {
		for ow := 0; ow < os.W; ow++ {
			for o := 0; o < c.Out; o++ {
				z := b[o]
				for i := 0; i < K; i++ {
					for j := 0; j < K; j++ {
						ih, iw := oh*c.Stride-c.Pad+i, ow*c.Stride-c.Pad+j
						if ih < 0 || ih >= in.H || iw < 0 || iw >= in.W {
							continue
						}
						for ch := 0; ch < in.C; ch++ {
							z += W[o*K*K*in.C+(i*K+j)*in.C+ch] * x[(ih*in.W+iw)*in.C+ch]
						}
					}
				}
				out[(oh*os.W+ow)*c.Out+o] = z
			}
		}
	}
	return out, os
}

// TestConvForwardMatchesDefinition compares im2col + gemm (and both pools) against loops
// written from the definitions.
func TestConvForwardMatchesDefinition(t *testing.T) {
	for _, tc := range []struct {
		in Shape
		c  Conv2D
	}{
		{Shape{2, 5, 6}, Conv2D{Out: 3, Kernel: 3, Stride: 1, Pad: 1}},
		{Shape{1, 7, 7}, Conv2D{Out: 2, Kernel: 3, Stride: 2, Pad: 0}},
		{Shape{3, 4, 5}, Conv2D{Out: 2, Kernel: 1, Stride: 1, Pad: 0}},
		{Shape{2, 3, 3}, Conv2D{Out: 2, Kernel: 4, Stride: 3, Pad: 2}},
	} {
		for _, pool := range []Layer{MaxPool{2, 1}, AvgPool{2, 2}} {
			net, err := NewSequential(tc.in, tc.c, pool, Flatten{})
			if err != nil {
				t.Fatal(err)
			}
			obj, err := NewSeqSupervised(net, randomData(3, 2, tc.in.Size(), net.OutDim()), MSE{})
			if err != nil {
				t.Fatal(err)
			}
			w := make([]float64, net.NumParams())
			net.Init(w, TorchDefault, rand.NewPCG(4, 4))
			got := mat.NewDense(2, net.OutDim(), nil)
			obj.Predict(got, w, []int{0, 1})
			nk := tc.c.Out * tc.c.Kernel * tc.c.Kernel * tc.in.C
			for r := 0; r < 2; r++ {
				z, zs := naiveConv(obj.Data.X.RawRowView(r), tc.in, tc.c, w[:nk], w[nk:])
				want := naivePool(z, zs, pool)
				// Same products, summed in another order: rounding ~1e-16 per term.
				if e := testutil.RelErr(got.RawRowView(r), want); e > 1e-14 {
					t.Errorf("%v %+v %T: relative error %.3g", tc.in, tc.c, pool, e)
				}
			}
		}
	}
}

// naivePool pools an HWC sample by definition (window size k, stride s).
func naivePool(x []float64, in Shape, pool Layer) []float64 {
	k, s, isMax := 0, 0, false
	switch p := pool.(type) {
	case MaxPool:
		k, s, isMax = p.Size, p.Stride, true
	case AvgPool:
		k, s = p.Size, p.Stride
	}
	oh, ow := (in.H-k)/s+1, (in.W-k)/s+1
	out := make([]float64, oh*ow*in.C)
	for i := 0; i < oh; i++ {
		for j := 0; j < ow; j++ {
			for c := 0; c < in.C; c++ {
				v := math.Inf(-1)
				if !isMax {
					v = 0
				}
				for a := 0; a < k; a++ {
					for b := 0; b < k; b++ {
						x := x[((i*s+a)*in.W+j*s+b)*in.C+c]
						if isMax {
							v = max(v, x)
						} else {
							v += x / float64(k*k)
						}
					}
				}
				out[(i*ow+j)*in.C+c] = v
			}
		}
	}
	return out
}

// TestSeqMatchesMLP: Flatten + Dense layers compute exactly what an MLP with the same
// parameter layout computes (an independent implementation of the same network).
func TestSeqMatchesMLP(t *testing.T) {
	mlp, _ := NewMLP([]int{6, 5, 4, 3}, Tanh, Identity)
	net, err := NewSequential(Shape{1, 2, 3}, Flatten{}, Dense{Out: 5, Act: Tanh}, Dense{Out: 4, Act: Tanh}, Dense{Out: 3})
	if err != nil {
		t.Fatal(err)
	}
	data := randomData(5, 9, 6, 3)
	a, _ := NewSupervised(mlp, data, SoftmaxCE{})
	b, _ := NewSeqSupervised(net, data, SoftmaxCE{})
	w := randomParams(mlp, 6)
	idx := []int{0, 2, 4, 8, 8}
	ga, gb := make([]float64, len(w)), make([]float64, len(w))
	la, lb := a.LossGrad(ga, w, idx), b.LossGrad(gb, w, idx)
	// Same products in the same gemm calls; allow rounding of a few ulps.
	if math.Abs(la-lb) > 1e-14*math.Abs(la) || testutil.RelErr(gb, ga) > 1e-14 {
		t.Errorf("loss %v vs MLP %v, gradient relative error %.3g", lb, la, testutil.RelErr(gb, ga))
	}
	na, nb := make([]float64, len(idx)), make([]float64, len(idx))
	a.PerSampleGradNorms(na, w, idx)
	b.PerSampleGradNorms(nb, w, idx)
	if e := testutil.RelErr(nb, na); e > 1e-14 {
		t.Errorf("per-sample norms relative error %.3g", e)
	}
}

// TestSeqPerSampleGradients checks PerSampleGrads, PerSampleGradNorms and LossGradNorms
// against a loop of single-sample LossGrad calls, on cases where the Gram form and the
// direct form of the norm are both used.
func TestSeqPerSampleGradients(t *testing.T) {
	cases := append([]seqCase{{"gram+direct", Shape{1, 6, 6}, []Layer{Conv2D{Out: 8, Kernel: 3, Stride: 1, Pad: 1, Act: Tanh},
		MaxPool{2, 2}, Conv2D{Out: 12, Kernel: 3, Stride: 2, Pad: 1, Act: Tanh}, Flatten{}, Dense{Out: 3}}}}, seqCases...)
	for ci, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			obj, w := seqObjective(t, c, 6, SoftmaxCE{}, uint64(30+ci))
			if ci == 0 {
				s := obj.Net.stages
				if s[0].useGram() || !s[2].useGram() {
					t.Fatalf("case should use the direct form on stage 0 and the Gram form on stage 2")
				}
			}
			idx := []int{5, 0, 2, 2, 1}
			n := len(w)
			want := mat.NewDense(len(idx), n, nil)
			wantNorm := make([]float64, len(idx))
			for k, i := range idx {
				obj.LossGrad(want.RawRowView(k), w, []int{i})
				wantNorm[k] = floats.Norm(want.RawRowView(k), 2)
			}
			got := mat.NewDense(len(idx), n, nil)
			obj.PerSampleGrads(got, w, idx)
			// Same sums in other orders: rounding only.
			if e := testutil.RelErr(got.RawMatrix().Data, want.RawMatrix().Data); e > 1e-13 {
				t.Errorf("PerSampleGrads relative error %.3g", e)
			}
			norms := make([]float64, len(idx))
			obj.PerSampleGradNorms(norms, w, idx)
			if e := testutil.RelErr(norms, wantNorm); e > 1e-13 {
				t.Errorf("PerSampleGradNorms relative error %.3g: %v vs %v", e, norms, wantNorm)
			}
			g1, g2 := make([]float64, n), make([]float64, n)
			l1 := obj.LossGrad(g1, w, idx)
			l2 := obj.LossGradNorms(g2, norms, w, idx)
			if l1 != l2 || !floats.Equal(g1, g2) {
				t.Errorf("LossGradNorms loss/gradient differ from LossGrad's")
			}
			if e := testutil.RelErr(norms, wantNorm); e > 1e-13 {
				t.Errorf("LossGradNorms norms relative error %.3g", e)
			}
		})
	}
}

// studyNet is the small CNN of the benchmarks: two conv+ReLU+maxpool blocks and a linear
// head on 28×28 images.
func studyNet(t testing.TB) *Sequential {
	net, err := NewSequential(Shape{1, 28, 28},
		Conv2D{Out: 16, Kernel: 3, Stride: 1, Pad: 1, Act: ReLU}, MaxPool{2, 2},
		Conv2D{Out: 32, Kernel: 3, Stride: 1, Pad: 1, Act: ReLU}, MaxPool{2, 2},
		Flatten{}, Dense{Out: 10})
	if err != nil {
		t.Fatal(err)
	}
	return net
}

// studyObjective is the study CNN on n random samples (data seed dataSeed, softmax
// cross-entropy) with He-initialised parameters drawn from PCG(initSeed, initSeed).
func studyObjective(t testing.TB, n int, dataSeed, initSeed uint64) (*SeqSupervised, []float64) {
	t.Helper()
	net := studyNet(t)
	obj, err := NewSeqSupervised(net, randomData(dataSeed, n, 784, 10), SoftmaxCE{})
	if err != nil {
		t.Fatal(err)
	}
	w := make([]float64, net.NumParams())
	net.Init(w, He, rand.NewPCG(initSeed, initSeed))
	return obj, w
}

func TestSeqDeterministicAcrossProcs(t *testing.T) {
	obj, w := studyObjective(t, 200, 7, 1)
	idx := seq(150) // two chunks
	run := func() ([]float64, []float64) {
		g, nrm := make([]float64, len(w)), make([]float64, len(idx))
		l := obj.LossGradNorms(g, nrm, w, idx)
		return append(g, l), nrm
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	runtime.GOMAXPROCS(1)
	g1, n1 := run()
	for _, p := range []int{2, 3, 8} {
		runtime.GOMAXPROCS(p)
		g, n := run()
		if !floats.Equal(g, g1) || !floats.Equal(n, n1) {
			t.Fatalf("GOMAXPROCS=%d: results differ from GOMAXPROCS=1", p)
		}
	}
}

func TestSeqNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under -race (sync.Pool drops items on purpose)")
	}
	obj, w := studyObjective(t, 64, 7, 1)
	idx := seq(32)
	g, nrm, v := make([]float64, len(w)), make([]float64, len(idx)), randomDirection(len(w), 1)
	for name, f := range map[string]func(){
		"LossGrad":           func() { obj.LossGrad(g, w, idx) },
		"LossGradNorms":      func() { obj.LossGradNorms(g, nrm, w, idx) },
		"PerSampleGradNorms": func() { obj.PerSampleGradNorms(nrm, w, idx) },
		"HVP":                func() { obj.HVP(g, w, v, idx) },
	} {
		f()
		// Two collections would empty a sync.Pool; the scratch must survive them (freeList).
		runtime.GC()
		runtime.GC()
		if a := testing.AllocsPerRun(5, f); a != 0 {
			t.Errorf("%s: %v allocs/op, want 0", name, a)
		}
	}
}

// TestSeqHessian checks Hessian-vector products (the exact R-operator that HVP takes for
// SeqSupervised) against gonum's fd.Hessian of the loss values.
func TestSeqHessian(t *testing.T) {
	c := seqCase{"tiny", Shape{1, 4, 4}, []Layer{Conv2D{Out: 2, Kernel: 3, Stride: 1, Pad: 1, Act: Tanh}, AvgPool{2, 2}, Flatten{}, Dense{Out: 2}}}
	obj, w := seqObjective(t, c, 4, SoftmaxCE{}, 40)
	idx := seq(4)
	// As in TestHVPMatchesFDHessian: fd.Hessian errs by ~1e-8 per entry (truncation and
	// rounding at step 1e-4), the R-operator only by rounding: 1e-5 bound.
	if e := hvpFDHessianErr(obj, w, idx); e > 1e-5 {
		t.Errorf("relative error %.3g", e)
	}
}

func TestSeqBadInput(t *testing.T) {
	in := Shape{1, 5, 5}
	for _, tc := range []struct {
		in     Shape
		layers []Layer
		want   string
	}{
		{in, []Layer{Conv2D{Out: 2, Kernel: 8, Stride: 1, Pad: 1}}, "Kernel = 8 exceeds the padded input 7×7"},
		{in, []Layer{Conv2D{Out: 2, Kernel: 3, Stride: 0}}, "Stride = 0"},
		{in, []Layer{Conv2D{Out: 2, Kernel: 3, Stride: -1}}, "Stride = -1"},
		{in, []Layer{Conv2D{Out: 0, Kernel: 3, Stride: 1}}, "Out = 0"},
		{in, []Layer{Conv2D{Out: 2, Kernel: 0, Stride: 1}}, "Kernel = 0"},
		{in, []Layer{Conv2D{Out: 2, Kernel: 3, Stride: 1, Pad: -1}}, "Pad = -1"},
		{in, []Layer{Conv2D{Out: 2, Kernel: 3, Stride: 1, Act: 99}}, "Act = 99"},
		{in, []Layer{MaxPool{6, 1}}, "Size = 6 exceeds"},
		{in, []Layer{AvgPool{2, 0}}, "Stride = 0"},
		{in, []Layer{Dense{Out: 3}}, "put Flatten before Dense"},
		{in, []Layer{Flatten{}, Dense{Out: -2}}, "Out = -2"},
		{in, []Layer{Flatten{}, nil}, "layer 1 (nil)"},
		{Shape{0, 5, 5}, []Layer{Flatten{}}, "Sequential.In"},
		{in, nil, "no layers"},
	} {
		_, err := NewSequential(tc.in, tc.layers...)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Count(err.Error(), "nn:") != 1 {
			t.Errorf("%v %v: error %v, want one containing %q", tc.in, tc.layers, err, tc.want)
		}
	}
	net, _ := NewSequential(in, Flatten{}, Dense{Out: 3})
	if _, err := NewSeqSupervised(net, randomData(1, 4, 24, 3), SoftmaxCE{}); err == nil || !strings.Contains(err.Error(), "24 columns") {
		t.Errorf("mismatched image shape: error %v", err)
	}
}

// hvpFDHessianErr is the relative error of HVP(obj, w, v, idx) against H·v with H gonum's
// central-difference fd.Hessian of the mean loss (step 1e-4) and v a fixed Gaussian vector.
func hvpFDHessianErr(obj Objective, w []float64, idx []int) float64 {
	var H mat.SymDense
	fd.Hessian(&H, func(x []float64) float64 { return obj.LossGrad(nil, x, idx) }, w, &fd.Settings{Formula: fd.Central, Step: 1e-4})
	rng := rand.New(rand.NewPCG(41, 0))
	v := make([]float64, len(w))
	for i := range v {
		v[i] = rng.NormFloat64()
	}
	want := mat.NewVecDense(len(w), nil)
	want.MulVec(&H, mat.NewVecDense(len(v), v))
	got := make([]float64, len(w))
	HVP(got, obj, w, v, idx)
	return testutil.RelErr(got, want.RawVector().Data)
}
