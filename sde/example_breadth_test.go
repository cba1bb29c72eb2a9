package sde_test

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/sdeml/sdeml/sde"
)

// An Ornstein–Uhlenbeck process driven by symmetric 1.5-stable Lévy motion,
// stepped by Euler–Maruyama; α = 1 variates are Cauchy: the uniform
// u1 = 3/4 maps to its upper quartile tan(π/4) = 1.
func ExampleStable() {
	sys := &sde.System{Dim: 1, Noise: sde.Additive,
		Drift:     func(dst []float64, _ float64, x []float64) { dst[0] = -x[0] },
		Diffusion: func(dst []float64, _ float64, _ []float64) { dst[0] = 0.5 }}
	sol, err := sde.Solve(sys, sde.EulerMaruyama{}, []float64{0}, []float64{0, 1},
		&sde.Settings{Step: 1e-3, Seed: 1, Driver: sde.Stable{Alpha: 1.5}})
	fmt.Println(err, sol.Steps)
	fmt.Printf("%.3f\n", sde.StableVariate(1, 0.75, 0.5))
	_, err = sde.Solve(sys, sde.EulerMaruyama{}, []float64{0}, []float64{0, 1}, &sde.Settings{Driver: sde.Stable{Alpha: 2.5}})
	fmt.Println(err)
	// Output:
	// <nil> 1000
	// 1.000
	// sde: Settings.Driver: Stable.Alpha = 2.5, want in (0, 2]
}

// A pure compound Poisson process (no drift, no diffusion, jumps of size 1
// at rate 3): X(T) is the number of jumps, the same for any step size,
// because the solver steps to each jump time exactly.
func ExampleJumps() {
	sys := &sde.System{Dim: 1, Noise: sde.Additive,
		Drift:     func(dst []float64, _ float64, _ []float64) { dst[0] = 0 },
		Diffusion: func(dst []float64, _ float64, _ []float64) { dst[0] = 0 }}
	j := &sde.Jumps{Rate: 3, Size: func(dst []float64, _ float64, _ []float64, _ *rand.Rand) { dst[0] = 1 }}
	for _, h := range []float64{0.5, 0.001} {
		sol, err := sde.Solve(sys, sde.EulerMaruyama{}, []float64{0}, []float64{0, 2}, &sde.Settings{Step: h, Seed: 7, Jumps: j})
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("h = %v: X(2) = %v\n", h, sol.X.At(1, 0))
	}
	_, err := sde.Solve(sys, sde.EulerMaruyama{}, []float64{0}, []float64{0, 2}, &sde.Settings{Jumps: &sde.Jumps{Rate: -1}})
	fmt.Println(err)
	// Output:
	// h = 0.5: X(2) = 5
	// h = 0.001: X(2) = 5
	// sde: Settings.Jumps.Rate = -1, want finite and >= 0
}

// S-ROCK's mean-square amplification on dX = λX dt + μX dW with p = λh =
// −20 and q = μ²h = 20: below 1 with 10 stages (stable), while
// Euler–Maruyama's (1 + p)² + q = 381.
func ExampleSROCK_MSAmplification() {
	a := sde.SROCK{}.MSAmplification(10, -20, 20)
	fmt.Println(a < 1, (1-20.0)*(1-20.0)+20)
	// Output: true 381
}

// The tangent of geometric Brownian motion with respect to its initial
// value is X_T/x0 on every path.
func ExampleTangentSystem() {
	sys := &sde.System{Dim: 1,
		Drift:     func(dst []float64, _ float64, x []float64) { dst[0] = 0.05 * x[0] },
		Diffusion: func(dst []float64, _ float64, x []float64) { dst[0] = 0.2 * x[0] }}
	aug, err := sde.TangentSystem(sys, &sde.Sensitivity{})
	if err != nil {
		fmt.Println(err)
		return
	}
	sol, err := sde.Solve(aug, sde.EulerMaruyama{}, sde.TangentX0([]float64{2}, 0), []float64{0, 1}, &sde.Settings{Seed: 3})
	if err != nil {
		fmt.Println(err)
		return
	}
	x, y := sol.X.At(1, 0), sol.X.At(1, 1)
	// The tangent equals X/x0 up to the forward-difference Jacobians' error (the system
	// gives no DriftJacobian): about √ε ≈ 1e-8 relative per step, 1e-10 measured here.
	// Printing y − x/2 itself would show its sign, which differs where x*y+z is fused.
	fmt.Println("tangent = X/x0:", math.Abs(y-x/2) <= 1e-8*math.Abs(x))
	// Output: tangent = X/x0: true
}
