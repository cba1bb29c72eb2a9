package meanfield_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"

	"github.com/sdeml/sdeml/meanfield"
	"github.com/sdeml/sdeml/sde"
)

// The paper's schedule: torch learning rate γN^β, per-neuron step γN^{β−1}, and the
// iteration count for a horizon of 100 mean-field time units.
func ExampleSchedule() {
	for _, beta := range []float64{0.5, 0.75, 1} {
		s := meanfield.Schedule{Gamma: 1, Beta: beta, N: 50000}
		r, _ := s.Regime()
		fmt.Printf("beta %.2f: step %.2e, iterations %d, %v\n", beta, s.Step(0), s.Iterations(100), r)
	}
	// Output:
	// beta 0.50: step 4.47e-03, iterations 22360, deterministic
	// beta 0.75: step 6.69e-02, iterations 1495, deterministic
	// beta 1.00: step 1.00e+00, iterations 100, noisy
}

// Propagation of chaos in the deterministic regime: N tanh units trained by gradient
// descent on sin(πx) stay close to their mean-field twins, which follow the limit field
// computed from a weighted Gauss–Hermite particle system.
func ExampleTrainer() {
	data, _ := meanfield.Quadrature1D(32, -1, 1, func(x float64) float64 { return math.Sin(math.Pi * x) })
	unit := meanfield.TanhUnit(1)
	sched := meanfield.Schedule{Gamma: 0.01, Beta: 1, N: 1} // GD with step 0.01
	steps := 100                                            // horizon T = 1

	// The limit: 8³ weighted nodes of λ0 = N(0, I3) under GD, field stored at every step.
	ref, _ := meanfield.GaussHermiteParticles(8, []float64{0, 0, 0}, []float64{1, 1, 1})
	lim := &meanfield.Trainer{Unit: unit, Loss: meanfield.Squared{}, Method: meanfield.GD, Data: data, Schedule: sched}
	path, _ := meanfield.RecordField(lim, ref, steps)

	for _, n := range []int{64, 1024} {
		ps, _ := meanfield.NewParticles(n, unit.Dim())
		ps.InitGaussian(0, 1, rand.NewPCG(1, uint64(n)))
		twins := ps.Clone()
		gd := &meanfield.Trainer{Unit: unit, Loss: meanfield.Squared{}, Method: meanfield.GD, Data: data, Schedule: sched}
		twin := *gd
		twin.Limit = path
		gd.Run(ps, 0, steps, nil)
		twin.Run(twins, 0, steps, nil)
		c, _ := meanfield.CouplingError(ps, twins)
		f := meanfield.ComputeField(nil, unit, ps, data)
		fmt.Printf("N=%4d coupling %.3f field error %.3f\n", n, c.Mean, meanfield.FieldL2(f, path.Final(), data))
	}
	// Output:
	// N=  64 coupling 0.044 field error 0.049
	// N=1024 coupling 0.004 field error 0.009
}

// The continuous-time particle SDE with the SGD noise covariance (one Brownian motion per
// data point, shared by all neurons), solved by the sde package with a step much smaller
// than g_N.
func ExampleParticleSDE() {
	data, _ := meanfield.Quadrature1D(8, -1, 1, func(x float64) float64 { return math.Sin(math.Pi * x) })
	unit := meanfield.TanhUnit(1)
	sched := meanfield.Schedule{Gamma: 0.5, Beta: 1, N: 32} // noisy regime, g_N = 0.5
	sys, _ := meanfield.ParticleSDE(unit, meanfield.Squared{}, data, sched, 4, 32, false)
	ps, _ := meanfield.NewParticles(32, unit.Dim())
	ps.InitGaussian(0, 1, rand.NewPCG(1, 2))
	sol, _ := sde.Solve(sys, sde.EulerMaruyama{}, ps.W, []float64{0, 1}, &sde.Settings{Step: 0.01, Seed: 3})
	ps.W = sol.X.RawRowView(1)
	f := meanfield.ComputeField(nil, unit, ps, data)
	fmt.Printf("noise dimension %d, f(x_0) at t = 1: %.3f\n", sys.NoiseDim, f[0])
	// Output:
	// noise dimension 8, f(x_0) at t = 1: 0.227
}

// Fitting a rate: errors that halve when N quadruples have slope −1/2.
func ExampleLogLogSlope() {
	ns := []float64{16, 64, 256, 1024}
	errs := [][]float64{{0.20, 0.22}, {0.10, 0.11}, {0.05, 0.055}, {0.025, 0.0275}}
	fit, _ := meanfield.LogLogSlope(ns, errs, 0.95, 200, rand.NewPCG(1, 1))
	fmt.Printf("slope %.2f\n", fit.Slope)
	// Output:
	// slope -0.50
}

// A run stopped through its context and resumed from an encoded checkpoint ends with the
// same bits as an uninterrupted run.
func ExampleTrainer_Checkpoint() {
	data, _ := meanfield.Quadrature1D(16, -1, 1, math.Sin)
	newTrainer := func() *meanfield.Trainer {
		return &meanfield.Trainer{Unit: meanfield.TanhUnit(1), Loss: meanfield.Squared{}, Method: meanfield.MSGLD,
			Data: data, Batch: 4, Seed: 3, Schedule: meanfield.Schedule{Gamma: 0.1, Beta: 0.5, N: 64}}
	}
	start, _ := meanfield.NewParticles(64, 3)
	start.InitGaussian(0, 1, rand.NewPCG(1, 2))

	full := start.Clone()
	newTrainer().Run(full, 0, 50, nil)

	ps := start.Clone()
	tr := newTrainer()
	ctx, stop := context.WithCancel(context.Background())
	next, err := tr.RunContext(ctx, ps, 0, 50, func(n int, _ float64) error {
		if n == 19 {
			stop() // e.g. on SIGINT: the run ends after this step
		}
		return nil
	})
	fmt.Println(next, err)
	cp, _ := tr.Checkpoint(ps, next)
	dir, _ := os.MkdirTemp("", "meanfield")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "run.ckpt")
	// SaveFile replaces the file atomically: a kill mid-write leaves the previous one.
	if err := cp.SaveFile(path); err != nil {
		fmt.Println(err)
		return
	}

	file, _ := os.Open(path)
	loaded, _ := meanfield.LoadCheckpoint(file)
	file.Close()
	again := newTrainer()
	resumed, _ := again.Restore(loaded)
	again.Run(resumed, loaded.Next, 50-loaded.Next, nil)
	fmt.Println("bit-identical:", slices.Equal(full.W, resumed.W))
	// Output:
	// 20 meanfield: run stopped before step 20: context canceled
	// bit-identical: true
}
