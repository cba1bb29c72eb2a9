package sde

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
)

// wrapped hides the concrete *rand.PCG type so that normalGen takes its
// interface path.
type wrapped struct{ rand.Source }

// TestZiggurat: 10^6 draws pass KS against N(0,1) (threshold of ksCheck),
// the tail fraction P(|Z| > r) at the ziggurat's tail start r = 3.4426
// (drawn by the separate tail algorithm) matches 2(1 − Φ(r)) within 4.5
// binomial standard errors, the fraction in (0.8, 1.2) (mostly wedges of the
// middle layers) likewise, and the interface path gives the same bits as the
// direct PCG path.
func TestZiggurat(t *testing.T) {
	const n = 1000000
	g := newNormalGen(rand.NewPCG(10, 20))
	h := newNormalGen(wrapped{rand.NewPCG(10, 20)})
	x := make([]float64, n)
	var tail, mid float64
	for i := range x {
		x[i] = g.next()
		if y := h.next(); y != x[i] {
			t.Fatalf("draw %d: PCG path %v, interface path %v", i, x[i], y)
		}
		if math.Abs(x[i]) > zigR {
			tail++
		}
		if a := math.Abs(x[i]); a > 0.8 && a < 1.2 {
			mid++
		}
	}
	for _, c := range []struct {
		name  string
		count float64
		p     float64
	}{
		{"tail", tail, 2 * distuv.UnitNormal.Survival(zigR)},
		{"|z| in (0.8, 1.2)", mid, 2 * (distuv.UnitNormal.CDF(1.2) - distuv.UnitNormal.CDF(0.8))},
	} {
		if se := math.Sqrt(c.p * (1 - c.p) / n); math.Abs(c.count/n-c.p) > 4.5*se {
			t.Errorf("%s fraction %.6f, want %.6f ± %.2g", c.name, c.count/n, c.p, 4.5*se)
		}
	}
	normalCheck(t, "ziggurat", x)
}
