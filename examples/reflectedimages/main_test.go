package main

import (
	"math"
	"strings"
	"testing"

	"github.com/sdeml/sdeml/reflected"
)

func TestConfigBadInput(t *testing.T) {
	for _, c := range []struct {
		cfg  config
		want string
	}{
		{config{data: "cifar"}, `-data = "cifar"`},
		{config{data: "fashion", steps: -1}, "-steps = -1"},
		{config{data: "fashion", m: 5}, "-m = 5"},
		{config{data: "mnist", m: 600, nTrain: 500}, "-ntrain = 500"},
		{config{data: "fashion", sampler: reflected.Sampler{T0: -1}}, "-t0 = -1"},
		{config{data: "fashion", sampler: reflected.Sampler{Corrector: -2}}, "-corrector = -2"},
	} {
		if err := c.cfg.defaults(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want %q", c.cfg, err, c.want)
		}
	}
	var c config
	for _, bad := range [][2]string{{"rk4", "tweedie"}, {"em", "last"}} {
		if err := c.parseSampler(bad[0], bad[1]); err == nil || !strings.Contains(err.Error(), "-scheme = \"rk4\"") && !strings.Contains(err.Error(), "-final = \"last\"") {
			t.Errorf("parseSampler(%q, %q): %v", bad[0], bad[1], err)
		}
	}
	// -scheme auto: the ODE for the reflected process, EM for the free one; a named scheme
	// applies to both.
	for _, sc := range []struct {
		flag       string
		refl, free reflected.Scheme
	}{{"auto", reflected.SchemeODE, reflected.SchemeEM}, {"ode", reflected.SchemeODE, reflected.SchemeODE}, {"em", reflected.SchemeEM, reflected.SchemeEM}} {
		var a config
		if err := a.parseSampler(sc.flag, "tweedie"); err != nil {
			t.Fatal(err)
		}
		r, f := a.samplerFor(reflected.Reflected), a.samplerFor(reflected.Free)
		if r.Scheme != sc.refl || f.Scheme != sc.free || r.Process != reflected.Reflected || f.Process != reflected.Free || r.Final != reflected.FinalTweedie {
			t.Errorf("-scheme %s: reflected %v/%v, free %v/%v; want %v and %v", sc.flag, r.Scheme, r.Process, f.Scheme, f.Process, sc.refl, sc.free)
		}
	}
	q := config{data: "fashion", quick: true}
	if err := q.defaults(); err != nil || q.steps != 100 || q.m != 128 {
		t.Errorf("-quick defaults: %+v, %v", q, err)
	}
}

// TestMeanNearest checks the early-exit nearest-neighbour search against the plain one.
func TestMeanNearest(t *testing.T) {
	const D = 784
	x, pool := make([]float64, 3*D), make([]float64, 4*D)
	for i := range x {
		x[i] = math.Mod(float64(i)*0.37, 1)
	}
	for i := range pool {
		pool[i] = math.Mod(float64(i)*0.61, 1)
	}
	var want float64
	for i := range 3 {
		best := math.Inf(1)
		for j := range 4 {
			var s float64
			for k := range D {
				e := x[i*D+k] - pool[j*D+k]
				s += e * e
			}
			best = min(best, s)
		}
		want += math.Sqrt(best) / 3
	}
	if got := meanNearest(x, pool); math.Abs(got-want) > 1e-12 {
		t.Errorf("meanNearest %v, want %v", got, want)
	}
}
