package sde

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
)

// Linear-Gaussian mean-field system (closed-form mean and variance):
// particles dX^i = −κ(X^i − m^N) dt + σ dB^i, m^N the empirical mean, and
// the McKean–Vlasov twins dX̄^i = −κ(X̄^i − m0) dt + σ dB^i with the same
// B^i and X^i_0 (E X̄ = m0 for all t).
const (
	t5Kappa = 1.3
	t5Sigma = 0.8
	t5S0    = 1.1 // std of X_0
	t5M0    = 0.4 // mean of X_0
)

func t5Particles(n int) *Particles {
	mean := make([]float64, 1)
	return &Particles{
		N: n, D: 1, Noise: Additive,
		Drift: func(dst *mat.Dense, _ float64, x *mat.Dense) {
			EmpiricalMean(mean, x)
			for i := 0; i < n; i++ {
				dst.Set(i, 0, -t5Kappa*(x.At(i, 0)-mean[0]))
			}
		},
		Diffusion: func(dst *mat.Dense, _ float64, _ *mat.Dense) {
			for i := 0; i < n; i++ {
				dst.Set(i, 0, t5Sigma)
			}
		},
	}
}

func t5Twin() *System {
	return &System{
		Dim: 1, Noise: Additive,
		Drift:     func(dst []float64, _ float64, x []float64) { dst[0] = -t5Kappa * (x[0] - t5M0) },
		Diffusion: func(dst []float64, _ float64, _ []float64) { dst[0] = t5Sigma },
	}
}

// t5VarEM is the exact variance of D_n = X^i_n − X̄^i_n under
// Euler–Maruyama with step h: with a = 1 − κh, b = κh and e_n = m^N_n − m0,
// D_{n+1} = a D_n + b e_n and e_{n+1} = e_n + σ ΔB̄_n (the drifts sum to 0),
// so (Var D, Cov(D, e), Var e) follow the linear recursion below from
// (0, 0, s0²/N), with Var ΔB̄ = h/N.
func t5VarEM(n, steps int, h float64) float64 {
	a, b := 1-t5Kappa*h, t5Kappa*h
	vd, c, ve := 0.0, 0.0, t5S0*t5S0/float64(n)
	for range steps {
		vd, c = a*a*vd+2*a*b*c+b*b*ve, a*c+b*ve
		ve += t5Sigma * t5Sigma * h / float64(n)
	}
	return vd
}

// t5VarExact is the continuous-time variance
// Var D_t = (1/N)[s0²(1−e^{−κt})² + σ²(t − 2(1−e^{−κt})/κ + (1−e^{−2κt})/(2κ))].
func t5VarExact(n int, t float64) float64 {
	k := t5Kappa
	e := math.Exp(-k * t)
	return (t5S0*t5S0*(1-e)*(1-e) + t5Sigma*t5Sigma*(t-2*(1-e)/k+(1-math.Exp(-2*k*t))/(2*k))) / float64(n)
}

// TestParticlesMeanField: for N = 4, 16, 64, over 2000 independent
// replicates, the variance of D_T (particle 0 against its twin) matches the
// exact Euler–Maruyama variance within 4.5 standard errors
// (the sample variance of Gaussian data has relative SE √(2/(R−1))), the
// deviation is the same for every particle of a replicate (to 1e-12, the
// rounding of O(1) states), the discrete variance is within 1% of the
// continuous closed form (an O(h) = O(0.01) difference), and N·Var(D_T) is
// constant, i.e. E|D_T| ∝ N^{−1/2}.
func TestParticlesMeanField(t *testing.T) {
	skipStatisticalUnderRace(t)
	t.Parallel()
	const reps, steps, T = 2000, 100, 1.0
	h := T / steps
	ts := []float64{0, T}
	for _, n := range []int{4, 16, 64} {
		ps := t5Particles(n)
		sys, err := ps.System()
		if err != nil {
			t.Fatal(err)
		}
		twin := t5Twin()
		d := make([]float64, reps)
		x0 := make([]float64, n)
		for r := 0; r < reps; r++ {
			seed := uint64(1000*n + r)
			init := rand.New(rand.NewPCG(seed, 99))
			for i := range x0 {
				x0[i] = t5M0 + t5S0*init.NormFloat64()
			}
			sol, err := Solve(sys, EulerMaruyama{}, x0, ts, &Settings{Step: h, Brownian: NewParticleIncrements(seed, n, 1)})
			if err != nil {
				t.Fatal(err)
			}
			check := n
			if r > 0 {
				check = 1 // all particles' twins only for the first replicate
			}
			for i := 0; i < check; i++ {
				tw, err := Solve(twin, EulerMaruyama{}, x0[i:i+1], ts, &Settings{Step: h, Brownian: NewIncrements(streamSrc(seed, i), 1)})
				if err != nil {
					t.Fatal(err)
				}
				di := sol.X.At(1, i) - tw.X.At(1, 0)
				if i == 0 {
					d[r] = di
				} else if math.Abs(di-d[r]) > 1e-12 {
					t.Fatalf("N=%d: D differs between particles 0 and %d: %v vs %v", n, i, d[r], di)
				}
			}
		}
		v := stat.Variance(d, nil)
		want := t5VarEM(n, steps, h)
		if math.Abs(v/want-1) > 4.5*math.Sqrt(2.0/(reps-1)) {
			t.Errorf("N=%d: Var D_T = %.4g, exact EM value %.4g", n, v, want)
		}
		if c := t5VarExact(n, T); math.Abs(want/c-1) > 0.01 {
			t.Errorf("N=%d: EM variance %.5g vs continuous %.5g", n, want, c)
		}
		if testing.Verbose() {
			t.Logf("N=%3d: N·Var D_T = %.4f (EM exact %.4f, continuous %.4f)", n, float64(n)*v, float64(n)*want, float64(n)*t5VarExact(n, T))
		}
	}
}

// TestEmpiricalMean compares with stat.Mean per column.
func TestEmpiricalMean(t *testing.T) {
	x := mat.NewDense(3, 2, []float64{1, 2, 3, 5, 6, 9})
	m := make([]float64, 2)
	EmpiricalMean(m, x)
	for j := range m {
		if w := stat.Mean(mat.Col(nil, j, x), nil); math.Abs(m[j]-w) > 1e-15 {
			t.Errorf("column %d: %v, want %v", j, m[j], w)
		}
	}
	// A matrix that is not a RawMatrixer (the transpose) takes the At path.
	m3 := make([]float64, 3)
	EmpiricalMean(m3, x.T())
	for i := range m3 {
		if w := stat.Mean(mat.Row(nil, i, x), nil); math.Abs(m3[i]-w) > 1e-15 {
			t.Errorf("row %d: %v, want %v", i, m3[i], w)
		}
	}
}
