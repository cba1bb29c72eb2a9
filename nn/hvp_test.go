package nn

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/sdeml/sdeml/internal/testutil"
	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/mat"
)

// TestHVPMatchesFDHessian compares H v, both exact (R-operator) and by central differences
// of gradients, against the full Hessian of the loss computed by gonum's fd.Hessian (second
// differences of loss values, an independent path).
func TestHVPMatchesFDHessian(t *testing.T) {
	for _, act := range []Activation{Tanh, Sigmoid, GELU} {
		for _, loss := range []Loss{SoftmaxCE{}, MSE{}} {
			net, _ := NewMLP([]int{3, 4, 2}, act, Identity)
			data := randomData(21, 6, 3, 2)
			obj, err := NewSupervised(net, data, loss)
			if err != nil {
				t.Fatal(err)
			}
			w := randomParams(net, 22)
			idx := seq(6)
			var H mat.SymDense
			fd.Hessian(&H, func(x []float64) float64 { return obj.LossGrad(nil, x, idx) }, w, &fd.Settings{Formula: fd.Central, Step: 1e-4})
			rng := rand.New(rand.NewPCG(23, 0))
			v := make([]float64, len(w))
			for i := range v {
				v[i] = rng.NormFloat64()
			}
			want := mat.NewVecDense(len(w), nil)
			want.MulVec(&H, mat.NewVecDense(len(v), v))
			got := make([]float64, len(w))
			HVP(got, obj, w, v, idx)
			// fd.Hessian's central second differences (step 1e-4) carry truncation error
			// O(h²)·f⁗ ≈ 1e-8 and rounding O(ε|f|/h²) ≈ 2e-8 per entry; the HVP (exact, by
			// the R-operator) errs by rounding only. Summed over 26 entries of a row that is
			// ≈ 1e-6 relative: 1e-5 bound.
			e := testutil.RelErr(got, want.RawVector().Data)
			t.Logf("%v/%T: relative error %.3g", act, loss, e)
			if e > 1e-5 {
				t.Errorf("%v/%T: relative error %.3g", act, loss, e)
			}
			// The central-difference path (default step) against the same reference: its own
			// error is ≲ 1e-9 relative (TestHVPDispatch), far below fd.Hessian's: same bound.
			(&Hessian{Obj: obj, Difference: true}).MulVec(got, w, v, idx)
			e = testutil.RelErr(got, want.RawVector().Data)
			t.Logf("%v/%T: central differences of gradients, relative error %.3g", act, loss, e)
			if e > 1e-5 {
				t.Errorf("%v/%T: central differences, relative error %.3g", act, loss, e)
			}
		}
	}
}

// TestHVPQuadratic checks a linear model with MSE, whose Hessian is known in closed form:
// for L = (1/B)Σᵢ ½‖W xᵢ + b − yᵢ‖², H[(j,k),(j',k')] = [j = j'](1/B)Σᵢ x̃ᵢₖ x̃ᵢₖ' with
// x̃ = (x, 1).
func TestHVPQuadratic(t *testing.T) {
	net, _ := NewMLP([]int{3, 2}, Identity, Identity)
	data := randomData(24, 5, 3, 2)
	obj, _ := NewSupervised(net, data, MSE{})
	w := randomParams(net, 25)
	v := randomParams(net, 26)
	idx := seq(5)
	got := make([]float64, len(w))
	HVP(got, obj, w, v, idx)
	// Gram matrix of augmented inputs.
	var G [4][4]float64
	for i := 0; i < 5; i++ {
		x := [4]float64{data.X.At(i, 0), data.X.At(i, 1), data.X.At(i, 2), 1}
		for k := range x {
			for kk := range x {
				G[k][kk] += x[k] * x[kk] / 5
			}
		}
	}
	Wv, bv := net.Layer(v, 0)
	want := make([]float64, len(w))
	Ww, bw := net.Layer(want, 0)
	for j := 0; j < 2; j++ {
		vj := [4]float64{Wv.At(j, 0), Wv.At(j, 1), Wv.At(j, 2), bv[j]}
		for k := 0; k < 4; k++ {
			s := 0.0
			for kk := 0; kk < 4; kk++ {
				s += G[k][kk] * vj[kk]
			}
			if k < 3 {
				Ww.Set(j, k, s)
			} else {
				bw[j] = s
			}
		}
	}
	// The R-operator is exact here; rounding of a few O(1) products ≈ 1e-15; bound 1e-12.
	if e := testutil.RelErr(got, want); e > 1e-12 {
		t.Errorf("relative error %.3g", e)
	}
	// H·0 = 0 exactly.
	HVP(got, obj, w, make([]float64, len(w)), idx)
	for _, g := range got {
		if g != 0 {
			t.Fatal("H·0 ≠ 0")
		}
	}
}

func TestHessianNoAlloc(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under -race (sync.Pool drops items on purpose)")
	}
	net, _ := NewMLP([]int{4, 8, 3}, Tanh, Identity)
	obj, _ := NewSupervised(net, randomData(27, 16, 4, 3), SoftmaxCE{})
	w := randomParams(net, 28)
	v := randomParams(net, 29)
	dst := make([]float64, len(w))
	idx := seq(16)
	for _, diff := range []bool{false, true} {
		h := &Hessian{Obj: obj, Difference: diff}
		h.MulVec(dst, w, v, idx)
		if a := testing.AllocsPerRun(20, func() { h.MulVec(dst, w, v, idx) }); a != 0 {
			t.Errorf("Difference = %v: %v allocs/op", diff, a)
		}
	}
	if math.IsNaN(dst[0]) {
		t.Fatal("NaN")
	}
}
