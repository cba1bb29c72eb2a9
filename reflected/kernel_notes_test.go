package reflected

import (
	"math"
	"testing"
)

// TestReferenceValues checks the reference values of docs/derivations/reflected.md §3,
// computed independently of this package (high-precision quadrature and Monte Carlo) in heat
// time s = t/2.
//   - Mean: E[X | y] at (y, s) = (0.1, 0.01), (0.8, 0.2), (0.3, 1.0) is quoted as 0.13993,
//     0.54555, 0.49999 (5 digits, so tolerance 5e-6 + 1e-6 for the rounding of the quote).
//   - Lou & Ermon's 20-term cosine score just above their switch (s = 0.0101, x = 0.05,
//     y = 1) is quoted as off by 0.040 absolute, and by 1.1e-3 at s = 0.012; we recompute
//     that truncated series and compare with Score1D (accurate to 1e-12).
func TestReferenceValues(t *testing.T) {
	for _, c := range [][3]float64{{0.1, 0.01, 0.13993}, {0.8, 0.2, 0.54555}, {0.3, 1.0, 0.49999}} {
		if got := Mean1D(c[0], 2*c[1]); math.Abs(got-c[2]) > 6e-6 {
			t.Errorf("Mean1D(%v, t=%v) = %v, note %v", c[0], 2*c[1], got, c[2])
		}
	}
	lou := func(x, y, s float64) float64 { // 20 cosines, heat time s, as in cube.py _score_hk_ef
		var num, den float64
		for k := 1; k <= 20; k++ {
			e := math.Exp(-float64(k*k) * math.Pi * math.Pi * s)
			num += -2 * math.Pi * float64(k) * e * math.Sin(float64(k)*math.Pi*x) * math.Cos(float64(k)*math.Pi*y)
			den += 2 * e * math.Cos(float64(k)*math.Pi*x) * math.Cos(float64(k)*math.Pi*y)
		}
		return num / (1 + den + 1e-12)
	}
	for _, c := range [][2]float64{{0.0101, 0.040}, {0.012, 1.1e-3}} {
		s := c[0]
		err := math.Abs(lou(0.05, 1, s) - Score1D(0.05, 1, 2*s))
		t.Logf("Lou–Ermon 20-cosine score at s=%v, (x,y)=(0.05,1): abs error %.3g (note: %.2g)", s, err, c[1])
		if math.Abs(err-c[1]) > 0.1*c[1] { // the note quotes two significant digits
			t.Errorf("s=%v: error %.3g, note %.2g", s, err, c[1])
		}
	}
}
