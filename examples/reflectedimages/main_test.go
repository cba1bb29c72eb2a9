package main

import (
	"flag"
	"io"
	"math"
	"strings"
	"testing"

	"github.com/sdeml/sdeml/internal/sweep"
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
	if err := q.defaults(); err != nil || q.steps != 200 || q.m != 128 {
		t.Errorf("-quick defaults: %+v, %v", q, err)
	}
}

// parse runs parseFlags on a fresh flag set.
func parse(args ...string) (config, error) {
	var c config
	var prog sweep.Program
	fs := flag.NewFlagSet("reflectedimages", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	err := c.parseFlags(fs, args, &prog)
	return c, err
}

// The default run trains and samples the U-Nets in float32 for 2400 steps × batch 64 (the
// budget of about 30 minutes on 2 cores, docs/REPRODUCTION.md); -train32=false and
// -sample32=false select the float64 passes; bad flag values are errors naming the flag and
// the value.
func TestFlags(t *testing.T) {
	c, err := parse()
	if err != nil || !c.train32 || !c.sample32 || c.steps != 2400 || c.batch != 64 || c.m != 500 ||
		c.sampler.Steps != 50 || c.clsEpochs != 8 || c.sampler.T0 != 2e-4 || c.sampler.Final != reflected.FinalTweedie || !c.schemeAuto {
		t.Errorf("defaults: %+v, %v", c, err)
	}
	if c, err = parse("-quick"); err != nil || !c.train32 || !c.sample32 || c.steps != 200 || c.batch != 16 || c.sampler.Steps != 10 {
		t.Errorf("-quick defaults: %+v, %v", c, err)
	}
	if c, err = parse("-train32=false", "-sample32=false", "-steps", "1200"); err != nil || c.train32 || c.sample32 || c.steps != 1200 {
		t.Errorf("float64 passes: %+v, %v", c, err)
	}
	for _, bad := range [][2]string{
		{"-steps=-5", "-steps = -5"}, {"-t0=0.5", "-t0 = 0.5"}, {"-scheme=rk4", `-scheme = "rk4"`},
		{"-final=last", `-final = "last"`}, {"-widths=16,x", `-widths: "16,x"`}, {"-data=cifar", `-data = "cifar"`},
		{"-sampler-steps=-1", "-sampler-steps = -1"}, {"-ckpt-every=-1", "-ckpt-every = -1"},
	} {
		if _, err := parse(bad[0]); err == nil || !strings.Contains(err.Error(), bad[1]) {
			t.Errorf("%s: error %v, want one naming %q", bad[0], err, bad[1])
		}
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
