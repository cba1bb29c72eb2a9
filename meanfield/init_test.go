package meanfield

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestInitGaussianUniform checks the first two moments of InitGaussian and InitUniform
// against their laws, and their bad-input errors. With n = 60000 draws the sample mean
// has standard error σ/√n and the sample variance (μ4 − σ⁴)/n in variance (μ4 = 3σ⁴ for
// the normal, (hi−lo)⁴/80 for the uniform); both are checked to 5 standard errors
// (two-sided normal tail 5.7e-7 each, four checks).
func TestInitGaussianUniform(t *testing.T) {
	ps, err := NewParticles(20000, 3)
	if err != nil {
		t.Fatal(err)
	}
	n := float64(len(ps.W))
	moments := func() (m, v float64) {
		for _, x := range ps.W {
			m += x
		}
		m /= n
		for _, x := range ps.W {
			v += (x - m) * (x - m)
		}
		return m, v / (n - 1)
	}
	const mean, std = 0.7, 1.3
	if err := ps.InitGaussian(mean, std, rand.NewPCG(21, 22)); err != nil {
		t.Fatal(err)
	}
	m, v := moments()
	s2 := std * std
	if math.Abs(m-mean) > 5*std/math.Sqrt(n) || math.Abs(v-s2) > 5*math.Sqrt(2*s2*s2/n) {
		t.Errorf("InitGaussian: mean %v, variance %v; want %v, %v", m, v, mean, s2)
	}
	const lo, hi = -0.4, 1.1
	if err := ps.InitUniform(lo, hi, rand.NewPCG(23, 24)); err != nil {
		t.Fatal(err)
	}
	m, v = moments()
	w := hi - lo
	s2 = w * w / 12
	mu4 := w * w * w * w / 80
	if math.Abs(m-(lo+hi)/2) > 5*math.Sqrt(s2/n) || math.Abs(v-s2) > 5*math.Sqrt((mu4-s2*s2)/n) {
		t.Errorf("InitUniform: mean %v, variance %v; want %v, %v", m, v, (lo+hi)/2, s2)
	}
	for _, x := range ps.W {
		if x < lo || x >= hi {
			t.Fatalf("InitUniform draw %v outside [%v, %v)", x, lo, hi)
		}
	}
	for _, c := range []struct{ m, s float64 }{{0, -1}, {math.NaN(), 1}, {0, math.Inf(1)}} {
		if err := ps.InitGaussian(c.m, c.s, rand.NewPCG(1, 1)); err == nil {
			t.Errorf("InitGaussian(%v, %v): no error", c.m, c.s)
		}
	}
	for _, c := range []struct{ lo, hi float64 }{{1, 0}, {math.NaN(), 1}, {0, math.Inf(1)}} {
		if err := ps.InitUniform(c.lo, c.hi, rand.NewPCG(1, 1)); err == nil {
			t.Errorf("InitUniform(%v, %v): no error", c.lo, c.hi)
		}
	}
}
