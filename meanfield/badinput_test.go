package meanfield

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestIterationsInvalid checks that an invalid schedule or horizon gives the documented −1
// instead of a converted NaN (math.MinInt64 on amd64), and that a valid one is unchanged.
func TestIterationsInvalid(t *testing.T) {
	ok := Schedule{Gamma: 1, Beta: 1, N: 10}
	for _, c := range []struct {
		name string
		s    Schedule
		T    float64
	}{
		{"Gamma NaN", Schedule{Gamma: math.NaN(), Beta: 1, N: 10}, 2},
		{"Gamma 0", Schedule{Gamma: 0, Beta: 1, N: 10}, 2},
		{"N 0", Schedule{Gamma: 1, Beta: 1}, 2},
		{"Alpha 1", Schedule{Gamma: 1, Beta: 1, Alpha: 1, N: 10}, 2},
		{"T NaN", ok, math.NaN()},
		{"T < 0", ok, -1},
		{"T Inf", ok, math.Inf(1)},
		{"overflow", ok, 1e300},
	} {
		if got := c.s.Iterations(c.T); got != -1 {
			t.Errorf("%s: Iterations = %d, want -1", c.name, got)
		}
	}
	// β = 1, α = 0: g_N = γ = 1, so T = 2 is 2 iterations.
	if got := ok.Iterations(2); got != 2 {
		t.Errorf("valid schedule: Iterations(2) = %d, want 2", got)
	}
}

// TestRunNegativeSteps checks that Run refuses a negative step count (it used to do
// nothing and return nil), naming the schedule's problem when there is one.
func TestRunNegativeSteps(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	pts := randomPoints(t, r, 9, 2, 1, false)
	u := TanhUnit(2)
	ps := randomParticles(t, 10, u.Dim(), 4)
	tr := Trainer{Unit: u, Loss: Squared{}, Method: GD, Data: pts, Schedule: Schedule{Gamma: 0.2, Beta: 1, N: ps.N}}
	if err := tr.Run(ps, 0, -3, nil); err == nil || !strings.Contains(err.Error(), "steps = -3") {
		t.Errorf("steps = -3: error %v, want one naming steps", err)
	}
	if err := tr.Run(ps, -1, 1, nil); err == nil || !strings.Contains(err.Error(), "first = -1") {
		t.Errorf("first = -1: error %v, want one naming first", err)
	}
	tr.Schedule.Gamma = math.NaN()
	err := tr.Run(ps, 0, tr.Schedule.Iterations(2), nil)
	if err == nil || !strings.Contains(err.Error(), "Schedule.Gamma = NaN") {
		t.Errorf("Iterations of a NaN-Gamma schedule: error %v, want one naming Schedule.Gamma", err)
	}
}

// TestGaussHermiteBadStd checks that a negative or non-finite std (or mean) is refused,
// and that std = 0 is accepted and puts every node at the mean.
func TestGaussHermiteBadStd(t *testing.T) {
	for _, c := range []struct {
		name      string
		mean, std []float64
		want      string
	}{
		{"std -1", []float64{0, 0}, []float64{1, -1}, "std[1] = -1"},
		{"std NaN", []float64{0}, []float64{math.NaN()}, "std[0] = NaN"},
		{"std Inf", []float64{0}, []float64{math.Inf(1)}, "std[0] = +Inf"},
		{"mean NaN", []float64{math.NaN()}, []float64{1}, "mean[0] = NaN"},
	} {
		if _, err := GaussHermiteParticles(3, c.mean, c.std); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
	ps, err := GaussHermiteParticles(3, []float64{0.5}, []float64{0})
	if err != nil {
		t.Fatal(err)
	}
	for k := range ps.N {
		if ps.Row(k)[0] != 0.5 {
			t.Errorf("std 0: node %d at %v, want the mean 0.5", k, ps.Row(k)[0])
		}
	}
}
