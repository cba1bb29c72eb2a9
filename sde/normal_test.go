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
	skipStatisticalUnderRace(t)
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

// TestUnderDensity: the bracketed wedge test gives exactly the answer of
// y < math.Exp(-0.5*x*x) for every layer, on x uniform in the wedge (both
// signs, and slightly inside the inner edge, where the ziggurat's rounded
// k_i can put it) and y uniform in the layer's height, and on y adjacent
// to the computed density (the hardest cases: e and its neighbours).
func TestUnderDensity(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	const m1 = 1 << 31
	exact := func(x, y float64) bool { return y < math.Exp(-0.5*x*x) }
	viaExp := 0
	const per = 20000
	for i := uint64(1); i < 128; i++ {
		b := zigW[i] * m1
		a := 0.0
		if i > 1 {
			a = zigW[i-1] * m1
		}
		for range per {
			x := a + (b-a)*r.Float64()
			if r.IntN(8) == 0 {
				x = a - 5e-9*r.Float64()*b // inside the edge, by ≤ b/2^31
			}
			if r.IntN(2) == 0 {
				x = -x
			}
			y := zigF[i] + r.Float64()*(zigF[i-1]-zigF[i])
			if got, want := underDensity(i, x, y), exact(x, y); got != want {
				t.Fatalf("layer %d, x = %v, y = %v: underDensity %v, exp test %v", i, x, y, got, want)
			}
			f := zigF[i-1]
			sv := 0.5*x*x - zigU[i]
			if lo := f * (1 - sv); y >= lo-wedgeTol && y < lo+0.5*f*sv*sv+wedgeTol {
				viaExp++
			}
			e := math.Exp(-0.5 * x * x)
			for _, y := range []float64{e, math.Nextafter(e, 0), math.Nextafter(e, 2), e * (1 - 1e-15), e * (1 + 1e-15)} {
				if got, want := underDensity(i, x, y), exact(x, y); got != want {
					t.Fatalf("layer %d, x = %v, y = %v (density %v): underDensity %v, exp test %v", i, x, y, e, got, want)
				}
			}
		}
	}
	t.Logf("math.Exp evaluated in %.2f%% of uniform wedge tests", 100*float64(viaExp)/float64(127*per))
}

// refNormal is the ziggurat's slow path with the plain exponential test
// (the definition underDensity must reproduce).
func refNormal(g *normalGen) float64 {
	u := g.uint64()
	if x, ok := zigFast(u); ok {
		return x
	}
	j, i := int32(u), (u>>32)&0x7f
	x := float64(j) * zigW[i]
	for {
		if i == 0 {
			for {
				x = -math.Log(g.uniform()) / zigR
				y := -math.Log(g.uniform())
				if y+y >= x*x {
					break
				}
			}
			if j > 0 {
				return zigR + x
			}
			return -zigR - x
		}
		if zigF[i]+g.uniform()*(zigF[i-1]-zigF[i]) < math.Exp(-0.5*x*x) {
			return x
		}
		u := g.uint64()
		var ok bool
		if x, ok = zigFast(u); ok {
			return x
		}
		j = int32(u)
		i = (u >> 32) & 0x7f
	}
}

// TestZigguratMatchesReference: 4·10^6 variates are bit-identical to the
// reference ziggurat with the plain exponential wedge test (same stream).
func TestZigguratMatchesReference(t *testing.T) {
	g := newNormalGen(rand.NewPCG(8, 9))
	h := newNormalGen(rand.NewPCG(8, 9))
	for k := range 4000000 {
		if a, b := g.next(), refNormal(&h); a != b {
			t.Fatalf("draw %d: %v, reference %v", k, a, b)
		}
	}
}
