package sde

import (
	"math"
	"strings"
	"testing"

	"github.com/sdeml/sdeml/internal/parallel"
)

// TestSRIGeneralStepExact: on the non-commuting problem, whose diffusion is
// affine in x, the central difference is exact, so one step equals the
// Milstein step X + f h + g ΔW + Σ_{l,k} (∂g_·k g_·l) Î_(l,k) with the
// Jacobians ∂g_·1 = [[0,0],[0,0.2]], ∂g_·2 = [[0,0],[0.6,0]] written out
// (to rounding).
func TestSRIGeneralStepExact(t *testing.T) {
	p := nonCommuting()
	st, err := SRIGeneral{}.NewStepper(p.Sys)
	if err != nil {
		t.Fatal(err)
	}
	x := []float64{0.7, -0.4}
	dw := []float64{0.13, -0.21}
	a := []float64{0.017}
	h := 0.05
	got := make([]float64, 2)
	st.(areaStepper).StepArea(got, 0, h, x, dw, a)
	iter := [2][2]float64{
		{0.5 * (dw[0]*dw[0] - h), 0.5*dw[0]*dw[1] + a[0]},
		{0.5*dw[0]*dw[1] - a[0], 0.5 * (dw[1]*dw[1] - h)},
	}
	f := []float64{0.1*x[1] - 0.5*x[0], -0.5 * x[1]}
	g := [2][2]float64{{0.5, 0}, {0.2 * x[1], 0.6 * x[0]}}          // g[i][k]
	jac := [2][2][2]float64{{{0, 0}, {0, 0.2}}, {{0, 0}, {0.6, 0}}} // jac[k][i][j] = ∂g_ik/∂x_j
	for i := range 2 {
		want := x[i] + h*f[i] + g[i][0]*dw[0] + g[i][1]*dw[1]
		for l := range 2 {
			for k := range 2 {
				var lg float64
				for j := range 2 {
					lg += jac[k][i][j] * g[j][l]
				}
				want += lg * iter[l][k]
			}
		}
		if math.Abs(got[i]-want) > 1e-15 {
			t.Errorf("x[%d] = %v, want %v", i, got[i], want)
		}
	}
}

// countingSystem wraps sys with separate Drift and Diffusion callbacks that
// count their calls.
func countingSystem(sys *System, nf, ng *int) *System {
	c := *sys
	drift, diff := sys.Drift, sys.Diffusion
	c.Drift = func(dst []float64, t float64, x []float64) { *nf++; drift(dst, t, x) }
	c.Diffusion = func(dst []float64, t float64, x []float64) { *ng++; diff(dst, t, x) }
	return &c
}

// TestSRIGeneralOrderAndCost: strong order 1 ± 0.15 on the non-commuting
// problem (ConvergenceStudy, 400 paths, fine reference at h = 1/2048 by
// MilsteinGeneral on the same increments and areas, as in
// TestMilsteinGeneralOrder), and through Solve on a user PathLevy path
// (reference SRIGeneral at h = 1/1024 on the same path); and the cost per
// step counted exactly: one drift and 2m + 1 = 5 diffusion evaluations
// against MilsteinGeneral's one and m + 1 = 3. Measured (loaded host):
// SRIGeneral errors 0.0142, 0.0071, 0.0035, 0.0017 (order 1.023) against
// MilsteinGeneral's 0.0171, 0.0091, 0.0046, 0.0022 (0.981) at the same h;
// on the PathLevy path order 1.020.
func TestSRIGeneralOrderAndCost(t *testing.T) {
	skipStatisticalUnderRace(t)
	p := nonCommuting()
	c := &ConvergenceSettings{Steps: []int{16, 32, 64, 128}, FineSteps: 2048, Paths: 400, Seed: 3, Reference: MilsteinGeneral{}}
	errs := map[string][]float64{}
	for _, m := range []Method{SRIGeneral{}, MilsteinGeneral{}} {
		res, err := ConvergenceStudy(p, m, c)
		if err != nil {
			t.Fatal(err)
		}
		errs[m.Name()] = res.Strong
		t.Logf("%s: errors %.3g, order %.3f", m.Name(), res.Strong, res.StrongOrder)
		if math.Abs(res.StrongOrder-1) > 0.15 {
			t.Errorf("%s: strong order %v, want 1 ± 0.15", m.Name(), res.StrongOrder)
		}
	}
	order, e := pathOrder(t, nonCommuting(), SRIGeneral{}, PathLevy, 200, 1024, []int{8, 16, 32, 64}, false)
	t.Logf("SRIGeneral on a PathLevy path: errors %.3g, order %.3f", e, order)
	if math.Abs(order-1) > 0.15 {
		t.Errorf("SRIGeneral on a PathLevy path: strong order %v, want 1 ± 0.15", order)
	}
	for _, tc := range []struct {
		m      Method
		nf, ng int
	}{{SRIGeneral{}, 1, 5}, {MilsteinGeneral{}, 1, 3}} {
		var nf, ng int
		sys := countingSystem(p.Sys, &nf, &ng)
		const steps = 50
		if _, err := Solve(sys, tc.m, p.X0, []float64{0, 1}, &Settings{Step: 1.0 / steps, Seed: 1}); err != nil {
			t.Fatal(err)
		}
		if nf != tc.nf*steps || ng != tc.ng*steps {
			t.Errorf("%s: %d drift and %d diffusion calls in %d steps, want %d and %d per step", tc.m.Name(), nf, ng, steps, tc.nf, tc.ng)
		}
	}
}

// TestSRIGeneralBadInput: one Brownian motion (no area needed), a
// diagonal system, and a path without Lévy areas.
func TestSRIGeneralBadInput(t *testing.T) {
	one := &System{Dim: 1, NoiseDim: 1, Noise: General,
		Drift:     func(dst []float64, _ float64, x []float64) { dst[0] = 0 },
		Diffusion: func(dst []float64, _ float64, x []float64) { dst[0] = x[0] }}
	if _, err := Solve(one, SRIGeneral{}, []float64{1}, []float64{0, 1}, nil); err == nil || !strings.Contains(err.Error(), "NoiseDim = 1") || !strings.Contains(err.Error(), "none is needed") {
		t.Errorf("NoiseDim 1: err = %v", err)
	}
	diag := &System{Dim: 1, Drift: one.Drift, Diffusion: one.Diffusion}
	if _, err := Solve(diag, SRIGeneral{}, []float64{1}, []float64{0, 1}, nil); err == nil || !strings.Contains(err.Error(), "does not support") {
		t.Errorf("diagonal noise: err = %v", err)
	}
	p := nonCommuting()
	path := NewBrownianPath(parallel.Stream(1, 0), 2, 0)
	if _, err := Solve(p.Sys, SRIGeneral{}, p.X0, []float64{0, 1}, &Settings{Brownian: path}); err == nil || !strings.Contains(err.Error(), "PathLevy") {
		t.Errorf("BrownianPath without areas: err = %v", err)
	}
}
