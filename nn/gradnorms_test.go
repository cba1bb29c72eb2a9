package nn

import (
	"fmt"
	"math"
	"runtime"
	"testing"
)

// gradNormsRelTol bounds the relative difference between LossGradNorms' norms and
// PerSampleGradNorms': both sum the same squares in the same order, but the fused pass
// back-propagates ∂ℓ/∂out·(1/|idx|) instead of ∂ℓ/∂out, so every δ entry differs by a few
// ulps (one rounding of the scaling, carried linearly through the backward recursion) and the
// final ×|idx| adds one more; 1e-12 is ~4500 ulps, far below any wrong term (O(1) relative).
const gradNormsRelTol = 1e-12

// TestLossGradNorms checks the fused pass against its two references: the loss and gradient
// must be bit-identical to LossGrad's and the norms equal to PerSampleGradNorms', for dense
// and masked networks, repeated indices, a batch that is not a power of two, and an index
// set longer than one chunk.
func TestLossGradNorms(t *testing.T) {
	type tc struct {
		sizes  []int
		hidden Activation
		loss   Loss
		n      int
		idx    []int
	}
	long := make([]int, chunkRows+37)
	for i := range long {
		long[i] = (7 * i) % 1100
	}
	cases := []tc{
		{[]int{4, 5, 3}, Tanh, SoftmaxCE{}, 20, []int{0, 3, 3, 6, 1, 2, 19}},
		{[]int{3, 6, 4, 3}, ReLU, MSE{}, 20, []int{5, 1, 1, 9, 0, 13, 2, 8}},
		{[]int{6, 8, 8, 4}, GELU, SoftmaxCE{}, 40, seq(40)},
		{[]int{3, 4, 2}, Sigmoid, MSE{}, 1100, long},
	}
	for ci, c := range cases {
		for _, masked := range []bool{false, true} {
			t.Run(fmt.Sprintf("case=%d/mask=%v", ci, masked), func(t *testing.T) {
				net, err := NewMLP(c.sizes, c.hidden, Identity)
				if err != nil {
					t.Fatal(err)
				}
				seed := uint64(70 + ci)
				if masked {
					net.Mask = randomMask(net.NumParams(), seed)
				}
				obj, err := NewSupervised(net, randomData(seed, c.n, c.sizes[0], c.sizes[len(c.sizes)-1]), c.loss)
				if err != nil {
					t.Fatal(err)
				}
				w := randomParams(net, seed)
				gWant := make([]float64, len(w))
				lWant := obj.LossGrad(gWant, w, c.idx)
				nWant := make([]float64, len(c.idx))
				obj.PerSampleGradNorms(nWant, w, c.idx)

				g := make([]float64, len(w))
				for i := range g {
					g[i] = math.NaN() // must be overwritten, not accumulated into
				}
				nrm := make([]float64, len(c.idx))
				l := obj.LossGradNorms(g, nrm, w, c.idx)
				if math.Float64bits(l) != math.Float64bits(lWant) {
					t.Errorf("loss %v, LossGrad %v", l, lWant)
				}
				for i := range g {
					if math.Float64bits(g[i]) != math.Float64bits(gWant[i]) {
						t.Fatalf("grad[%d] = %v, LossGrad %v (want identical bits)", i, g[i], gWant[i])
					}
				}
				for k := range nrm {
					if math.Abs(nrm[k]-nWant[k]) > gradNormsRelTol*nWant[k] {
						t.Fatalf("norm[%d] = %v, PerSampleGradNorms %v", k, nrm[k], nWant[k])
					}
				}
				// grad = nil: loss and norms only.
				nrm2 := make([]float64, len(c.idx))
				if l2 := obj.LossGradNorms(nil, nrm2, w, c.idx); l2 != l {
					t.Errorf("loss without grad %v, with grad %v", l2, l)
				}
				for k := range nrm2 {
					if nrm2[k] != nrm[k] {
						t.Fatalf("norm[%d] without grad %v, with grad %v", k, nrm2[k], nrm[k])
					}
				}
			})
		}
	}
}

// TestLossGradNormsGOMAXPROCS checks bit-identical loss, gradient and norms with 1 and 2
// threads at a size where gonum's GEMM runs in parallel (dense and masked).
func TestLossGradNormsGOMAXPROCS(t *testing.T) {
	for _, masked := range []bool{false, true} {
		net, _ := NewMLP([]int{100, 256, 10}, ReLU, Identity)
		if masked {
			net.Mask = randomMask(net.NumParams(), 80)
		}
		obj, _ := NewSupervised(net, randomData(81, 300, 100, 10), SoftmaxCE{})
		w := randomParams(net, 82)
		idx := seq(300)
		run := func(p int) ([]float64, float64, []float64) {
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(p))
			g := make([]float64, len(w))
			n := make([]float64, len(idx))
			l := obj.LossGradNorms(g, n, w, idx)
			return g, l, n
		}
		g1, l1, n1 := run(1)
		g2, l2, n2 := run(2)
		if l1 != l2 {
			t.Fatalf("mask=%v: loss %v vs %v", masked, l1, l2)
		}
		for i := range g1 {
			if g1[i] != g2[i] {
				t.Fatalf("mask=%v: grad[%d] %v vs %v", masked, i, g1[i], g2[i])
			}
		}
		for i := range n1 {
			if n1[i] != n2[i] {
				t.Fatalf("mask=%v: norm[%d] %v vs %v", masked, i, n1[i], n2[i])
			}
		}
	}
}

// TestLossGradNormsNoAlloc checks 0 allocations per call in steady state (serial GEMM size).
func TestLossGradNormsNoAlloc(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under -race (sync.Pool drops items on purpose)")
	}
	for _, masked := range []bool{false, true} {
		net, _ := NewMLP([]int{20, 32, 10}, ReLU, Identity)
		if masked {
			net.Mask = randomMask(net.NumParams(), 83)
		}
		obj, _ := NewSupervised(net, randomData(84, 64, 20, 10), SoftmaxCE{})
		w := randomParams(net, 85)
		g := make([]float64, len(w))
		n := make([]float64, 32)
		idx := seq(32)
		if a := testing.AllocsPerRun(50, func() { obj.LossGradNorms(g, n, w, idx) }); a != 0 {
			t.Errorf("mask=%v: LossGradNorms: %v allocs/op", masked, a)
		}
	}
}

func TestLossGradNormsPanics(t *testing.T) {
	net, _ := NewMLP([]int{2, 3}, Identity, Identity)
	obj, _ := NewSupervised(net, randomData(86, 4, 2, 3), MSE{})
	w := randomParams(net, 87)
	for name, f := range map[string]func(){
		"empty idx":  func() { obj.LossGradNorms(nil, nil, w, nil) },
		"len(norms)": func() { obj.LossGradNorms(nil, make([]float64, 1), w, []int{0, 1}) },
	} {
		func() {
			defer func() {
				if r := recover(); r == nil {
					t.Errorf("%s: no panic", name)
				} else if s, ok := r.(string); !ok || s[:4] != "nn: " {
					t.Errorf("%s: panic %v, want an \"nn: \" message", name, r)
				}
			}()
			f()
		}()
	}
}
