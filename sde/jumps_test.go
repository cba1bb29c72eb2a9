package sde

import (
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
)

// merton is Merton's jump diffusion under the compensated drift,
//
//	dS/S− = (μ − λκ) dt + σ dW + (e^Y − 1) dN,   Y ~ N(m, δ²),
//
// κ = E[e^Y − 1] = e^{m+δ²/2} − 1, so E[S_T] = S0 e^{μT}.
type merton struct{ s0, mu, sigma, lambda, m, delta, T float64 }

func (p merton) kappa() float64 { return math.Exp(p.m+p.delta*p.delta/2) - 1 }

func (p merton) system() (*System, *Jumps) {
	drift := p.mu - p.lambda*p.kappa()
	sys := &System{Dim: 1,
		Drift:     func(dst []float64, _ float64, x []float64) { dst[0] = drift * x[0] },
		Diffusion: func(dst []float64, _ float64, x []float64) { dst[0] = p.sigma * x[0] }}
	j := &Jumps{Rate: p.lambda, Size: func(dst []float64, _ float64, x []float64, r *rand.Rand) {
		dst[0] = x[0] * (math.Exp(p.m+p.delta*r.NormFloat64()) - 1)
	}}
	return sys, j
}

// variance is Var S_T = S0² e^{2μT} (exp(σ²T + λT E[(e^Y − 1)²]) − 1), with
// E[(e^Y−1)²] = e^{2m+2δ²} − 2e^{m+δ²/2} + 1 (docs/derivations/sde.md).
func (p merton) variance() float64 {
	e2 := math.Exp(2*p.m+2*p.delta*p.delta) - 2*math.Exp(p.m+p.delta*p.delta/2) + 1
	return p.s0 * p.s0 * math.Exp(2*p.mu*p.T) * (math.Exp(p.sigma*p.sigma*p.T+p.lambda*p.T*e2) - 1)
}

// call is Merton's (1976) series: a Poisson(λ'T) mixture of Black–Scholes
// prices with λ' = λ(1+κ), r_n = r − λκ + n log(1+κ)/T and
// σ_n² = σ² + nδ²/T, at r = μ.
func (p merton) call(k float64) float64 {
	lp := p.lambda * (1 + p.kappa())
	var sum float64
	w := math.Exp(-lp * p.T) // Poisson weight of n = 0
	for n := 0; n < 60; n++ {
		rn := p.mu - p.lambda*p.kappa() + float64(n)*math.Log(1+p.kappa())/p.T
		sn := math.Sqrt(p.sigma*p.sigma + float64(n)*p.delta*p.delta/p.T)
		sum += w * blackScholes(p.s0, k, p.T, rn, sn)
		w *= lp * p.T / float64(n+1)
	}
	return sum
}

func blackScholes(s, k, T, r, sigma float64) float64 {
	d1 := (math.Log(s/k) + (r+sigma*sigma/2)*T) / (sigma * math.Sqrt(T))
	d2 := d1 - sigma*math.Sqrt(T)
	ncdf := func(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }
	return s*ncdf(d1) - k*math.Exp(-r*T)*ncdf(d2)
}

// TestMertonJumpDiffusion: Euler–Maruyama with exact jump times on Merton's
// model against E[S_T] = S0 e^{μT}, the closed-form variance and the series
// price of a call. Each statistic is compared within 5 standard errors
// estimated from the sample (a Gaussian deviation beyond 5 SE has
// probability 5.7e-7). The scheme's own bias between jumps is that of
// Euler–Maruyama on geometric Brownian motion: relative μ'²hT/2 ≈ 1e-5 in
// the mean and O(h) ≈ 1e-4 in the second moment at h = 10⁻³, far below
// the standard errors (≈ 0.2 % and 2 %).
func TestMertonJumpDiffusion(t *testing.T) {
	skipStatisticalUnderRace(t)
	p := merton{s0: 100, mu: 0.05, sigma: 0.2, lambda: 1, m: -0.1, delta: 0.15, T: 1}
	sys, j := p.system()
	const n, strike = 20000, 100.0
	ens, err := SolveEnsemble(sys, EulerMaruyama{}, &Ensemble{Paths: n, X0: []float64{p.s0}, Seed: 5, Store: true},
		[]float64{0, p.T}, &Settings{Step: 1e-3, Jumps: j})
	if err != nil {
		t.Fatal(err)
	}
	var s1, s2, pay, pay2 float64
	for i := range n {
		s := ens.X[1].At(i, 0)
		s1 += s
		s2 += s * s
		c := math.Exp(-p.mu*p.T) * max(s-strike, 0)
		pay += c
		pay2 += c * c
	}
	mean := s1 / n
	v := s2/n - mean*mean
	var m4 float64
	for i := range n {
		d := ens.X[1].At(i, 0) - mean
		m4 += d * d * d * d
	}
	m4 /= n
	check := func(name string, got, want, se float64) {
		t.Logf("%s: %.4f, closed form %.4f (SE %.4f)", name, got, want, se)
		if math.Abs(got-want) > 5*se {
			t.Errorf("%s = %v, want %v ± %v (5 SE)", name, got, want, 5*se)
		}
	}
	check("E[S_T]", mean, p.s0*math.Exp(p.mu*p.T), math.Sqrt(v/n))
	check("Var S_T", v, p.variance(), math.Sqrt((m4-v*v)/n))
	pm := pay / n
	check("call", pm, p.call(strike), math.Sqrt((pay2/n-pm*pm)/n))
}

// TestJumpTimesExact: with zero drift and diffusion the state is the
// compound Poisson process itself; with jumps of size 1 its value at T is
// the Poisson count N_T, whatever the step. Over n paths, mean and
// variance of N_T are λT (5 SE), and the count does not depend on the
// step (the jump times are exact, not rounded to the grid).
func TestJumpTimesExact(t *testing.T) {
	skipStatisticalUnderRace(t)
	sys := &System{Dim: 1, Noise: Additive,
		Drift:     func(dst []float64, _ float64, _ []float64) { dst[0] = 0 },
		Diffusion: func(dst []float64, _ float64, _ []float64) { dst[0] = 0 }}
	j := &Jumps{Rate: 3, Size: func(dst []float64, _ float64, _ []float64, _ *rand.Rand) { dst[0] = 1 }}
	const n = 20000
	var prev []float64
	for _, h := range []float64{0.5, 0.01} {
		ens, err := SolveEnsemble(sys, EulerMaruyama{}, &Ensemble{Paths: n, X0: []float64{0}, Seed: 9, Store: true},
			[]float64{0, 2}, &Settings{Step: h, Jumps: j})
		if err != nil {
			t.Fatal(err)
		}
		col := make([]float64, n)
		var s, s2 float64
		for i := range col {
			col[i] = ens.X[1].At(i, 0)
			s += col[i]
			s2 += col[i] * col[i]
		}
		mean, v := s/n, s2/n-(s/n)*(s/n)
		if se := math.Sqrt(6.0 / n); math.Abs(mean-6) > 5*se {
			t.Errorf("h = %v: E N_2 = %v, want 6 ± %v", h, mean, 5*se)
		}
		// Var of the sample variance of Poisson(μ): (μ + 2μ²)/n.
		if se := math.Sqrt((6 + 2*36.0) / n); math.Abs(v-6) > 5*se {
			t.Errorf("h = %v: Var N_2 = %v, want 6 ± %v", h, v, 5*se)
		}
		if prev != nil {
			for i := range col {
				if col[i] != prev[i] {
					t.Fatalf("path %d: N_2 = %v at h = 0.01, %v at h = 0.5", i, col[i], prev[i])
				}
			}
		}
		prev = col
	}
}

func TestJumpsBadInput(t *testing.T) {
	sys, _ := merton{s0: 1, sigma: 0.2, lambda: 1, delta: 0.1, T: 1}.system()
	size := func(dst []float64, _ float64, _ []float64, _ *rand.Rand) { dst[0] = 0 }
	for _, r := range []float64{-1, math.NaN(), math.Inf(1)} {
		_, err := Solve(sys, EulerMaruyama{}, []float64{1}, []float64{0, 1}, &Settings{Jumps: &Jumps{Rate: r, Size: size}})
		if err == nil || !strings.Contains(err.Error(), "Settings.Jumps.Rate = ") {
			t.Errorf("Rate = %v: err = %v", r, err)
		}
	}
	if _, err := Solve(sys, EulerMaruyama{}, []float64{1}, []float64{0, 1}, &Settings{Jumps: &Jumps{Rate: 1}}); err == nil || !strings.Contains(err.Error(), "Jumps.Size") {
		t.Errorf("nil Size: err = %v", err)
	}
}

// TestJumpsDriverGOMAXPROCS: ensembles with jumps and with an α-stable
// driver give the same paths bit for bit at GOMAXPROCS 1 and 2 (each path
// owns its streams). Small, for the race detector.
func TestJumpsDriverGOMAXPROCS(t *testing.T) {
	sys, j := merton{s0: 1, mu: 0.05, sigma: 0.2, lambda: 2, m: -0.1, delta: 0.15, T: 1}.system()
	for _, set := range []*Settings{{Step: 0.05, Jumps: j}, {Step: 0.05, Driver: Stable{Alpha: 1.7}}} {
		run := func(procs int) *EnsembleSolution {
			old := runtime.GOMAXPROCS(procs)
			defer runtime.GOMAXPROCS(old)
			ens, err := SolveEnsemble(sys, EulerMaruyama{}, &Ensemble{Paths: 300, X0: []float64{1}, Seed: 2, Store: true}, []float64{0, 1}, set)
			if err != nil {
				t.Fatal(err)
			}
			return ens
		}
		a, b := run(1), run(2)
		for i := range 300 {
			if a.X[1].At(i, 0) != b.X[1].At(i, 0) {
				t.Fatalf("path %d: %v at GOMAXPROCS 1, %v at 2", i, a.X[1].At(i, 0), b.X[1].At(i, 0))
			}
		}
	}
}
