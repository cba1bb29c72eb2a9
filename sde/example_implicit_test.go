package sde_test

import (
	"fmt"
	"math"

	"github.com/sdeml/sdeml/sde"
)

// The stiff linear test equation dX = −50X dt + X dW with step 0.05:
// Euler–Maruyama amplifies E X² by 2.3 per step, the drift-implicit Euler
// scheme (θ = 1) damps it by 0.086. Over 40 steps log|X| moves by about
// 40 × 0.39 (EM) and 40 × (−1.28) (implicit), i.e. log10 |X(2)| ≈ 6.8 ± 0.4
// and −22.2 ± 0.7 on a typical path (docs/derivations/sde-implicit.md §2).
func ExampleImplicitEuler() {
	p := sde.LinearTestProblem(-50, 1)
	fmt.Printf("R: EM %.4f, implicit %.4f\n", sde.MSAmplification(0, -2.5, 0.05), sde.MSAmplification(1, -2.5, 0.05))
	for _, m := range []sde.Method{sde.EulerMaruyama{}, sde.ImplicitEuler{}} {
		sol, err := sde.Solve(p.Sys, m, p.X0, []float64{0, 2}, &sde.Settings{Step: 0.05, Seed: 1})
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("%s: log10 |X(2)| ≈ %.0f\n", m.Name(), math.Round(math.Log10(math.Abs(sol.X.At(1, 0)))))
	}
	_, err := sde.Solve(p.Sys, sde.ImplicitEuler{Theta: 2}, p.X0, []float64{0, 1}, nil)
	fmt.Println(err)
	// Output:
	// R: EM 2.3000, implicit 0.0857
	// EulerMaruyama: log10 |X(2)| ≈ 8
	// ImplicitEuler: log10 |X(2)| ≈ -23
	// sde: ImplicitEuler.Theta = 2, want in [0, 1] (0 means the default 1)
}

// Weak2 on geometric Brownian motion: E X(1) from 4 steps is the scheme's
// closed-form mean x0 (1 + αh + α²h²/2)⁴, within Monte Carlo error.
func ExampleWeak2() {
	p := sde.LinearProblem(false)
	sol, err := sde.SolveEnsemble(p.Sys, sde.Weak2{}, &sde.Ensemble{Paths: 100000, Seed: 1, X0: p.X0, Moments: true}, []float64{0, 1}, &sde.Settings{Step: 0.25})
	if err != nil {
		fmt.Println(err)
		return
	}
	h := 0.25
	q := 1 + 1.01*h + 1.01*1.01*h*h/2
	fmt.Printf("mean %.2f, scheme %.2f, exact %.2f\n", sol.Mean.At(1, 0), 0.5*math.Pow(q, 4), 0.5*math.Exp(1.01))
	// Output:
	// mean 1.36, scheme 1.36, exact 1.37
}
