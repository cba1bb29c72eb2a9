package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// weightedObjective is the part of Supervised and SeqSupervised the test exercises.
type weightedObjective interface {
	Objective
	WeightedLossGrad(grad, p, w []float64, idx []int) float64
}

// TestWeightedLossGrad checks Σ p_k ℓ_k and Σ p_k ∇ℓ_k against the definition, a loop of
// single-sample LossGrad calls, for the MLP and a conv net, with repeated indices, negative
// and unnormalised weights, and more samples than one chunk. Tolerance 1e-12 relative: the
// two sides differ only in the order of the floating-point sums.
func TestWeightedLossGrad(t *testing.T) {
	mlp, err := NewMLP([]int{5, 7, 3}, Tanh, Identity)
	if err != nil {
		t.Fatal(err)
	}
	sup, err := NewSupervised(mlp, randomData(3, 1200, 5, 3), SoftmaxCE{})
	if err != nil {
		t.Fatal(err)
	}
	conv, wc := seqObjective(t, seqCases[0], 90, SoftmaxCE{}, 4)
	long := make([]int, chunkRows+41)
	for i := range long {
		long[i] = (13 * i) % 1200
	}
	cases := []struct {
		name string
		obj  weightedObjective
		w    []float64
		idx  []int
	}{
		{"mlp", sup, randomParams(mlp, 3), []int{0, 4, 4, 9, 2}},
		{"mlp/chunks", sup, randomParams(mlp, 3), long},
		{"conv/chunks", conv, wc, append(seq(70), 3, 3, 81)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(8, 1))
			p := make([]float64, len(c.idx))
			for k := range p {
				p[k] = rng.Float64()*2 - 0.5
			}
			n := len(c.w)
			want, gi := make([]float64, n), make([]float64, n)
			var lw float64
			for k, i := range c.idx {
				lw += p[k] * c.obj.LossGrad(gi, c.w, []int{i})
				for j := range want {
					want[j] += p[k] * gi[j]
				}
			}
			got := make([]float64, n)
			l := c.obj.WeightedLossGrad(got, p, c.w, c.idx)
			if math.Abs(l-lw) > 1e-12*math.Max(1, math.Abs(lw)) {
				t.Errorf("loss %v, want %v", l, lw)
			}
			if e := maxRelErr(got, want); e > 1e-12 {
				t.Errorf("gradient: max error %.3g relative to max |g|", e)
			}
			if a := testing.AllocsPerRun(20, func() { c.obj.WeightedLossGrad(got, p, c.w, c.idx) }); a != 0 && !raceEnabled {
				t.Errorf("%v allocations per call, want 0", a)
			}
			if l2 := c.obj.WeightedLossGrad(nil, p, c.w, c.idx); l2 != l {
				t.Errorf("loss without gradient %v, with %v", l2, l)
			}
			// Uniform weights 1/|idx| are LossGrad.
			for k := range p {
				p[k] = 1 / float64(len(p))
			}
			g0 := make([]float64, n)
			l0 := c.obj.LossGrad(g0, c.w, c.idx)
			l = c.obj.WeightedLossGrad(got, p, c.w, c.idx)
			if math.Abs(l-l0) > 1e-12*math.Max(1, math.Abs(l0)) || maxRelErr(got, g0) > 1e-12 {
				t.Errorf("uniform weights differ from LossGrad: loss %v vs %v, gradient error %.3g", l, l0, maxRelErr(got, g0))
			}
		})
	}
	for name, f := range map[string]func(){
		"empty":  func() { sup.WeightedLossGrad(nil, nil, randomParams(mlp, 1), nil) },
		"len(p)": func() { sup.WeightedLossGrad(nil, []float64{1}, randomParams(mlp, 1), []int{0, 1}) },
	} {
		t.Run("panic/"+name, func(t *testing.T) {
			defer func() {
				if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "WeightedLossGrad") {
					t.Errorf("recover() = %v, want a WeightedLossGrad panic", r)
				}
			}()
			f()
		})
	}
}

// maxRelErr is max_j |a_j − b_j| / max(1e-300, max_j |b_j|).
func maxRelErr(a, b []float64) float64 {
	var e, m float64
	for j := range a {
		e = math.Max(e, math.Abs(a[j]-b[j]))
		m = math.Max(m, math.Abs(b[j]))
	}
	return e / math.Max(m, 1e-300)
}
