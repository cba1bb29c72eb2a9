package meanfield

import (
	"math"
	"testing"
)

// TestGDEulerOrder checks that GD is the Euler scheme of the mean-field gradient flow:
// the field at T = 1 from steps h, h/2, h/4 against a fine reference (h/64) has errors
// e(h) = C h + O(h²), so successive ratios are 2 + O(h). With h = 0.05 the O(h) part of
// the ratio is a few percent; the tolerance ±0.15 leaves room for it. A first-order
// scheme with an error in the drift would give ratios near 1.
func TestGDEulerOrder(t *testing.T) {
	data, err := Quadrature1D(16, -1, 1, func(x float64) float64 { return math.Sin(math.Pi * x) })
	if err != nil {
		t.Fatal(err)
	}
	fieldAt := func(h float64) []float64 {
		ps, err := GaussHermiteParticles(5, []float64{0, 0, 0}, []float64{1, 1, 1})
		if err != nil {
			t.Fatal(err)
		}
		tr := Trainer{Unit: TanhUnit(1), Loss: Squared{}, Method: GD, Data: data, Schedule: Schedule{Gamma: h, Beta: 1, N: 1}}
		if err := tr.Run(ps, 0, int(math.Round(1/h)), nil); err != nil {
			t.Fatal(err)
		}
		return ComputeField(nil, TanhUnit(1), ps, data)
	}
	ref := fieldAt(0.05 / 64)
	var e []float64
	for _, h := range []float64{0.05, 0.025, 0.0125} {
		e = append(e, FieldL2(fieldAt(h), ref, data))
	}
	for i := 0; i+1 < len(e); i++ {
		if r := e[i] / e[i+1]; math.Abs(r-2) > 0.15 {
			t.Errorf("error ratio %v/%v = %v, want 2 (Euler order 1)", e[i], e[i+1], r)
		}
	}
	t.Logf("errors %v", e)
}
