package sde

import (
	"math"
	"strings"
	"testing"
)

// TestFitOrderBadErrors checks that an error of exactly 0 (or a non-positive h, or equal
// h everywhere) gives an error instead of a NaN slope, and that a clean power law is fitted
// exactly: err = 3·h² has log err = log 3 + 2 log h, so slope 2 and intercept log 3 up to
// rounding (1e-12).
func TestFitOrderBadErrors(t *testing.T) {
	h := []float64{0.5, 0.25, 0.125}
	for _, c := range []struct {
		name   string
		h, err []float64
		want   string
	}{
		{"zero error", h, []float64{0.1, 0, 0.01}, "err[1] = 0"},
		{"negative error", h, []float64{0.1, -0.01, 0.01}, "err[1] = -0.01"},
		{"NaN error", h, []float64{0.1, math.NaN(), 0.01}, "err[1] = NaN"},
		{"zero h", []float64{0.5, 0, 0.125}, []float64{0.1, 0.05, 0.01}, "h[1] = 0"},
		{"equal h", []float64{0.5, 0.5, 0.5}, []float64{0.1, 0.05, 0.01}, "all h = 0.5"},
	} {
		s, _, err := FitOrder(c.h, c.err)
		if err == nil || !strings.Contains(err.Error(), c.want) || !math.IsNaN(s) {
			t.Errorf("%s: slope %v, error %v, want NaN and an error containing %q", c.name, s, err, c.want)
		}
	}
	e := make([]float64, len(h))
	for i, v := range h {
		e[i] = 3 * v * v
	}
	s, c, err := FitOrder(h, e)
	if err != nil || math.Abs(s-2) > 1e-12 || math.Abs(c-math.Log(3)) > 1e-12 {
		t.Errorf("3h²: slope %v, intercept %v, error %v, want 2, log 3, nil", s, c, err)
	}
}
