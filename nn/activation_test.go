package nn

import (
	"math"
	"testing"
)

// TestReLUDerivativeEdges checks the branch-free σ'(z)·d of ReLU at signed zeros,
// subnormals and infinities: σ'(z) = 1 exactly for z > 0, 0 for z ≤ 0 (both zeros).
func TestReLUDerivativeEdges(t *testing.T) {
	z := []float64{1, -1, 0, math.Copysign(0, -1), 5e-324, -5e-324, math.Inf(1), math.Inf(-1), math.MaxFloat64, -math.MaxFloat64}
	want := []float64{1, 0, 0, 0, 1, 0, 1, 0, 1, 0}
	d := make([]float64, len(z))
	for i := range d {
		d[i] = 2.5
	}
	ReLU.scaleByDerivative(d, z, nil)
	for i := range z {
		if d[i] != 2.5*want[i] || math.Signbit(d[i]) {
			t.Errorf("z = %v: d·σ'(z) = %v, want %v", z[i], d[i], 2.5*want[i])
		}
	}
}

// TestAddCurvature checks σ″ (used by the R-operator) against central differences of σ'
// as computed by scaleByDerivative, for every smooth activation.
func TestAddCurvature(t *testing.T) {
	const h = 1e-5
	zs := []float64{-3, -1.2, -0.3, 0, 0.4, 1.1, 2.7}
	for _, act := range []Activation{Identity, Tanh, Sigmoid, GELU} {
		deriv := func(z float64) float64 {
			s := []float64{0}
			act.apply(s, []float64{z})
			d := []float64{1}
			act.scaleByDerivative(d, []float64{z}, s)
			return d[0]
		}
		for _, z := range zs {
			s := []float64{0}
			act.apply(s, []float64{z})
			got := []float64{0.5}
			act.addCurvature(got, []float64{2}, []float64{3}, []float64{z}, s)
			got[0] = (got[0] - 0.5) / 6
			want := (deriv(z+h) - deriv(z-h)) / (2 * h)
			// Central difference: truncation h²/6·σ⁗ ≲ 2e-11, rounding ε/h ≈ 2e-11; bound 1e-9.
			if math.Abs(got[0]-want) > 1e-9 {
				t.Errorf("%v: σ″(%v) = %v, central difference %v", act, z, got[0], want)
			}
		}
	}
}
