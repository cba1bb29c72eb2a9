package main

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/sdeml/sdeml/meanfield"
)

// runMeanfield trains N tanh units a·tanh(b·x + c) by gradient descent on sin(πx) (32
// quadrature points on [−1, 1], mean-field time T = 1) and couples each particle to its
// mean-field twin: same initial value, driven by the limit field of a Gauss–Hermite
// quadrature system. Propagation of chaos predicts E|W − twin| ∝ N^{−1/2}.
func runMeanfield(seed uint64) ([]row, error) {
	data, err := meanfield.Quadrature1D(32, -1, 1, func(x float64) float64 { return math.Sin(math.Pi * x) })
	if err != nil {
		return nil, err
	}
	gd := meanfield.Trainer{Unit: meanfield.TanhUnit(1), Loss: meanfield.Squared{}, Method: meanfield.GD,
		Data: data, Schedule: meanfield.Schedule{Gamma: 0.01, Beta: 1, N: 1}} // step 0.01, 100 steps
	ref, err := meanfield.GaussHermiteParticles(16, []float64{0, 0, 0}, []float64{1, 1, 1})
	if err != nil {
		return nil, err
	}
	lim := gd
	limit, err := meanfield.RecordField(&lim, ref, 100)
	if err != nil {
		return nil, err
	}
	// The coupling error of one run is dominated by the run's initial field fluctuation, one
	// random variable per run, so small systems get many runs: 16384/N, at least 16.
	ns := []float64{16, 64, 256, 1024}
	errs := make([][]float64, len(ns))
	var rows []row
	for i, nf := range ns {
		n := int(nf)
		reps := max(16, 16384/n)
		for rep := range reps {
			ps, err := meanfield.NewParticles(n, 3)
			if err != nil {
				return nil, err
			}
			ps.InitGaussian(0, 1, rand.NewPCG(seed+uint64(rep), uint64(n)))
			twins, tr, tw := ps.Clone(), gd, gd
			tw.Limit = limit
			if err := tr.Run(ps, 0, 100, nil); err != nil {
				return nil, err
			}
			if err := tw.Run(twins, 0, 100, nil); err != nil {
				return nil, err
			}
			c, err := meanfield.CouplingError(ps, twins)
			if err != nil {
				return nil, err
			}
			errs[i] = append(errs[i], c.Mean)
		}
		rows = append(rows, row{"meanfield", fmt.Sprintf("E|W − twin|, N = %d (%d runs)", n, reps),
			fmt.Sprintf("%.4f", mean(errs[i])), ""})
	}
	fit, err := meanfield.LogLogSlope(ns, errs, 0.95, 1000, rand.NewPCG(seed, 99))
	if err != nil {
		return nil, err
	}
	rows = append(rows, row{"meanfield", "coupling-error slope in N (95% bootstrap CI)",
		fmt.Sprintf("%.2f [%.2f, %.2f]", fit.Slope, fit.Lo, fit.Hi), "−0.5 (propagation of chaos)"})
	return rows, nil
}

func mean(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}
