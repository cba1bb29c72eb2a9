package sde

import (
	"math"
	"testing"
)

// scalarGBM is a 2-D system with Scalar noise (one Brownian motion for both
// components): dX_i = a_i X_i dt + b_i X_i dW, a = (0.5, −0.3),
// b = (0.6, 0.4), X0 = (1, 0.5), T = 1. Closed form
// X_i(t) = X0_i exp(c_i t + b_i W_t) with c_i = a_i − b_i²/2 (Itô) or
// c_i = a_i (Stratonovich). (∂g/∂x)g = (b_i² x_i): one noise, so the noise
// commutes.
func scalarGBM(stratonovich bool) *Problem {
	a, b := [2]float64{0.5, -0.3}, [2]float64{0.6, 0.4}
	c := a
	name := "scalar 2-D (Itô)"
	if stratonovich {
		name = "scalar 2-D (Stratonovich)"
	} else {
		for i := range c {
			c[i] -= b[i] * b[i] / 2
		}
	}
	cal := Ito
	if stratonovich {
		cal = Stratonovich
	}
	return &Problem{
		Name: name,
		Sys: &System{
			Dim: 2, Noise: Scalar, Calculus: cal,
			Drift: func(dst []float64, _ float64, x []float64) {
				dst[0], dst[1] = a[0]*x[0], a[1]*x[1]
			},
			Diffusion: func(dst []float64, _ float64, x []float64) {
				dst[0], dst[1] = b[0]*x[0], b[1]*x[1]
			},
			DiffusionDeriv: func(dst []float64, _ float64, x []float64) {
				dst[0], dst[1] = b[0]*b[0]*x[0], b[1]*b[1]*x[1]
			},
		},
		X0: []float64{1, 0.5},
		T:  1,
		Exact: func(dst []float64, t float64, x0, w []float64) {
			for i := range dst {
				dst[i] = x0[i] * math.Exp(c[i]*t+b[i]*w[0])
			}
		},
	}
}

// TestStrongOrderScalar: the strong orders of Method.Order for Scalar noise
// (d = 2, m = 1), fitted as in TestStrongOrder over h = 2^-3 … 2^-8 and
// checked within ±0.15. Calibration with 4000 paths over -orderseed 1…30
// (mean ± SD of the slope): EM 0.528 ± 0.016, Milstein 0.975 ± 0.005,
// MilsteinDF 0.959 ± 0.009, SRID2 1.505 ± 0.018, Heun and Midpoint
// 1.003 ± 0.012, EulerHeun 0.967 ± 0.003; the smallest margin to the band
// is 7.4 SD (EM), so a correct implementation fails a row with
// probability far below 1e-6.
func TestStrongOrderScalar(t *testing.T) {
	skipStatisticalUnderRace(t)
	t.Parallel()
	for _, c := range []struct {
		p     *Problem
		m     Method
		want  float64
		paths int
	}{
		{scalarGBM(false), EulerMaruyama{}, 0.5, 4000},
		{scalarGBM(false), Milstein{}, 1, 4000},
		{scalarGBM(false), Milstein{DerivativeFree: true}, 1, 4000},
		{scalarGBM(false), SRID2{}, 1.5, 4000},
		{scalarGBM(true), Heun{}, 1, 4000},
		{scalarGBM(true), EulerHeun{}, 1, 4000},
		{scalarGBM(true), Midpoint{}, 1, 4000},
	} {
		if s, _ := c.m.Order(Scalar); s != c.want {
			t.Fatalf("%s: Order(Scalar) = %v, the table row says %v", c.m.Name(), s, c.want)
		}
		r, err := ConvergenceStudy(c.p, c.m, &ConvergenceSettings{Steps: []int{8, 16, 32, 64, 128, 256}, Paths: c.paths, Seed: *orderSeed})
		if err != nil {
			t.Fatalf("%s / %s: %v", c.p.Name, c.m.Name(), err)
		}
		if math.Abs(r.StrongOrder-c.want) > 0.15 {
			t.Errorf("%s / %s: strong order %.3f, want %.2f ± 0.15 (errors %.3g)", c.p.Name, c.m.Name(), r.StrongOrder, c.want, r.Strong)
		}
		if testing.Verbose() {
			t.Logf("%-26s %-16s order %.3f (theory %.1f)", c.p.Name, c.m.Name(), r.StrongOrder, c.want)
		}
	}
}
