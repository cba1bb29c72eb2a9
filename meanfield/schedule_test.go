package meanfield

import (
	"math"
	"testing"
)

func TestScheduleWorkedNumbers(t *testing.T) {
	// docs/derivations/msgld.md §2: N = 50000, γ = 1, T = 100: run.py's int(T·(N/lr)^{1/(1−α)})
	// gives 100·√50000 = 22360.7 → 22360 at β = 0.5, 100·50000^{1/4} = 1495.3 → 1495 at
	// β = 0.75, and 100 at β = 1.
	for _, c := range []struct {
		beta float64
		want int
	}{{0.5, 22360}, {0.75, 1495}, {1, 100}} {
		s := Schedule{Gamma: 1, Beta: c.beta, N: 50000}
		if got := s.Iterations(100); got != c.want {
			t.Errorf("beta %v: Iterations(100) = %d, want %d", c.beta, got, c.want)
		}
	}
	// α = 0: h = γN^{β−1}; torch lr = γN^β; Step = lr/N.
	s := Schedule{Gamma: 0.4, Beta: 0.5, N: 16}
	if h := s.Step(7); math.Abs(h-0.1) > 1e-16 {
		t.Errorf("Step = %v, want 0.4/4 = 0.1", h)
	}
	if tl := s.TorchLR(3); math.Abs(tl-1.6) > 1e-15 {
		t.Errorf("TorchLR = %v, want 1.6", tl)
	}
	if tm := s.Time(20); math.Abs(tm-2) > 1e-15 {
		t.Errorf("Time(20) = %v, want 2", tm)
	}
	if e := s.PerNeuronExponent(); e != 0.5 {
		t.Errorf("PerNeuronExponent = %v", e)
	}
}

func TestScheduleDecay(t *testing.T) {
	for _, c := range []struct{ gamma, beta, alpha float64 }{{1, 0.5, 0.25}, {0.5, 1, 0.5}, {2, 0.5, 0.75}} {
		s := Schedule{Gamma: c.gamma, Beta: c.beta, Alpha: c.alpha, N: 100}
		g := s.G()
		// g_N = (γN^{β−1})^{1/(1−α)} from its definition.
		if want := math.Pow(c.gamma*math.Pow(100, c.beta-1), 1/(1-c.alpha)); math.Abs(g-want) > 1e-15*want {
			t.Errorf("G = %v, want %v", g, want)
		}
		// Step(n) = TorchLR(n)/N, the torch lr divided by the width (output / N).
		for _, n := range []int{0, 1, 10, 100} {
			if a, b := s.Step(n), s.TorchLR(n)/100; math.Abs(a-b) > 1e-12*a {
				t.Errorf("%+v: Step(%d) = %v, TorchLR/N = %v", s, n, a, b)
			}
		}
		// Σ_{n<T/g} h_n is a left Riemann sum of ∫_0^T (1+t)^{−α} dt =
		// ((1+T)^{1−α} − 1)/(1−α), with error at most g·(1 − (1+T)^{−α}) ≤ g for a
		// decreasing integrand.
		T := 5.0
		var sum float64
		it := s.Iterations(T)
		for n := range it {
			sum += s.Step(n)
		}
		want := (math.Pow(1+s.Time(it), 1-c.alpha) - 1) / (1 - c.alpha)
		if math.Abs(sum-want) > g {
			t.Errorf("%+v: Σ h_n = %v, integral %v, gap > g = %v", s, sum, want, g)
		}
	}
}

func TestScheduleRegimeAndErrors(t *testing.T) {
	if r, err := (Schedule{Gamma: 1, Beta: 0.5, N: 10}).Regime(); err != nil || r != RegimeDeterministic {
		t.Errorf("beta 0.5: %v %v", r, err)
	}
	if r, err := (Schedule{Gamma: 1, Beta: 1, N: 10}).Regime(); err != nil || r != RegimeNoisy {
		t.Errorf("beta 1: %v %v", r, err)
	}
	for _, s := range []Schedule{
		{Gamma: 1, Beta: 1.1, N: 10},
		{Gamma: 1, Beta: 0.5, N: 0},
		{Gamma: 0, Beta: 0.5, N: 10},
		{Gamma: 1, Beta: 0.5, Alpha: 1, N: 10},
		{Gamma: 1, Beta: 0.5, Alpha: -0.1, N: 10},
		{Gamma: 1, Beta: math.NaN(), N: 10},
	} {
		if _, err := s.Regime(); err == nil {
			t.Errorf("%+v: no error", s)
		} else {
			t.Log(err)
		}
	}
}
