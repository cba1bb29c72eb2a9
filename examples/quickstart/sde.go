package main

import (
	"fmt"
	"math"

	"github.com/sdeml/sdeml/sde"
)

// runSDE fits strong convergence orders on Itô geometric Brownian motion
// dX = 1.01·X dt + 0.87·X dW (closed-form solution) and checks an ensemble mean.
func runSDE(seed uint64) ([]row, error) {
	p := sde.LinearProblem(false)
	var rows []row
	for _, m := range []sde.Method{sde.EulerMaruyama{}, sde.Milstein{}, sde.SRID2{}} {
		r, err := sde.ConvergenceStudy(p, m, &sde.ConvergenceSettings{
			Steps: []int{8, 16, 32, 64, 128, 256}, Paths: 2000, Seed: seed})
		if err != nil {
			return nil, err
		}
		theory, _ := m.Order(p.Sys.Noise)
		rows = append(rows, row{"sde", "strong order, GBM, " + m.Name(),
			fmt.Sprintf("%.2f", r.StrongOrder), fmt.Sprintf("%.1f ± 0.15", theory)})
	}
	ens, err := sde.SolveEnsemble(p.Sys, sde.EulerMaruyama{},
		&sde.Ensemble{Paths: 10000, Seed: seed, X0: p.X0, Moments: true},
		[]float64{0, 1}, &sde.Settings{Step: 1e-3})
	if err != nil {
		return nil, err
	}
	exact := p.X0[0] * math.Exp(1.01)
	// Var X(1) = X0²e^{2a}(e^{b²}−1) ≈ 2.13, so the Monte Carlo standard error of the mean of
	// 10⁴ paths is ≈ 0.015; the Euler bias at h = 1e-3 is ≈ 1e-3.
	rows = append(rows, row{"sde", "E X(1), 10⁴ EM paths, h = 1e-3",
		fmt.Sprintf("%.3f", ens.Mean.At(1, 0)), fmt.Sprintf("%.3f (exact)", exact)})
	return rows, nil
}
