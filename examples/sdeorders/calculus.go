package main

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"path/filepath"

	"github.com/sdeml/sdeml/internal/atomicfile"
	"github.com/sdeml/sdeml/internal/parallel"
	"github.com/sdeml/sdeml/sde"
)

// calculusStudy prints and writes (calculus.csv) the Itô ↔ Stratonovich
// results: strong orders of Stratonovich methods on the Itô GBM converted by
// sde.Convert (against the Itô closed form), the mean of the Itô CIR by
// Euler–Maruyama and by Heun after conversion (against the exact Itô mean),
// the error Solve returns without conversion, and X(1) of one adaptive
// solve across tolerances with the default Brownian tree and with a
// BrownianPath (query-order dependent).
func calculusStudy(out string, paths int, seed uint64) {
	var table bytes.Buffer // calculus.csv, written atomically once complete
	w := csv.NewWriter(&table)
	check(w.Write([]string{"study", "case", "value", "reference", "note"}))

	fmt.Printf("\nItô ↔ Stratonovich: the Itô GBM converted with sde.Convert, strong order against the Itô closed form (%d paths)\n", paths)
	fmt.Printf("%-30s %8s %8s\n", "system / method", "fitted", "theory")
	for _, c := range []struct {
		name  string
		deriv bool
		m     sde.Method
	}{
		{"Convert(Itô GBM) / Heun", true, sde.Heun{}},
		{"Convert(Itô GBM) / Midpoint", true, sde.Midpoint{}},
		{"Convert(Itô GBM, FD) / Heun", false, sde.Heun{}},
	} {
		p := sde.LinearProblem(false)
		if !c.deriv {
			p.Sys.DiffusionDeriv = nil
		}
		var err error
		p.Sys, err = sde.Convert(p.Sys, sde.Stratonovich)
		check(err)
		r, err := sde.ConvergenceStudy(p, c.m, &sde.ConvergenceSettings{Steps: []int{8, 16, 32, 64, 128, 256}, Paths: paths, Seed: seed})
		check(err)
		fmt.Printf("%-30s %8.3f %8.1f\n", c.name, r.StrongOrder, 1.0)
		check(w.Write([]string{"strong order", c.name, ftoa(r.StrongOrder), "1", ""}))
	}

	// CIR dX = κ(θ − X) dt + σ√X dW, κ = 2, θ = 0.4, σ = 0.5, X0 = 1, T = 1.
	const kappa, theta, sigma, x0 = 2.0, 0.4, 0.5, 1.0
	cir := &sde.System{Dim: 1,
		Drift:     func(dst []float64, _ float64, x []float64) { dst[0] = kappa * (theta - x[0]) },
		Diffusion: func(dst []float64, _ float64, x []float64) { dst[0] = sigma * math.Sqrt(math.Max(x[0], 0)) },
	}
	exact := theta + (x0-theta)*math.Exp(-kappa)
	const cirPaths, h = 20000, 0.005
	fmt.Printf("\nItô CIR (κ = 2, θ = 0.4, σ = 0.5, X0 = 1): mean X(1) over %d paths, h = %v; exact Itô mean %.4f\n", cirPaths, h, exact)
	if _, err := sde.Solve(cir, sde.Heun{}, []float64{x0}, []float64{0, 1}, nil); err != nil {
		fmt.Printf("  Heun on the undeclared (Itô) system: %v\n", err)
	}
	strat, err := sde.Convert(cir, sde.Stratonovich)
	check(err)
	wrong := *cir
	wrong.Calculus = sde.Stratonovich // the silent mistake the check now prevents
	for _, c := range []struct {
		name string
		sys  *sde.System
		m    sde.Method
	}{
		{"EulerMaruyama (Itô)", cir, sde.EulerMaruyama{}},
		{"Heun on Convert(CIR, Stratonovich)", strat, sde.Heun{}},
		{"Heun, CIR misdeclared Stratonovich", &wrong, sde.Heun{}},
	} {
		sol, err := sde.SolveEnsemble(c.sys, c.m, &sde.Ensemble{Paths: cirPaths, Seed: seed, X0: []float64{x0}, Moments: true}, []float64{0, 1}, &sde.Settings{Step: h})
		check(err)
		mean, se := sol.Mean.At(1, 0), math.Sqrt(sol.Cov[1].At(0, 0)/cirPaths)
		fmt.Printf("  %-36s %.4f ± %.4f\n", c.name, mean, se)
		check(w.Write([]string{"CIR mean", c.name, ftoa(mean), ftoa(exact), "± " + ftoa(se)}))
	}

	// Adaptive Milstein on CubicProblem (X(1) = tanh(W(1)/2 + atanh ½)).
	p := sde.CubicProblem()
	tr, err := sde.NewBrownianTree(sde.TreeSeed(seed, 0), 1, 0, 1, 1e-12)
	check(err)
	wv, ref := make([]float64, 1), make([]float64, 1)
	tr.At(wv, 1)
	p.Exact(ref, 1, p.X0, wv)
	fmt.Printf("\nadaptive Milstein on the cubic problem, X(1) for one seed (%d); closed form on the default tree %.4f\n", seed, ref[0])
	fmt.Printf("%8s %22s %26s\n", "rtol", "Settings.Seed (tree)", "BrownianPath (old default)")
	for _, tol := range []float64{1e-3, 1e-4, 1e-5} {
		a, err := sde.Solve(p.Sys, sde.Milstein{}, p.X0, []float64{0, 1}, &sde.Settings{Adaptive: true, RTol: tol, ATol: tol, Step: 0.1, Seed: seed})
		check(err)
		bp := sde.NewBrownianPath(parallel.Stream(seed, 0), 1, 0)
		b, err := sde.Solve(p.Sys, sde.Milstein{}, p.X0, []float64{0, 1}, &sde.Settings{Adaptive: true, RTol: tol, ATol: tol, Step: 0.1, Brownian: bp})
		check(err)
		fmt.Printf("%8.0e %22.4f %26.4f\n", tol, a.X.At(1, 0), b.X.At(1, 0))
		check(w.Write([]string{"adaptive X(1)", "tree rtol " + ftoa(tol), ftoa(a.X.At(1, 0)), ftoa(ref[0]), ""}))
		check(w.Write([]string{"adaptive X(1)", "BrownianPath rtol " + ftoa(tol), ftoa(b.X.At(1, 0)), ftoa(ref[0]), "a different path per tolerance"}))
	}
	w.Flush()
	check(w.Error())
	check(atomicfile.WriteBytes(filepath.Join(out, "calculus.csv"), 0, table.Bytes()))
}
