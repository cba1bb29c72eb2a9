package sde

import (
	"math"
	"testing"
)

// TestConvertFillsCallbacks: the converted System has Drift, Diffusion and
// DriftDiffusion, all consistent, whichever callbacks the input had. On
// dX = aX dt + bX dW (Itô) the Stratonovich drift is (a − b²/2)x, since
// (∂g/∂x) g = b²x; the central difference of Convert is exact on a
// diffusion linear in x up to rounding (1e-9 relative covers ε = 6e-6
// times the rounding of g(x ± εv)).
func TestConvertFillsCallbacks(t *testing.T) {
	const a, b = 0.7, 0.4
	drift := func(d []float64, _ float64, x []float64) { d[0], d[1] = a*x[0], a*x[1] }
	diff := func(d []float64, _ float64, x []float64) { d[0], d[1] = b*x[0], b*x[1] }
	fused := func(f, g []float64, t float64, x []float64) { drift(f, t, x); diff(g, t, x) }
	for _, c := range []struct {
		name string
		sys  System
	}{
		{"separate", System{Dim: 2, Drift: drift, Diffusion: diff}},
		{"fused", System{Dim: 2, DriftDiffusion: fused}},
		{"batch", System{Dim: 2, BatchDriftDiffusion: fused}},
		{"separate+deriv", System{Dim: 2, Drift: drift, Diffusion: diff,
			DiffusionDeriv: func(d []float64, _ float64, x []float64) { d[0], d[1] = b*b*x[0], b*b*x[1] }}},
	} {
		for _, to := range []Calculus{Stratonovich, Ito} {
			in := c.sys
			in.Calculus = 1 - to
			cs, err := Convert(&in, to)
			if err != nil {
				t.Fatal(err)
			}
			if cs.Drift == nil || cs.Diffusion == nil || cs.DriftDiffusion == nil {
				t.Fatalf("%s → %v: Drift %v, Diffusion %v, DriftDiffusion %v nil", c.name, to, cs.Drift == nil, cs.Diffusion == nil, cs.DriftDiffusion == nil)
			}
			sign := -0.5
			if to == Ito {
				sign = 0.5
			}
			x := []float64{1.3, -0.6}
			f, g, f2, g2 := make([]float64, 2), make([]float64, 2), make([]float64, 2), make([]float64, 2)
			cs.Drift(f, 0, x)
			cs.Diffusion(g, 0, x)
			cs.DriftDiffusion(f2, g2, 0, x)
			for i := range x {
				wantF, wantG := (a+sign*b*b)*x[i], b*x[i]
				if math.Abs(f[i]-wantF) > 1e-9*math.Abs(wantF) || f2[i] != f[i] {
					t.Errorf("%s → %v: drift[%d] = %v (Drift), %v (DriftDiffusion), want %v", c.name, to, i, f[i], f2[i], wantF)
				}
				if g[i] != wantG || g2[i] != wantG {
					t.Errorf("%s → %v: diffusion[%d] = %v, %v, want %v", c.name, to, i, g[i], g2[i], wantG)
				}
			}
		}
	}
}
