package sde

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
)

// TestFold checks Fold against its defining symmetries: values land in
// [lo, hi], points inside are fixed, Fold is 2L-periodic and mirror
// symmetric about lo (Fold(2lo − x) = Fold(x)), up to the rounding of the
// shifted arguments (1e-12 on O(10) values).
func TestFold(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 3))
	for _, b := range [][2]float64{{0, 1}, {-2, 3}, {0.25, 0.5}} {
		lo, hi := b[0], b[1]
		l := hi - lo
		for range 10000 {
			x := lo + (rng.Float64()-0.5)*20*l
			f := Fold(x, lo, hi)
			if f < lo || f > hi {
				t.Fatalf("Fold(%v, %v, %v) = %v outside", x, lo, hi, f)
			}
			if x >= lo && x <= hi && f != x {
				t.Fatalf("Fold(%v) = %v, want the point itself", x, f)
			}
			for _, g := range []float64{Fold(x+2*l, lo, hi), Fold(2*lo-x, lo, hi), Fold(2*hi-x, lo, hi)} {
				if math.Abs(g-f) > 1e-12 {
					t.Fatalf("Fold symmetry broken at x = %v: %v vs %v", x, g, f)
				}
			}
		}
	}
}

// reflectedCDF is the CDF at x of standard Brownian motion started at y and
// reflected on [0, 1] at time t (method of images, Neumann heat kernel):
// F(x) = Σ_k Φ((2k + x − y)/√t) − Φ((2k − x − y)/√t). Terms with |k| > 40
// are below 1e-300 for t ≤ 10.
func reflectedCDF(x, y, t float64) float64 {
	s := math.Sqrt(t)
	var f float64
	for k := -40; k <= 40; k++ {
		f += distuv.UnitNormal.CDF((2*float64(k)+x-y)/s) - distuv.UnitNormal.CDF((2*float64(k)-x-y)/s)
	}
	return f
}

// TestReflectedBrownian: Euler–Maruyama with f = 0, g = 1 plus FoldBox{0,1}
// samples reflected Brownian motion exactly, so the marginal at t = 0.3 (and
// t = 2, near uniform) from y = 0.2 passes a KS test against the analytic
// Neumann heat-kernel CDF with 20000 paths.
func TestReflectedBrownian(t *testing.T) {
	skipStatisticalUnderRace(t)
	t.Parallel()
	sys := &System{
		Dim: 1, Noise: Additive,
		Drift:     func(dst []float64, _ float64, _ []float64) { dst[0] = 0 },
		Diffusion: func(dst []float64, _ float64, _ []float64) { dst[0] = 1 },
	}
	const y = 0.2
	ts := []float64{0, 0.3, 2}
	sol, err := SolveEnsemble(sys, EulerMaruyama{}, &Ensemble{Paths: 20000, Seed: 4, X0: []float64{y}, Store: true}, ts,
		&Settings{Step: 0.01, Domain: FoldBox{Lo: 0, Hi: 1}})
	if err != nil {
		t.Fatal(err)
	}
	for k := 1; k < len(ts); k++ {
		x := append([]float64(nil), sol.X[k].RawMatrix().Data...)
		ksCheck(t, "reflected BM", x, func(v float64) float64 { return reflectedCDF(v, y, ts[k]) })
	}
	// The CDF itself: F(1) = 1 and F(0) = 0 (to 1e-15 rounding).
	if f := reflectedCDF(1, y, 0.3); math.Abs(f-1) > 1e-15 {
		t.Errorf("F(1) = %v", f)
	}
}

// TestClampBoxAtoms: clamping leaves an atom at the boundary (the reason it
// is not a reflection scheme): with h = 0.01 from y = 0.05, a positive
// fraction of the paths sit exactly on 0 at t = 0.3, while FoldBox puts
// none there.
func TestClampBoxAtoms(t *testing.T) {
	sys := &System{
		Dim: 1, Noise: Additive,
		Drift:     func(dst []float64, _ float64, _ []float64) { dst[0] = 0 },
		Diffusion: func(dst []float64, _ float64, _ []float64) { dst[0] = 1 },
	}
	count := func(d Domain) int {
		sol, err := SolveEnsemble(sys, EulerMaruyama{}, &Ensemble{Paths: 2000, Seed: 5, X0: []float64{0.05}, Store: true}, []float64{0, 0.3}, &Settings{Step: 0.01, Domain: d})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, v := range sol.X[1].RawMatrix().Data {
			if v == 0 || v == 1 {
				n++
			}
		}
		return n
	}
	// A clamped path stays on the boundary after the next step with
	// probability ½; at t = 0.3 about 13% of paths sit on a boundary (253 of
	// 2000 with seed 5). Requiring only 20 leaves a > 15-SD binomial margin;
	// any atom shows the bias.
	if n := count(ClampBox{0, 1}); n < 20 {
		t.Errorf("ClampBox: %d of 2000 paths on the boundary, want an atom", n)
	}
	if n := count(FoldBox{0, 1}); n != 0 {
		t.Errorf("FoldBox: %d paths exactly on the boundary", n)
	}
}
