package reflected

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestW1ToLaw1D compares the closed-form piecewise integral with a brute-force trapezoid
// integral of |Fₙ(z) − F(z)| on a grid of 2·10⁶ cells (an independent method: no root
// finding, no antiderivative).
func TestW1ToLaw1D(t *testing.T) {
	for _, tc := range []struct {
		c float64
		n int
	}{{0, 1}, {0.5, 7}, {-0.3, 50}, {0.5, 400}} {
		rnd := rand.New(rand.NewPCG(uint64(tc.n), 1))
		law := Cosine{C: tc.c}
		z := make([]float64, tc.n)
		law.Sample(z, rnd)
		got, err := law.W1ToLaw1D(z)
		if err != nil {
			t.Fatal(err)
		}
		const cells = 2_000_000
		var ref float64
		counts := make([]int, cells+1)
		for _, v := range z {
			counts[int(math.Ceil(v*cells))]++ // Fₙ jumps inside cell ⌈v·cells⌉
		}
		below := 0
		for k := 0; k < cells; k++ {
			a, b := float64(k)/cells, float64(k+1)/cells
			// Fₙ on (a, b]: count of points ≤ a, plus a jump inside; the midpoint value of
			// |Fₙ − F| times the width, with the jump cells' error ≤ width/n each.
			below += counts[k]
			fn := float64(below) / float64(tc.n)
			mid := (a + b) / 2
			ref += math.Abs(fn-law.CDF1D(mid)) / cells
		}
		// Tolerance: the midpoint rule errs by ≤ 1/cells on each of the n cells holding a
		// jump plus O(1/cells²) elsewhere, so ≤ (n + 1)/cells.
		tol := float64(tc.n+1) / cells
		if math.Abs(got-ref) > tol {
			t.Errorf("C = %v, n = %d: W1 %.10f, brute force %.10f (tol %.2g)", tc.c, tc.n, got, ref, tol)
		}
	}
	// One point at z₀ against Uniform: ∫|1{z ≥ z₀} − z| = z₀²/2 + (1−z₀)²/2.
	got, _ := Cosine{}.W1ToLaw1D([]float64{0.3})
	if want := 0.3*0.3/2 + 0.7*0.7/2; math.Abs(got-want) > 1e-15 {
		t.Errorf("single point: %v, want %v", got, want)
	}
	if _, err := (Cosine{}).W1ToLaw1D(nil); err == nil {
		t.Error("empty sample: no error")
	}
}
