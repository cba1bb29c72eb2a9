package nn

import (
	"fmt"
	"math"
	"runtime"
	"sync"
	"testing"

	"github.com/sdeml/sdeml/internal/testutil"
	"gonum.org/v1/gonum/mat"
)

// fdTol is the bound on the relative error between the analytic gradient and gonum's
// central differences (step 6e-6): truncation h²|f‴| ≈ 4e-11 and rounding ε|f|/h ≈ 4e-11
// for the O(1) losses here, so 1e-6 (the bound) leaves a large margin while
// still catching any wrong term, which gives errors of order 1e-2 or more.
const fdTol = 1e-6

var allActivations = []Activation{Identity, ReLU, Tanh, Sigmoid, GELU}

func TestGradientMatchesFiniteDifferences(t *testing.T) {
	losses := []Loss{SoftmaxCE{}, MSE{}}
	archs := [][]int{{4, 5, 3}, {3, 6, 4, 3}}
	seed := uint64(1)
	for _, sizes := range archs {
		for _, hidden := range allActivations {
			for _, output := range []Activation{Identity, Tanh, Sigmoid} {
				for _, loss := range losses {
					for _, masked := range []bool{false, true} {
						seed++
						name := fmt.Sprintf("%v/%v/%v/%T/mask=%v", sizes, hidden, output, loss, masked)
						t.Run(name, func(t *testing.T) {
							net, err := NewMLP(sizes, hidden, output)
							if err != nil {
								t.Fatal(err)
							}
							if masked {
								net.Mask = randomMask(net.NumParams(), seed)
							}
							data := randomData(seed, 7, sizes[0], sizes[len(sizes)-1])
							obj, err := NewSupervised(net, data, loss)
							if err != nil {
								t.Fatal(err)
							}
							w := randomParams(net, seed)
							idx := []int{0, 3, 3, 6, 1, 2}
							grad := make([]float64, len(w))
							obj.LossGrad(grad, w, idx)
							want := testutil.FDGradient(func(w []float64) float64 { return obj.LossGrad(nil, w, idx) }, w)
							e := testutil.RelErr(grad, want)
							t.Logf("relative error %.3g", e)
							if e > fdTol {
								t.Errorf("relative error %.3g > %g", e, fdTol)
							}
							if masked {
								for i, keep := range net.Mask {
									if !keep && grad[i] != 0 {
										t.Fatalf("masked grad[%d] = %v, want exactly 0", i, grad[i])
									}
								}
							}
						})
					}
				}
			}
		}
	}
}

func TestInputGradient(t *testing.T) {
	for _, hidden := range allActivations {
		t.Run(hidden.String(), func(t *testing.T) {
			net, _ := NewMLP([]int{3, 5, 4, 2}, hidden, Tanh)
			w := randomParams(net, 5)
			data := randomData(6, 4, 3, 2)
			ws := net.NewWorkspace(4)
			// Weighted output sum φ(X) = Σ_ik C_ik f_k(x_i) with fixed random C.
			C := randomData(7, 4, 2, 2).X
			phi := func(xflat []float64) float64 {
				out := mat.NewDense(4, 2, nil)
				net.Forward(out, w, mat.NewDense(4, 3, xflat), ws)
				return mat.Sum(mulElem(out, C))
			}
			x := append([]float64(nil), data.X.RawMatrix().Data...)
			out := mat.NewDense(4, 2, nil)
			net.Forward(out, w, data.X, ws)
			dX := mat.NewDense(4, 3, nil)
			grad := make([]float64, len(w))
			net.BackwardInput(dX, grad, w, C, ws)
			want := testutil.FDGradient(phi, x)
			if e := testutil.RelErr(dX.RawMatrix().Data, want); e > fdTol {
				t.Errorf("dX relative error %.3g > %g", e, fdTol)
			}
			// The parameter part of the same call against differences in w.
			wantW := testutil.FDGradient(func(v []float64) float64 {
				o := mat.NewDense(4, 2, nil)
				net.Forward(o, v, data.X, net.NewWorkspace(4))
				return mat.Sum(mulElem(o, C))
			}, w)
			if e := testutil.RelErr(grad, wantW); e > fdTol {
				t.Errorf("grad relative error %.3g > %g", e, fdTol)
			}
		})
	}
}

func mulElem(a, b *mat.Dense) *mat.Dense {
	var c mat.Dense
	c.MulElem(a, b)
	return &c
}

// TestPerSample checks that the per-sample gradients average to the batch gradient and
// that the per-sample norms match the norms of the explicit per-sample gradients.
func TestPerSample(t *testing.T) {
	for _, masked := range []bool{false, true} {
		for _, loss := range []Loss{SoftmaxCE{}, MSE{}} {
			t.Run(fmt.Sprintf("%T/mask=%v", loss, masked), func(t *testing.T) {
				net, _ := NewMLP([]int{6, 8, 7, 4}, ReLU, Identity)
				if masked {
					net.Mask = randomMask(net.NumParams(), 9)
				}
				data := randomData(10, 40, 6, 4)
				obj, err := NewSupervised(net, data, loss)
				if err != nil {
					t.Fatal(err)
				}
				w := randomParams(net, 11)
				idx := []int{5, 1, 1, 39, 20, 7, 8, 0, 13, 2}
				G := mat.NewDense(len(idx), len(w), nil)
				obj.PerSampleGrads(G, w, idx)
				grad := make([]float64, len(w))
				obj.LossGrad(grad, w, idx)
				mean := make([]float64, len(w))
				for k := range idx {
					for j := range mean {
						mean[j] += G.At(k, j)
					}
				}
				// 1e-12: both sides sum the same 10 O(1) terms in different orders, so they
				// differ by a few ulps of the largest partial sum.
				for j := range mean {
					mean[j] /= float64(len(idx))
					if d := math.Abs(mean[j] - grad[j]); d > 1e-12*math.Max(1, math.Abs(grad[j])) {
						t.Fatalf("mean per-sample grad[%d] = %v, batch grad %v", j, mean[j], grad[j])
					}
				}
				// Each row against a one-sample LossGrad (an independent path).
				one := make([]float64, len(w))
				norms := make([]float64, len(idx))
				obj.PerSampleGradNorms(norms, w, idx)
				for k, i := range idx {
					obj.LossGrad(one, w, []int{i})
					row := G.RawRowView(k)
					if e := testutil.RelErr(row, one); e > 1e-12 {
						t.Fatalf("row %d: relative error %.3g vs single-sample LossGrad", k, e)
					}
					// 1e-12 relative: the two norms sum the same squares in different order.
					if n := math.Sqrt(sumSq(row)); math.Abs(norms[k]-n) > 1e-12*n {
						t.Fatalf("norm %d = %v, want %v", k, norms[k], n)
					}
				}
			})
		}
	}
}

// TestLosses checks Losses against single-sample LossGrad values and the loss formulas
// against direct evaluation, including logits of size 1e4 where a naive softmax overflows.
func TestLosses(t *testing.T) {
	net, _ := NewMLP([]int{2, 3}, Identity, Identity)
	// W = 0, b = (1e4, 0, -1e4) gives logits (1e4, 0, -1e4) for every input.
	w := make([]float64, net.NumParams())
	_, b := net.Layer(w, 0)
	copy(b, []float64{1e4, 0, -1e4})
	data := randomData(12, 3, 2, 3)
	data.Labels = []int{0, 1, 2}
	obj, err := NewSupervised(net, data, SoftmaxCE{})
	if err != nil {
		t.Fatal(err)
	}
	got := make([]float64, 3)
	obj.Losses(got, w, []int{0, 1, 2})
	// log(e^{1e4} + 1 + e^{-1e4}) = 1e4 + log1p(e^{-1e4}) = 1e4 exactly in float64.
	want := []float64{0, 1e4, 2e4}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("CE loss %d = %v, want %v", i, got[i], want[i])
		}
	}
	grad := make([]float64, len(w))
	l := obj.LossGrad(grad, w, []int{1})
	if l != 1e4 || math.IsNaN(grad[0]) {
		t.Errorf("LossGrad = %v, grad %v", l, grad)
	}
	// MSE: ½‖b − y‖² with W = 0.
	copy(b, []float64{0.5, -1, 2})
	objM, _ := NewSupervised(net, data, MSE{})
	objM.Losses(got, w, []int{0, 1, 2})
	for i := 0; i < 3; i++ {
		s := 0.0
		for k := 0; k < 3; k++ {
			e := b[k] - data.Y.At(i, k)
			s += e * e
		}
		if math.Abs(got[i]-s/2) > 1e-15*s {
			t.Errorf("MSE loss %d = %v, want %v", i, got[i], s/2)
		}
	}
}

// TestGOMAXPROCSInvariance checks bit-identical results with 1 and 2 threads at a size
// where gonum's GEMM runs in parallel.
func TestGOMAXPROCSInvariance(t *testing.T) {
	net, _ := NewMLP([]int{100, 256, 10}, ReLU, Identity)
	data := randomData(13, 300, 100, 10)
	obj, _ := NewSupervised(net, data, SoftmaxCE{})
	w := randomParams(net, 14)
	idx := seq(300)
	run := func(p int) ([]float64, float64, []float64) {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(p))
		g := make([]float64, len(w))
		l := obj.LossGrad(g, w, idx)
		n := make([]float64, len(idx))
		obj.PerSampleGradNorms(n, w, idx)
		return g, l, n
	}
	g1, l1, n1 := run(1)
	g2, l2, n2 := run(2)
	if l1 != l2 {
		t.Fatalf("loss %v vs %v", l1, l2)
	}
	for i := range g1 {
		if g1[i] != g2[i] {
			t.Fatalf("grad[%d] %v vs %v", i, g1[i], g2[i])
		}
	}
	for i := range n1 {
		if n1[i] != n2[i] {
			t.Fatalf("norm[%d] %v vs %v", i, n1[i], n2[i])
		}
	}
}

// TestConcurrentUse calls LossGrad from several goroutines and compares with serial
// results (run with -race to check for data races).
func TestConcurrentUse(t *testing.T) {
	net, _ := NewMLP([]int{5, 16, 3}, Tanh, Identity)
	data := randomData(15, 64, 5, 3)
	obj, _ := NewSupervised(net, data, SoftmaxCE{})
	want := make([][]float64, 8)
	for k := range want {
		w := randomParams(net, uint64(100+k))
		want[k] = make([]float64, len(w))
		obj.LossGrad(want[k], w, seq(64))
	}
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for k := 0; k < 8; k++ {
		wg.Add(1)
		go func(k int) {
			defer wg.Done()
			w := randomParams(net, uint64(100+k))
			g := make([]float64, len(w))
			for rep := 0; rep < 20; rep++ {
				obj.LossGrad(g, w, seq(64))
				for i := range g {
					if g[i] != want[k][i] {
						errs[k] = fmt.Errorf("goroutine %d: grad[%d] differs", k, i)
						return
					}
				}
			}
		}(k)
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestLossGradNoAlloc checks 0 allocations per call in steady state on a net small
// enough that gonum's GEMM stays serial (its parallel path allocates goroutines).
func TestLossGradNoAlloc(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under -race (sync.Pool drops items on purpose)")
	}
	net, _ := NewMLP([]int{20, 32, 10}, ReLU, Identity)
	net.Mask = randomMask(net.NumParams(), 16)
	data := randomData(17, 64, 20, 10)
	obj, _ := NewSupervised(net, data, SoftmaxCE{})
	w := randomParams(net, 18)
	g := make([]float64, len(w))
	n := make([]float64, 32)
	idx := seq(32)
	if a := testing.AllocsPerRun(50, func() { obj.LossGrad(g, w, idx) }); a != 0 {
		t.Errorf("LossGrad: %v allocs/op", a)
	}
	if a := testing.AllocsPerRun(50, func() { obj.PerSampleGradNorms(n, w, idx) }); a != 0 {
		t.Errorf("PerSampleGradNorms: %v allocs/op", a)
	}
}

// TestChunking checks that index sets longer than one chunk give the same mean loss and
// gradient as the per-sample average.
func TestChunking(t *testing.T) {
	net, _ := NewMLP([]int{3, 4, 2}, Tanh, Identity)
	data := randomData(19, chunkRows+300, 3, 2)
	obj, _ := NewSupervised(net, data, MSE{})
	w := randomParams(net, 20)
	idx := seq(data.Len())
	g := make([]float64, len(w))
	l := obj.LossGrad(g, w, idx)
	ls := make([]float64, len(idx))
	obj.Losses(ls, w, idx)
	G := mat.NewDense(len(idx), len(w), nil)
	obj.PerSampleGrads(G, w, idx)
	mean, sum := make([]float64, len(w)), 0.0
	for k := range idx {
		sum += ls[k]
		for j := range mean {
			mean[j] += G.At(k, j) / float64(len(idx))
		}
	}
	// 1e-12: the same 1324 O(1) terms summed in two orders.
	if math.Abs(sum/float64(len(idx))-l) > 1e-12*l {
		t.Errorf("loss %v, mean of Losses %v", l, sum/float64(len(idx)))
	}
	if e := testutil.RelErr(g, mean); e > 1e-12 {
		t.Errorf("chunked gradient relative error %.3g", e)
	}
}

// TestStridedViewsAndGrowth runs Forward/BackwardInput on strided submatrix views and on
// a workspace that must grow, against packed copies and a fresh workspace.
func TestStridedViewsAndGrowth(t *testing.T) {
	net, _ := NewMLP([]int{3, 6, 2}, GELU, Identity)
	w := randomParams(net, 70)
	big := randomData(71, 12, 7, 2).X // 12×7; take rows 2..10, columns 1..3
	x := big.Slice(2, 11, 1, 4).(*mat.Dense)
	xp := mat.DenseCopyOf(x)
	dBig := randomData(72, 12, 5, 2).X
	dOut := dBig.Slice(1, 10, 2, 4).(*mat.Dense)
	dOutP := mat.DenseCopyOf(dOut)

	ws := net.NewWorkspace(2) // too small: must grow to 9 rows
	small := mat.NewDense(2, 2, nil)
	net.Forward(small, w, xp.Slice(0, 2, 0, 3).(*mat.Dense), ws)

	run := func(ws *Workspace, x, dOut *mat.Dense) (*mat.Dense, []float64, *mat.Dense) {
		out := mat.NewDense(9, 2, nil)
		net.Forward(out, w, x, ws)
		g := make([]float64, len(w))
		dX := mat.NewDense(9, 3, nil)
		net.BackwardInput(dX, g, w, dOut, ws)
		return out, g, dX
	}
	o1, g1, x1 := run(ws, x, dOut)
	o2, g2, x2 := run(net.NewWorkspace(9), xp, dOutP)
	if !mat.Equal(o1, o2) || !mat.Equal(x1, x2) {
		t.Fatal("strided/grown pass differs from packed/fresh pass")
	}
	for i := range g1 {
		if g1[i] != g2[i] {
			t.Fatalf("grad[%d] differs", i)
		}
	}
}
