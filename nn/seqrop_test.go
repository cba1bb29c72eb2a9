package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"gonum.org/v1/gonum/floats"

	"github.com/sdeml/sdeml/internal/testutil"
)

// randomDirection returns a standard normal vector of length n.
func randomDirection(n int, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 3))
	v := make([]float64, n)
	for i := range v {
		v[i] = rng.NormFloat64()
	}
	return v
}

// centralHv is H(w)v by central differences of LossGrad with step h along v.
func centralHv(obj Objective, w, v []float64, idx []int, h float64) []float64 {
	hv := make([]float64, len(w))
	(&Hessian{Obj: obj, Difference: true, Step: h * floats.Norm(v, 2)}).MulVec(hv, w, v, idx)
	return hv
}

// TestSeqHVPMatchesDifferences checks the R-operator on every shape edge case (smooth
// activations, so the loss is smooth and window maxima are untied) and both losses
// against central differences of the exact gradient.
func TestSeqHVPMatchesDifferences(t *testing.T) {
	for ci, c := range seqCases {
		for _, loss := range []Loss{SoftmaxCE{}, MSE{}} {
			t.Run(fmt.Sprintf("%s/%T", c.name, loss), func(t *testing.T) {
				obj, w := seqObjective(t, c, 6, loss, uint64(20+ci))
				idx := []int{0, 3, 3, 5, 1, 2, 4}
				v := randomDirection(len(w), uint64(ci))
				got := make([]float64, len(w))
				obj.HVP(got, w, v, idx)
				// Step 1e-5 along v: truncation h²/6·‖∇³L[v,v,·]‖ ≈ 1e-10, rounding of the
				// gradients ε‖∇L‖/h ≈ 1e-11, against ‖Hv‖ = O(1): 1e-6 relative leaves margin.
				if e := testutil.RelErr(got, centralHv(obj, w, v, idx, 1e-5)); e > 1e-6 {
					t.Errorf("relative error %.3g", e)
				}
			})
		}
	}
}

// TestSeqHVPReLU checks the R-operator on the study CNN (ReLU convolutions fused with
// their max pools): the fused and unfused networks give the same bits, the product is
// symmetric (uᵀHv = vᵀHu) and linear in v, and it matches central differences taken with
// steps small enough that no pre-activation crosses zero and no window changes its
// maximum (two steps that agree with each other).
func TestSeqHVPReLU(t *testing.T) {
	obj, w := studyObjective(t, 20, 9, 2)
	net := obj.Net
	idx := seq(20)
	u, v := randomDirection(len(w), 1), randomDirection(len(w), 2)
	hu, hv := make([]float64, len(w)), make([]float64, len(w))
	obj.HVP(hu, w, u, idx)
	obj.HVP(hv, w, v, idx)

	plain := *net
	plain.stages = append([]stage(nil), net.stages...)
	for i := range plain.stages {
		plain.stages[i].fused = false
	}
	pobj, _ := NewSeqSupervised(&plain, obj.Data, SoftmaxCE{})
	phv := make([]float64, len(w))
	pobj.HVP(phv, w, v, idx)
	for i := range hv {
		if math.Float64bits(hv[i]) != math.Float64bits(phv[i]) {
			t.Fatalf("fused Hv[%d] = %v, unfused %v", i, hv[i], phv[i])
		}
	}

	// Symmetry: both sides are sums of ~2·10⁴ products of O(1) terms, rounding ≲ 1e-12.
	a, b := floats.Dot(u, hv), floats.Dot(v, hu)
	if d := math.Abs(a - b); d > 1e-10*(math.Abs(a)+math.Abs(b)) {
		t.Errorf("uᵀHv = %v, vᵀHu = %v", a, b)
	}
	// Linearity: H(2u − v) = 2Hu − Hv up to rounding.
	comb := make([]float64, len(w))
	floats.AddScaledTo(comb, floats.ScaleTo(make([]float64, len(w)), 2, u), -1, v)
	hc := make([]float64, len(w))
	obj.HVP(hc, w, comb, idx)
	want := floats.AddScaledTo(make([]float64, len(w)), floats.ScaleTo(make([]float64, len(w)), 2, hu), -1, hv)
	if e := testutil.RelErr(hc, want); e > 1e-12 {
		t.Errorf("H(2u − v) vs 2Hu − Hv: relative error %.3g", e)
	}

	// Within one activation region the loss along v is smooth: steps 1e-6 and 1e-7 (times
	// ‖v‖) give truncation ≲ 1e-12 and rounding ε‖∇L‖/h ≲ 1e-8 relative; a kink crossed by
	// either would show as a disagreement of order one between them.
	d6, d7 := centralHv(obj, w, v, idx, 1e-6), centralHv(obj, w, v, idx, 1e-7)
	if e := testutil.RelErr(d6, d7); e > 1e-5 {
		t.Fatalf("the two difference steps disagree by %.3g: a kink lies within the step", e)
	}
	if e := testutil.RelErr(hv, d6); e > 1e-5 {
		t.Errorf("relative error against central differences %.3g", e)
	}
}

// TestSeqHVPDeterministic checks the same bits for GOMAXPROCS 1, 2, 3 and 8 over three
// rounds of chunks, and no allocation in steady state.
func TestSeqHVPDeterministic(t *testing.T) {
	obj, w := studyObjective(t, 200, 7, 1)
	v := randomDirection(len(w), 5)
	idx := seq(150)
	hv := make([]float64, len(w))
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	runtime.GOMAXPROCS(1)
	obj.HVP(hv, w, v, idx)
	ref := append([]float64(nil), hv...)
	for _, p := range []int{2, 3, 8} {
		runtime.GOMAXPROCS(p)
		obj.HVP(hv, w, v, idx)
		if !floats.Equal(hv, ref) {
			t.Fatalf("GOMAXPROCS=%d: Hv differs from GOMAXPROCS=1", p)
		}
	}
	if raceEnabled {
		return // allocation counts are not meaningful under -race
	}
	if a := testing.AllocsPerRun(3, func() { obj.HVP(hv, w, v, idx[:32]) }); a != 0 {
		t.Errorf("%v allocs/op, want 0", a)
	}
}
