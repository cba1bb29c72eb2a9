package sde

import (
	"math"
	"strings"
	"testing"
)

func zeroF(dst []float64, _ float64, _ []float64) { clear(dst) }
func oneF(dst []float64, _ float64, _ []float64) {
	for i := range dst {
		dst[i] = 1
	}
}

// TestBadInput: each configuration error returns an error that names the
// offending field.
func TestBadInput(t *testing.T) {
	good := func() *System { return &System{Dim: 2, Drift: zeroF, Diffusion: oneF} }
	ts := []float64{0, 1}
	x0 := []float64{0, 0}
	for _, c := range []struct {
		name  string
		sys   *System
		m     Method
		x0    []float64
		ts    []float64
		set   *Settings
		field string
	}{
		{"nil drift", &System{Dim: 2, Diffusion: oneF}, EulerMaruyama{}, x0, ts, nil, "Drift"},
		{"nil diffusion", &System{Dim: 2, Drift: zeroF}, EulerMaruyama{}, x0, ts, nil, "Diffusion"},
		{"nil system", nil, EulerMaruyama{}, x0, ts, nil, "System"},
		{"nil method", good(), nil, x0, ts, nil, "Method"},
		{"zero dim", &System{Drift: zeroF, Diffusion: oneF}, EulerMaruyama{}, nil, ts, nil, "Dim"},
		{"bad noise dim", &System{Dim: 2, NoiseDim: 3, Drift: zeroF, Diffusion: oneF}, EulerMaruyama{}, x0, ts, nil, "NoiseDim"},
		{"general without noise dim", &System{Dim: 2, Noise: General, Drift: zeroF, Diffusion: oneF}, EulerMaruyama{}, x0, ts, nil, "NoiseDim"},
		{"bad kind", &System{Dim: 2, Noise: 9, Drift: zeroF, Diffusion: oneF}, EulerMaruyama{}, x0, ts, nil, "Noise"},
		{"negative step", good(), EulerMaruyama{}, x0, ts, &Settings{Step: -0.1}, "Step"},
		{"NaN step", good(), EulerMaruyama{}, x0, ts, &Settings{Step: math.NaN()}, "Step"},
		{"negative max steps", good(), EulerMaruyama{}, x0, ts, &Settings{MaxSteps: -1}, "MaxSteps"},
		{"unsorted ts", good(), EulerMaruyama{}, x0, []float64{0, 1, 0.5}, nil, "ts"},
		{"repeated ts", good(), EulerMaruyama{}, x0, []float64{0, 1, 1}, nil, "ts"},
		{"empty ts", good(), EulerMaruyama{}, x0, nil, nil, "ts"},
		{"NaN ts", good(), EulerMaruyama{}, x0, []float64{0, math.NaN()}, nil, "ts"},
		{"x0 length", good(), EulerMaruyama{}, []float64{0}, ts, nil, "x0"},
		{"brownian dim", good(), EulerMaruyama{}, x0, ts, &Settings{Brownian: NewIncrements(streamSrc(1, 0), 3)}, "Brownian"},
		{"levy area missing", &System{Dim: 2, Noise: Additive, Drift: zeroF, Diffusion: oneF}, SRA1{}, x0, ts, &Settings{Brownian: NewBrownianPath(streamSrc(1, 0), 2, 0)}, "Lévy area"},
		{"milstein without derivative", good(), Milstein{}, x0, ts, nil, "DiffusionDeriv"},
		{"SRA1 on diagonal noise", good(), SRA1{}, x0, ts, nil, "Noise"},
		{"reversible Heun with a domain", stratonovich(good()), ReversibleHeun{}, x0, ts, &Settings{Domain: ClampBox{Lo: 0, Hi: 1}}, "Domain"},
		{"bad domain", good(), EulerMaruyama{}, x0, ts, &Settings{Domain: FoldBox{Lo: 1, Hi: 0}}, "FoldBox"},
		{"negative rtol", stratonovich(good()), Heun{}, x0, ts, &Settings{Adaptive: true, RTol: -1}, "RTol"},
		{"adaptive with fresh increments", stratonovich(good()), Heun{}, x0, ts, &Settings{Adaptive: true, Brownian: NewIncrements(streamSrc(1, 0), 2)}, "Path"},
		{"max steps", good(), EulerMaruyama{}, x0, ts, &Settings{Step: 0.01, MaxSteps: 50}, "MaxSteps"},
	} {
		_, err := Solve(c.sys, c.m, c.x0, c.ts, c.set)
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		if !strings.HasPrefix(err.Error(), "sde: ") || !strings.Contains(err.Error(), c.field) {
			t.Errorf("%s: error %q does not start with \"sde: \" and name %q", c.name, err, c.field)
		}
	}
	// Ensemble-specific errors.
	for _, c := range []struct {
		name  string
		e     *Ensemble
		set   *Settings
		field string
	}{
		{"zero paths", &Ensemble{X0: x0}, nil, "Paths"},
		{"x0 length", &Ensemble{Paths: 2, X0: []float64{1}}, nil, "X0"},
		{"brownian", &Ensemble{Paths: 2, X0: x0}, &Settings{Brownian: NewIncrements(streamSrc(1, 0), 2)}, "Brownian"},
		{"nil", nil, nil, "Ensemble"},
	} {
		if _, err := SolveEnsemble(good(), EulerMaruyama{}, c.e, ts, c.set); err == nil || !strings.Contains(err.Error(), c.field) {
			t.Errorf("ensemble %s: error %v, want one naming %q", c.name, err, c.field)
		}
	}
}

// TestNonFinite: a solution that blows up (dX = X² dt from X0 = 1 explodes
// at t = 1) returns an error instead of Inf/NaN states.
func TestNonFinite(t *testing.T) {
	sys := &System{Dim: 1, Drift: func(dst []float64, _ float64, x []float64) { dst[0] = x[0] * x[0] }, Diffusion: zeroF}
	sol, err := Solve(sys, EulerMaruyama{}, []float64{1}, []float64{0, 0.5, 3}, &Settings{Step: 0.01})
	if err == nil || !strings.Contains(err.Error(), "non-finite") {
		t.Fatalf("error %v, want a non-finite state error", err)
	}
	// The output before the blow-up is kept; the unreached row is NaN.
	if v := sol.X.At(1, 0); !(v > 1 && v < 2.1) {
		t.Errorf("X(0.5) = %v, want ≈ 2", v)
	}
	if !math.IsNaN(sol.X.At(2, 0)) {
		t.Errorf("unreached X(3) = %v, want NaN", sol.X.At(2, 0))
	}
	if _, err := Solve(sys, EulerMaruyama{}, []float64{math.Inf(1)}, []float64{0, 1}, nil); err == nil {
		t.Error("infinite x0: no error")
	}
}

// TestShapePanics: kernels given slices of the wrong length panic with an
// "sde: " message.
func TestShapePanics(t *testing.T) {
	sys := &System{Dim: 2, Drift: zeroF, Diffusion: oneF}
	st, err := EulerMaruyama{}.NewStepper(sys)
	if err != nil {
		t.Fatal(err)
	}
	for name, f := range map[string]func(){
		"Step dst":          func() { st.Step(make([]float64, 3), 0, 0.1, make([]float64, 2), make([]float64, 2), nil) },
		"Step dw":           func() { st.Step(make([]float64, 2), 0, 0.1, make([]float64, 2), make([]float64, 1), nil) },
		"Increments":        func() { NewIncrements(streamSrc(1, 0), 2).Increment(make([]float64, 3), nil, 0, 1) },
		"BrownianPath.At":   func() { NewBrownianPath(streamSrc(1, 0), 2, 0).At(make([]float64, 2), -1) },
		"BrownianPath area": func() { NewBrownianPath(streamSrc(1, 0), 1, 0).Increment(make([]float64, 1), make([]float64, 1), 0, 1) },
		"EmpiricalMean":     func() { EmpiricalMean(make([]float64, 1), mat2x2()) },
		"Fold":              func() { Fold(0.5, 1, 1) },
	} {
		func() {
			defer func() {
				r := recover()
				msg, _ := r.(string)
				if r == nil || !strings.HasPrefix(msg, "sde: ") {
					t.Errorf("%s: recovered %v, want a panic with an \"sde: \" message", name, r)
				}
			}()
			f()
		}()
	}
}
