package nn

import (
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"

	"github.com/sdeml/sdeml/internal/testutil"
)

// TestLabelSmoothing checks SoftmaxCE.Smoothing on logits worked by hand and its gradient
// against finite differences of the loss.
func TestLabelSmoothing(t *testing.T) {
	// o = (0, ln 2, ln 5), y = 1, ε = 0.3, K = 3: lse = ln 8, q = (0.1, 0.8, 0.1), so
	// ℓ = ln 8 − 0.8 ln 2 − 0.1 ln 5 and ∂ℓ/∂o = (1/8 − 0.1, 2/8 − 0.8, 5/8 − 0.1).
	o := []float64{0, math.Ln2, math.Log(5)}
	d := &Dataset{X: mat.NewDense(1, 1, []float64{0}), Labels: []int{1}}
	l := SoftmaxCE{Smoothing: 0.3}
	dst, g := make([]float64, 1), make([]float64, 3)
	l.Eval(dst, general(1, 3, g), 1, general(1, 3, o), d, []int{0})
	want := math.Log(8) - 0.8*math.Ln2 - 0.1*math.Log(5)
	wantG := []float64{1.0/8 - 0.1, 2.0/8 - 0.8, 5.0/8 - 0.1}
	// A few roundings of O(1) values: 1e-15.
	if math.Abs(dst[0]-want) > 1e-15 || testutil.RelErr(g, wantG) > 1e-15 {
		t.Errorf("loss %v, gradient %v; want %v, %v", dst[0], g, want, wantG)
	}
	fd := testutil.FDGradient(func(o []float64) float64 {
		l.Eval(dst, blas64.General{}, 1, general(1, 3, o), d, []int{0})
		return dst[0]
	}, o)
	if e := testutil.RelErr(g, fd); e > fdTol {
		t.Errorf("gradient vs finite differences: relative error %.3g", e)
	}
	for _, bad := range []float64{-0.1, 1, math.NaN()} {
		err := SoftmaxCE{Smoothing: bad}.Check(3, d)
		if err == nil || !strings.Contains(err.Error(), "SoftmaxCE.Smoothing = ") {
			t.Errorf("Smoothing %v: error %v", bad, err)
		}
	}
}
