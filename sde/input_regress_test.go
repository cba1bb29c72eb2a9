package sde

import (
	"errors"
	"math"
	"strings"
	"testing"
)

// TestBrownianRangeUpFront: a caller's BrownianTree on [0, 1] with output
// times up to 2 (which panicked inside the solve) and a BrownianPath that
// starts after ts[0] are rejected by Solve before any step, with an error
// naming the interval and the times.
func TestBrownianRangeUpFront(t *testing.T) {
	p := LinearProblem(false)
	tr, err := NewBrownianTree(1, 1, 0, 1, 1e-6)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		set  *Settings
		ts   []float64
		want string
	}{
		{"tree, ts beyond T1", &Settings{Brownian: tr}, []float64{0, 1, 2}, "BrownianTree on [0, 1], but the output times span [ts[0], ts[2]] = [0, 2]"},
		{"tree, adaptive, ts beyond T1", &Settings{Brownian: tr, Adaptive: true}, []float64{0, 2}, "[ts[0], ts[1]] = [0, 2]"},
		{"tree, ts before T0", &Settings{Brownian: tr}, []float64{-0.5, 1}, "= [-0.5, 1]"},
		{"path starting late", &Settings{Brownian: NewBrownianPath(streamSrc(1, 0), 1, 0.5), Adaptive: true}, []float64{0, 1}, "BrownianPath starting at 0.5, after ts[0] = 0"},
	} {
		var sol *Solution
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("%s: panic %v", c.name, r)
				}
			}()
			sol, err = Solve(p.Sys, Milstein{}, p.X0, c.ts, c.set)
		}()
		if err == nil || !strings.HasPrefix(err.Error(), "sde: Settings.Brownian") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
		if sol != nil {
			t.Errorf("%s: a Solution was returned with the error", c.name)
		}
	}
	// Inside the interval the caller's tree is accepted.
	if _, err := Solve(p.Sys, Milstein{}, p.X0, []float64{0, 0.5, 1}, &Settings{Brownian: tr}); err != nil {
		t.Errorf("tree covering ts: %v", err)
	}
}

// TestEnsembleNeedsOutput: SolveEnsemble with none of Store, Moments and
// Observe is an error (it would compute every path and return nothing).
func TestEnsembleNeedsOutput(t *testing.T) {
	p := LinearProblem(false)
	_, err := SolveEnsemble(p.Sys, EulerMaruyama{}, &Ensemble{Paths: 10, X0: p.X0}, []float64{0, 1}, nil)
	if err == nil || !strings.Contains(err.Error(), "Store, Moments and Observe") {
		t.Errorf("error %v, want one naming Store, Moments and Observe", err)
	}
	if _, err := SolveEnsemble(p.Sys, EulerMaruyama{}, &Ensemble{Paths: 10, X0: p.X0, Observe: func(int, int, []float64) {}}, []float64{0, 1}, nil); err != nil {
		t.Errorf("Observe only: %v", err)
	}
}

// TestSinglePrefix: a failing path's error carries one "sde: " prefix, in
// SolveEnsemble and in ConvergenceStudy, and still unwraps to the path's
// error.
func TestSinglePrefix(t *testing.T) {
	blow := &System{Dim: 1,
		Drift:     func(dst []float64, _ float64, x []float64) { dst[0] = x[0] * x[0] * 1e3 },
		Diffusion: func(dst []float64, _ float64, _ []float64) { dst[0] = 0.1 },
	}
	_, err := SolveEnsemble(blow, EulerMaruyama{}, &Ensemble{Paths: 2, X0: []float64{5}, Moments: true}, []float64{0, 1}, nil)
	if err == nil || strings.Count(err.Error(), "sde:") != 1 || !strings.HasPrefix(err.Error(), "sde: path 0: non-finite state") {
		t.Errorf("ensemble error %q, want one prefix: \"sde: path 0: non-finite state …\"", err)
	}
	var ce *contextError
	if !errors.As(err, &ce) || !strings.HasPrefix(errors.Unwrap(err).Error(), "sde: non-finite") {
		t.Errorf("ensemble error %q does not unwrap to the path error", err)
	}
	p := &Problem{Name: "blow-up", Sys: blow, X0: []float64{5}, T: 1, Exact: func(dst []float64, _ float64, x0, _ []float64) { dst[0] = math.Inf(1) }}
	_, err = ConvergenceStudy(p, EulerMaruyama{}, &ConvergenceSettings{Steps: []int{8, 16}, Paths: 2})
	if err == nil || strings.Count(err.Error(), "sde:") != 1 {
		t.Errorf("ConvergenceStudy error %q, want one \"sde:\" prefix", err)
	}
}
