package sde_test

import (
	"fmt"
	"math"

	"github.com/sdeml/sdeml/sde"
)

// An Itô CIR process solved with a Stratonovich method: Solve refuses the
// undeclared (Itô) system, and Convert rewrites the drift so that Heun
// converges to the Itô solution (exact mean θ + (x0 − θ)e^{−κ} = 0.4812).
func ExampleConvert() {
	cir := &sde.System{Dim: 1,
		Drift:     func(dst []float64, _ float64, x []float64) { dst[0] = 2 * (0.4 - x[0]) },
		Diffusion: func(dst []float64, _ float64, x []float64) { dst[0] = 0.5 * math.Sqrt(math.Max(x[0], 0)) },
	}
	_, err := sde.Solve(cir, sde.Heun{}, []float64{1}, []float64{0, 1}, nil)
	fmt.Println(err != nil)
	strat, err := sde.Convert(cir, sde.Stratonovich)
	if err != nil {
		panic(err)
	}
	sol, err := sde.SolveEnsemble(strat, sde.Heun{}, &sde.Ensemble{Paths: 20000, Seed: 5, X0: []float64{1}, Moments: true},
		[]float64{0, 1}, &sde.Settings{Step: 0.005})
	if err != nil {
		panic(err)
	}
	fmt.Printf("mean X(1) = %.3f\n", sol.Mean.At(1, 0))
	// Output:
	// true
	// mean X(1) = 0.481
}

// The exit time of standard Brownian motion from (0, 1) started at 0.3 has
// mean 0.3·0.7 = 0.21; KillBox stops each path at its exit, with the
// Brownian-bridge correction between steps.
func ExampleKillBox() {
	bm := &sde.System{Dim: 1, Noise: sde.Additive,
		Drift:     func(dst []float64, _ float64, _ []float64) { dst[0] = 0 },
		Diffusion: func(dst []float64, _ float64, _ []float64) { dst[0] = 1 },
	}
	sol, err := sde.SolveEnsemble(bm, sde.EulerMaruyama{}, &sde.Ensemble{Paths: 20000, Seed: 1, X0: []float64{0.3}, Moments: true},
		[]float64{0, 20}, &sde.Settings{Step: 0.01, Event: sde.KillBox{Lo: 0, Hi: 1}})
	if err != nil {
		panic(err)
	}
	var mean float64
	for _, tau := range sol.StopTime {
		mean += tau / 20000
	}
	fmt.Printf("mean exit time %.2f\n", mean)
	// Output:
	// mean exit time 0.21
}
