package sde_test

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/sdeml/sdeml/sde"
)

// Geometric Brownian motion dX = μX dt + σX dW (Itô) with the
// derivative-free Milstein scheme, compared with the closed form on the same
// Brownian path (a BrownianPath queried afterwards at T).
func ExampleSolve() {
	const mu, sigma = 0.5, 0.3
	sys := &sde.System{
		Dim:       1,
		Drift:     func(dst []float64, _ float64, x []float64) { dst[0] = mu * x[0] },
		Diffusion: func(dst []float64, _ float64, x []float64) { dst[0] = sigma * x[0] },
	}
	path := sde.NewBrownianPath(rand.NewPCG(7, 0), 1, 0)
	sol, err := sde.Solve(sys, sde.Milstein{DerivativeFree: true}, []float64{1}, []float64{0, 0.5, 1},
		&sde.Settings{Step: 1e-3, Brownian: path})
	if err != nil {
		fmt.Println(err)
		return
	}
	w := make([]float64, 1)
	path.At(w, 1)
	exact := math.Exp((mu-sigma*sigma/2)*1 + sigma*w[0])
	fmt.Printf("steps %d, |X(1) − exact| < 1e-3: %v\n", sol.Steps, math.Abs(sol.X.At(2, 0)-exact) < 1e-3)
	// Output:
	// steps 1000, |X(1) − exact| < 1e-3: true
}

// Streamed moments of an Ornstein–Uhlenbeck ensemble dX = −X dt + dW from
// X0 = 2: E X_1 = 2/e ≈ 0.736, Var X_1 = (1 − e^{−2})/2 ≈ 0.432 (Monte
// Carlo standard errors 0.005 and 0.004 with 20000 paths).
func ExampleSolveEnsemble() {
	sys := &sde.System{
		Dim: 1, Noise: sde.Additive,
		Drift:     func(dst []float64, _ float64, x []float64) { dst[0] = -x[0] },
		Diffusion: func(dst []float64, _ float64, _ []float64) { dst[0] = 1 },
	}
	sol, err := sde.SolveEnsemble(sys, sde.SRA1{}, &sde.Ensemble{Paths: 20000, Seed: 1, X0: []float64{2}, Moments: true},
		[]float64{0, 1}, &sde.Settings{Step: 0.05})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("mean %.2f, variance %.2f\n", sol.Mean.At(1, 0), sol.Cov[1].At(0, 0))
	// Output:
	// mean 0.73, variance 0.43
}

// Geometric Brownian motion dX = μX dt + σX dW over 10^4 paths with a batch
// callback: SolveEnsemble's Euler–Maruyama path evaluates the drift and
// diffusion of 64 paths per call. E[X(1)] = X0·e^μ and
// Var[X(1)] = X0²e^{2μ}(e^{σ²} − 1).
func ExampleSolveEnsemble_batch() {
	const mu, sigma, x0 = 1.01, 0.87, 0.5
	sys := &sde.System{
		Dim: 1,
		BatchDriftDiffusion: func(f, g []float64, _ float64, x []float64) {
			for i, v := range x { // x holds len(x)/Dim states
				f[i], g[i] = mu*v, sigma*v
			}
		},
	}
	sol, err := sde.SolveEnsemble(sys, sde.EulerMaruyama{}, &sde.Ensemble{Paths: 10000, Seed: 1, X0: []float64{x0}, Moments: true},
		[]float64{0, 1}, &sde.Settings{Step: 1e-3})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("mean %.2f (exact %.2f)\n", sol.Mean.At(1, 0), x0*math.Exp(mu))
	// Standard errors: 0.015 for the mean (sd/√Paths); several % for the sd
	// of this heavy-tailed (log-normal) law.
	fmt.Printf("sd %.2f (exact %.2f)\n", math.Sqrt(sol.Cov[1].At(0, 0)), x0*math.Exp(mu)*math.Sqrt(math.Expm1(sigma*sigma)))
	// Output:
	// mean 1.38 (exact 1.37)
	// sd 1.39 (exact 1.46)
}

// Strong orders of Euler–Maruyama and Milstein on GBM, fitted over six
// step sizes with 2000 paths.
func ExampleConvergenceStudy() {
	p := sde.LinearProblem(false)
	for _, m := range []sde.Method{sde.EulerMaruyama{}, sde.Milstein{}} {
		r, err := sde.ConvergenceStudy(p, m, &sde.ConvergenceSettings{Steps: []int{8, 16, 32, 64, 128, 256}, Paths: 2000, Seed: 1})
		if err != nil {
			fmt.Println(err)
			return
		}
		theory, _ := m.Order(p.Sys.Noise)
		fmt.Printf("%-13s strong order %.1f (theory %.1f)\n", m.Name(), r.StrongOrder, theory)
	}
	// Output:
	// EulerMaruyama strong order 0.5 (theory 0.5)
	// Milstein      strong order 0.9 (theory 1.0)
}

// Reflected Brownian motion on [0, 1] by Euler–Maruyama plus folding: every
// state stays in the box and at t = 3 the law is close to uniform (mean ½,
// variance 1/12 ≈ 0.083).
func ExampleFoldBox() {
	sys := &sde.System{
		Dim: 1, Noise: sde.Additive,
		Drift:     func(dst []float64, _ float64, _ []float64) { dst[0] = 0 },
		Diffusion: func(dst []float64, _ float64, _ []float64) { dst[0] = 1 },
	}
	sol, err := sde.SolveEnsemble(sys, sde.EulerMaruyama{}, &sde.Ensemble{Paths: 10000, Seed: 2, X0: []float64{0.1}, Store: true, Moments: true},
		[]float64{0, 3}, &sde.Settings{Step: 0.01, Domain: sde.FoldBox{Lo: 0, Hi: 1}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("in box: %v, mean %.2f, variance %.3f\n", mat.Min(sol.X[1]) >= 0 && mat.Max(sol.X[1]) <= 1, sol.Mean.At(1, 0), sol.Cov[1].At(0, 0))
	// Output:
	// in box: true, mean 0.50, variance 0.083
}

// A virtual Brownian tree gives the same value at a time whatever was
// queried before.
func ExampleBrownianTree() {
	a, _ := sde.NewBrownianTree(42, 1, 0, 1, 1e-9)
	b, _ := sde.NewBrownianTree(42, 1, 0, 1, 1e-9)
	wa, wb := make([]float64, 1), make([]float64, 1)
	a.At(wa, 0.3)
	for _, t := range []float64{0.9, 0.1, 0.7} {
		b.At(wb, t)
	}
	b.At(wb, 0.3)
	fmt.Println(wa[0] == wb[0])
	// Output:
	// true
}

// Interacting particles dX^i = −(X^i − m^N) dt + 0.5 dB^i attracted to their
// empirical mean m^N: the mean is a martingale and the spread contracts to
// the stationary variance 0.5²/2 = 0.125 (times (N−1)/N for the empirical
// variance).
func ExampleParticles() {
	const n = 2000
	mean := make([]float64, 1)
	ps := &sde.Particles{
		N: n, D: 1, Noise: sde.Additive,
		Drift: func(dst *mat.Dense, _ float64, x *mat.Dense) {
			sde.EmpiricalMean(mean, x)
			for i := 0; i < n; i++ {
				dst.Set(i, 0, -(x.At(i, 0) - mean[0]))
			}
		},
		Diffusion: func(dst *mat.Dense, _ float64, _ *mat.Dense) {
			for i := 0; i < n; i++ {
				dst.Set(i, 0, 0.5)
			}
		},
	}
	sys, err := ps.System()
	if err != nil {
		fmt.Println(err)
		return
	}
	x0 := make([]float64, n)
	for i := range x0 {
		x0[i] = 3 * float64(i) / n // spread over [0, 3), mean ≈ 1.5
	}
	sol, err := sde.Solve(sys, sde.EulerMaruyama{}, x0, []float64{0, 5}, &sde.Settings{Step: 0.01, Brownian: sde.NewParticleIncrements(3, n, 1)})
	if err != nil {
		fmt.Println(err)
		return
	}
	final := sol.X.RawRowView(1)
	var m, v float64
	for _, x := range final {
		m += x / n
	}
	for _, x := range final {
		v += (x - m) * (x - m) / n
	}
	fmt.Printf("mean %.1f, variance %.2f\n", m, v)
	// Output:
	// mean 1.5, variance 0.12
}
