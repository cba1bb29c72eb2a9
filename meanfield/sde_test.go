package meanfield

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/sdeml/sdeml/sde"
	"gonum.org/v1/gonum/mat"
)

// TestParticleSDEMatchesTrainer solves ParticleSDE with sde.EulerMaruyama at step g_N,
// driven by TrainerNoise, and compares with the matrix-free Trainer (GaussianSGD for
// shared noise, MSGLD for independent noise), with and without the time change
// (1+t)^{−α}: at t_n = n g_N the Euler step of the SDE is exactly the Trainer's step
// h_n = g_N(1+t_n)^{−α} with noise h_n/√M. The two compute the same recursion in a
// different order (explicit diffusion matrix times ΔW against combined per-point
// weights), so they agree to rounding: 1e-11 relative after 4 steps of an O(1) map.
func TestParticleSDEMatchesTrainer(t *testing.T) {
	r := rand.New(rand.NewPCG(12, 13))
	pts := randomPoints(t, r, 6, 1, 1, false)
	u := TanhUnit(1)
	const N, M, seed = 40, 4, 77
	for _, c := range []struct {
		indep bool
		alpha float64
	}{{false, 0}, {true, 0}, {false, 0.3}, {true, 0.3}} {
		indep := c.indep
		sched := Schedule{Gamma: 0.125, Beta: 1, Alpha: c.alpha, N: N}
		g := sched.G() // 4g/g = 4 exactly, so the solver takes 4 steps of g
		ps := randomParticles(t, N, u.Dim(), 3)
		x0 := append([]float64(nil), ps.W...)
		sys, err := ParticleSDE(u, Squared{}, pts, sched, M, N, indep)
		if err != nil {
			t.Fatal(err)
		}
		sol, err := sde.Solve(sys, sde.EulerMaruyama{}, x0, []float64{0, 4 * g},
			&sde.Settings{Step: g, Brownian: NewTrainerNoise(seed, N, pts.Len(), indep)})
		if err != nil {
			t.Fatal(err)
		}
		if sol.Steps != 4 {
			t.Fatalf("sde took %d steps, want 4", sol.Steps)
		}
		m := GaussianSGD
		if indep {
			m = MSGLD
		}
		tr := Trainer{Unit: u, Loss: Squared{}, Method: m, Data: pts, Batch: M, Seed: seed, Schedule: sched}
		if err := tr.Run(ps, 0, 4, nil); err != nil {
			t.Fatal(err)
		}
		for i, v := range ps.W {
			w := sol.X.At(1, i)
			if math.Abs(v-w) > 1e-11*(1+math.Abs(w)) {
				t.Fatalf("independent=%v alpha=%v: coordinate %d: Trainer %v, sde %v", indep, c.alpha, i, v, w)
			}
		}
	}
}

// linGaussVar is the exact variance of the deviation D_t = X^i_t − X̄^i_t for the
// linear-Gaussian particle system dX^i = −κ(X^i − m^N)dt + σ dB^i against its
// McKean–Vlasov twin dX̄ = −κ(X̄ − E X̄)dt + σ dB^i.
func linGaussVar(N int, s0, sigma, kappa, t float64) float64 {
	e := math.Exp(-kappa * t)
	return (s0*s0*(1-e)*(1-e) + sigma*sigma*(t-2*(1-e)/kappa+(1-math.Exp(-2*kappa*t))/(2*kappa))) / float64(N)
}

// linGaussVarEuler is the same variance for the Euler–Maruyama scheme with step h,
// by the exact recursion of the covariance of (D_n, e_n), e_n = m^N_n − m_0:
// D_{n+1} = (1−κh)D_n + κh e_n, e_{n+1} = e_n + σ√h Z̄_n, D_0 = 0, Var e_0 = s0²/N.
func linGaussVarEuler(N int, s0, sigma, kappa, h float64, steps int) float64 {
	a := 1 - kappa*h
	vd, c, ve := 0.0, 0.0, s0*s0/float64(N)
	for range steps {
		vd, c = a*a*vd+2*a*kappa*h*c+kappa*kappa*h*h*ve, a*c+kappa*h*ve
		ve += sigma * sigma * h / float64(N)
	}
	return vd
}

// TestLinearGaussianPropagationOfChaos runs the linear-Gaussian particle system and its
// twins through sde.Particles with per-particle noise streams (synchronous coupling),
// and checks E|D_T| = (2 Var D_T/π)^{1/2} and the N^{−1/2} slope.
func TestLinearGaussianPropagationOfChaos(t *testing.T) {
	const kappa, sigma, s0, m0, T, h = 1.0, 0.8, 1.5, 0.3, 1.0, 0.05
	steps := int(math.Round(T / h))
	// The continuous formula and the Euler recursion agree to O(h): at h = 1e-4 the
	// relative gap is below 1e-3.
	if a, b := linGaussVar(1, s0, sigma, kappa, T), linGaussVarEuler(1, s0, sigma, kappa, 1e-4, 10000); math.Abs(a/b-1) > 1e-3 {
		t.Fatalf("closed form %v vs Euler recursion %v", a, b)
	}
	Ns := []int{16, 64, 256, 1024}
	const R = 2000
	errs := make([][]float64, len(Ns))
	for i, N := range Ns {
		errs[i] = make([]float64, R)
		x := mat.NewDense(N, 1, nil)
		part := &sde.Particles{N: N, D: 1, Noise: sde.Additive,
			Drift: func(dst *mat.Dense, _ float64, x *mat.Dense) {
				var m float64
				for k := range N {
					m += x.At(k, 0)
				}
				m /= float64(N)
				for k := range N {
					dst.Set(k, 0, -kappa*(x.At(k, 0)-m))
				}
			},
			Diffusion: func(dst *mat.Dense, _ float64, _ *mat.Dense) {
				for k := range N {
					dst.Set(k, 0, sigma)
				}
			}}
		twin := *part
		twin.Drift = func(dst *mat.Dense, _ float64, x *mat.Dense) {
			for k := range N {
				dst.Set(k, 0, -kappa*(x.At(k, 0)-m0))
			}
		}
		ps, err := part.System()
		if err != nil {
			t.Fatal(err)
		}
		ts, err := twin.System()
		if err != nil {
			t.Fatal(err)
		}
		for rep := range R {
			seed := uint64(1000*i + rep)
			src := rand.New(rand.NewPCG(seed, 99))
			x0 := x.RawMatrix().Data
			for k := range x0 {
				x0[k] = m0 + s0*src.NormFloat64()
			}
			a, err := sde.Solve(ps, sde.EulerMaruyama{}, x0, []float64{0, T}, &sde.Settings{Step: h, Brownian: sde.NewParticleIncrements(seed, N, 1)})
			if err != nil {
				t.Fatal(err)
			}
			b, err := sde.Solve(ts, sde.EulerMaruyama{}, x0, []float64{0, T}, &sde.Settings{Step: h, Brownian: sde.NewParticleIncrements(seed, N, 1)})
			if err != nil {
				t.Fatal(err)
			}
			pa := &Particles{N: N, D: 1, W: a.X.RawRowView(1)}
			pb := &Particles{N: N, D: 1, W: b.X.RawRowView(1)}
			c, err := CouplingError(pa, pb)
			if err != nil {
				t.Fatal(err)
			}
			// D is common to all particles, so the mean and the max coincide.
			if math.Abs(c.Mean-c.Max) > 1e-12 {
				t.Fatalf("deviation not common to all particles: mean %v max %v", c.Mean, c.Max)
			}
			errs[i][rep] = c.Mean
		}
		mu := mean(errs[i])
		var v float64
		for _, e := range errs[i] {
			v += (e - mu) * (e - mu)
		}
		se := math.Sqrt(v / (R - 1) / R)
		want := math.Sqrt(2 * linGaussVarEuler(N, s0, sigma, kappa, h, steps) / math.Pi)
		// 4.5 standard errors: two-sided normal tail 6.8e-6 per N, 2.7e-5 for four N.
		if math.Abs(mu-want) > 4.5*se {
			t.Errorf("N = %d: E|D_T| = %v ± %v, exact %v", N, mu, se, want)
		}
		t.Logf("N = %d: E|D_T| = %.5f ± %.5f, exact %.5f, z = %+.2f", N, mu, se, want, (mu-want)/se)
	}
	ns := make([]float64, len(Ns))
	for i, N := range Ns {
		ns[i] = float64(N)
	}
	fit, err := LogLogSlope(ns, errs, 0.95, 200, rand.NewPCG(5, 5))
	if err != nil {
		t.Fatal(err)
	}
	// Each mean has relative standard error 0.755/√2000 = 1.7% (|Z| of a normal has
	// coefficient of variation √(π/2 − 1)), so the fitted slope over ln N spanning 4.2
	// has standard error 0.0055 and ±0.03 is 5.5 of them.
	if math.Abs(fit.Slope+0.5) > 0.03 {
		t.Errorf("slope %v (CI %v, %v), want -0.5 ± 0.03", fit.Slope, fit.Lo, fit.Hi)
	}
	t.Logf("slope %.4f, 95%% CI [%.4f, %.4f]", fit.Slope, fit.Lo, fit.Hi)
}

// TestParticleSDEBadInput checks that each bad argument of ParticleSDE returns an error
// naming it.
func TestParticleSDEBadInput(t *testing.T) {
	r := rand.New(rand.NewPCG(14, 15))
	pts := randomPoints(t, r, 6, 1, 1, false)
	u := TanhUnit(1)
	s := Schedule{Gamma: 0.1, Beta: 1, N: 10}
	if _, err := ParticleSDE(u, Squared{}, pts, s, 2, 10, false); err != nil {
		t.Fatal(err)
	}
	for i, c := range []struct {
		u     Unit
		l     Loss
		data  *Points
		s     Schedule
		batch int
		n     int
		indep bool
		want  string
	}{
		{nil, Squared{}, pts, s, 2, 10, false, "Unit"},
		{u, nil, pts, s, 2, 10, false, "Loss"},
		{u, Squared{}, nil, s, 2, 10, false, "Points is nil"},
		{u, Squared{}, pts, Schedule{Gamma: 0.1, Beta: 1.5, N: 10}, 2, 10, false, "Schedule.Beta = 1.5"},
		{u, Squared{}, pts, Schedule{Gamma: 0.1, Beta: 1, Alpha: 1, N: 10}, 2, 10, false, "Schedule.Alpha = 1"},
		{u, Squared{}, pts, Schedule{Gamma: 0.1, Beta: 1, N: 0}, 2, 10, false, "Schedule.N = 0"},
		{TanhUnit(2), Squared{}, pts, s, 2, 10, false, "data dimensions"},
		{u, Squared{}, pts, s, 0, 10, false, "batch = 0"},
		{u, Squared{}, pts, s, 2, 0, false, "N = 0"},
		{u, Squared{}, pts, s, 2, 1 << 12, true, "diffusion matrix"},
	} {
		if _, err := ParticleSDE(c.u, c.l, c.data, c.s, c.batch, c.n, c.indep); err == nil {
			t.Errorf("case %d: no error", i)
		} else if !strings.Contains(err.Error(), c.want) {
			t.Errorf("case %d: error %q does not name %q", i, err, c.want)
		}
	}
}
