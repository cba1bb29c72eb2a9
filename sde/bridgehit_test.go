package sde

import (
	"gonum.org/v1/gonum/stat"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestBridgeHitFraction compares the sampled hitting fraction θ of a Brownian bridge with
// hitting times of simulated bridges (an independent computation): 4000-substep paths of
// the bridge from a to c over h (Brownian motion pinned by W(s) − (s/h)(W(h) − c + a)),
// monitored at the substeps with the same bridge-crossing correction inside each substep
// (so the fine grid's own O(√δ) miss is removed, and the residual placement error is
// δ/h = 1/4000). Cases: c on a's side (the hit is rare) and c beyond the level (certain).
// Bound: two-sample Kolmogorov–Smirnov distance below the α = 10⁻³ critical value
// 1.95·√((n₁ + n₂)/(n₁n₂)), plus 1/4000 for the placement.
func TestBridgeHitFraction(t *testing.T) {
	skipStatisticalUnderRace(t)
	const sub, n = 4000, 4000
	for _, c := range []struct{ a, c, l, v, h float64 }{
		{0.3, 0.2, 0, 1, 0.1},   // same side: p = e^{−1.2} = 0.30
		{0.3, -0.1, 0, 2, 0.05}, // beyond the level
	} {
		rng := rand.New(rand.NewPCG(5, 6))
		var sim []float64
		dt := c.h / sub
		w := make([]float64, sub+1)
		for len(sim) < n {
			for k := 1; k <= sub; k++ {
				w[k] = w[k-1] + math.Sqrt(c.v*dt)*rng.NormFloat64()
			}
			end := w[sub]
			hit := -1.0
			prev := c.a
			for k := 1; k <= sub; k++ {
				x := c.a + w[k] - float64(k)/sub*(end-(c.c-c.a))
				if (x-c.l)*(c.a-c.l) <= 0 || rng.Float64() < bridgeCross(prev, x, c.l, c.v, dt) {
					hit = (float64(k) - 0.5) / sub
					break
				}
				prev = x
			}
			if hit >= 0 {
				sim = append(sim, hit)
			}
		}
		src := rand.NewPCG(7, 8)
		got := make([]float64, n)
		for i := range got {
			got[i] = bridgeHitFraction(c.a, c.c, c.l, c.v, c.h, src)
			if !(got[i] >= 0 && got[i] <= 1) {
				t.Fatalf("θ = %v outside [0, 1]", got[i])
			}
		}
		d := ks2(got, sim)
		crit := 1.95*math.Sqrt(2.0/n) + 1.0/sub
		t.Logf("a = %v, c = %v: mean θ sampled %.4f, simulated %.4f; KS %.4f (bound %.4f)", c.a, c.c, stat.Mean(got, nil), stat.Mean(sim, nil), d, crit)
		if d > crit {
			t.Errorf("a = %v, c = %v: KS distance %.4f > %.4f", c.a, c.c, d, crit)
		}
	}
	src := rand.NewPCG(1, 1)
	if th := bridgeHitFraction(0, 0.5, 0, 1, 1, src); th != 0 {
		t.Errorf("start on the level: θ = %v, want 0", th)
	}
	if th := bridgeHitFraction(0.5, 0, 0, 1, 1, src); th != 1 {
		t.Errorf("end on the level: θ = %v, want 1", th)
	}
}

// ks2 is the two-sample Kolmogorov–Smirnov distance.
func ks2(a, b []float64) float64 {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	var d float64
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		x := math.Min(a[i], b[j])
		for i < len(a) && a[i] <= x {
			i++
		}
		for j < len(b) && b[j] <= x {
			j++
		}
		d = math.Max(d, math.Abs(float64(i)/float64(len(a))-float64(j)/float64(len(b))))
	}
	return d
}
