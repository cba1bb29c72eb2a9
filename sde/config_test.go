package sde

import (
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestConfigErrors: the constructors outside Solve (NewBrownianTree,
// Particles.System, ConvergenceStudy, the box domains) return an error that
// starts with "sde: " and names the offending field or argument, and
// accept the corresponding valid configuration.
func TestConfigErrors(t *testing.T) {
	check := func(name string, err error, field string) {
		t.Helper()
		if err == nil {
			t.Errorf("%s: no error", name)
			return
		}
		if !strings.HasPrefix(err.Error(), "sde: ") || !strings.Contains(err.Error(), field) {
			t.Errorf("%s: error %q does not start with \"sde: \" and name %q", name, err, field)
		}
	}

	// NewBrownianTree.
	for _, c := range []struct {
		name       string
		m          int
		t0, t1, tl float64
		field      string
	}{
		{"tree m = 0", 0, 0, 1, 1e-6, "m = 0"},
		{"tree t1 = t0", 1, 1, 1, 1e-6, "t0 < t1"},
		{"tree t1 < t0", 1, 1, 0, 1e-6, "t0 < t1"},
		{"tree infinite t1", 1, 0, math.Inf(1), 1e-6, "t0 < t1"},
		{"tree tol = 0", 1, 0, 1, 0, "tol"},
		{"tree negative tol", 1, 0, 1, -1, "tol"},
	} {
		_, err := NewBrownianTree(1, c.m, c.t0, c.t1, c.tl)
		check(c.name, err, c.field)
	}
	if _, err := NewBrownianTree(1, 2, 0, 1, 1e-6); err != nil {
		t.Errorf("valid tree: %v", err)
	}

	// Particles.System.
	pd := func(dst *mat.Dense, _ float64, _ *mat.Dense) { dst.Zero() }
	for _, c := range []struct {
		name  string
		p     Particles
		field string
	}{
		{"particles N = 0", Particles{N: 0, D: 1, Drift: pd, Diffusion: pd}, "Particles.N"},
		{"particles D < 0", Particles{N: 2, D: -1, Drift: pd, Diffusion: pd}, "Particles.D"},
		{"particles scalar noise", Particles{N: 2, D: 1, Noise: Scalar, Drift: pd, Diffusion: pd}, "Particles.Noise"},
		{"particles nil drift", Particles{N: 2, D: 1, Diffusion: pd}, "Particles.Drift"},
		{"particles nil diffusion", Particles{N: 2, D: 1, Drift: pd}, "Particles.Diffusion"},
	} {
		_, err := c.p.System()
		check(c.name, err, c.field)
	}
	if _, err := (&Particles{N: 2, D: 1, Drift: pd, Diffusion: pd}).System(); err != nil {
		t.Errorf("valid particles: %v", err)
	}

	// Box domains (through Solve, where they are validated).
	for _, d := range []Domain{FoldBox{Lo: 0, Hi: 0}, FoldBox{Lo: math.NaN(), Hi: 1}, ClampBox{Lo: 2, Hi: 1}, ClampBox{Lo: 0, Hi: math.Inf(1)}} {
		sys := &System{Dim: 1, Drift: zeroF, Diffusion: oneF}
		_, err := Solve(sys, EulerMaruyama{}, []float64{0.5}, []float64{0, 1}, &Settings{Domain: d})
		check("domain", err, "Box{Lo:")
	}

	// ConvergenceStudy.
	p := AdditiveProblem(1)
	noExact := *p
	noExact.Exact = nil
	good := func() ConvergenceSettings { return ConvergenceSettings{Steps: []int{4, 8}, Paths: 10} }
	for _, c := range []struct {
		name  string
		p     *Problem
		mod   func(*ConvergenceSettings)
		field string
	}{
		{"study zero paths", p, func(c *ConvergenceSettings) { c.Paths = 0 }, "Paths"},
		{"study one level", p, func(c *ConvergenceSettings) { c.Steps = []int{8} }, "Steps"},
		{"study zero steps", p, func(c *ConvergenceSettings) { c.Steps = []int{0, 8} }, "Steps contains 0"},
		{"study negative steps", p, func(c *ConvergenceSettings) { c.Steps = []int{-4, 8} }, "Steps contains -4"},
		{"study non-dividing steps", p, func(c *ConvergenceSettings) { c.Steps = []int{3, 8} }, "FineSteps"},
		{"study no reference", &noExact, func(*ConvergenceSettings) {}, "Reference"},
		{"study x0 length", &Problem{Name: "bad", Sys: p.Sys, X0: []float64{1, 2}, T: 1, Exact: p.Exact}, func(*ConvergenceSettings) {}, "X0"},
		{"study T = 0", &Problem{Name: "bad", Sys: p.Sys, X0: p.X0, T: 0, Exact: p.Exact}, func(*ConvergenceSettings) {}, "Problem.T"},
	} {
		cs := good()
		c.mod(&cs)
		_, err := ConvergenceStudy(c.p, EulerMaruyama{}, &cs)
		check(c.name, err, c.field)
	}
	_, err := ConvergenceStudy(nil, EulerMaruyama{}, &ConvergenceSettings{})
	check("study nil problem", err, "nil Problem")
	cs := good()
	if _, err := ConvergenceStudy(p, EulerMaruyama{}, &cs); err != nil {
		t.Errorf("valid study: %v", err)
	}
}
