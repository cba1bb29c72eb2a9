package main

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"log"
	"math"
	"path/filepath"
	"sort"

	"github.com/sdeml/sdeml/internal/atomicfile"
	"github.com/sdeml/sdeml/sde"
)

// implicitReport prints and writes the studies of the implicit and weak
// order-2 methods: strong orders on the stiff StiffManifoldProblem, the
// weak order of Weak2 next to Euler–Maruyama on GBM with φ(x) = x, and a
// mean-square stability table on the linear test equation.
func implicitReport(out string, paths, weakPaths int, seed uint64) {
	// Strong orders on a stiff problem: λh = 125 … 3.9 over the levels.
	p := sde.StiffManifoldProblem(1000)
	fmt.Printf("\nstrong orders on %s (Jacobian eigenvalues 0.5 and −1000; λh = 125 … 3.9), %d paths\n\n", p.Name, paths)
	fmt.Printf("%-24s %8s %8s  %s\n", "method", "fitted", "theory", "errors h = 2^-3 … 2^-8")
	var curves []curve
	for _, m := range []sde.Method{sde.ImplicitEuler{}, sde.ImplicitEuler{Theta: 0.5}, sde.ImplicitMilstein{}, sde.ImplicitMilstein{DerivativeFree: true}, sde.Weak2{}, sde.EulerMaruyama{}} {
		so, _ := m.Order(p.Sys.Noise)
		r, err := sde.ConvergenceStudy(p, m, &sde.ConvergenceSettings{Steps: []int{8, 16, 32, 64, 128, 256}, Paths: paths, Seed: seed})
		if err != nil {
			fmt.Printf("%-24s %8s %8.1f  %v\n", m.Name(), "—", so, err)
			continue
		}
		if !(r.Strong[len(r.Strong)-1] < 1e3) {
			fmt.Printf("%-24s %8s %8.1f  unstable: RMS error %.3g at h = 2^-8\n", m.Name(), "—", so, r.Strong[len(r.Strong)-1])
			continue
		}
		fmt.Printf("%-24s %8.3f %8.1f  %.3g\n", m.Name(), r.StrongOrder, so, r.Strong)
		curves = append(curves, curve{name: fmt.Sprintf("%s (%.2f)", m.Name(), r.StrongOrder), x: r.H, y: r.Strong})
	}
	logLogPlot(filepath.Join(out, "strong_stiff.png"), "Strong error on the stiff manifold problem (λ = 1000)", curves)

	// Weak order 2 against 1 on GBM, φ(x) = x: the means of both schemes
	// have closed forms, E Y_N = x0 (1 + αh)^N (EM) and
	// x0 (1 + αh + α²h²/2)^N (Weak2: the noise terms have mean zero).
	g := sde.LinearProblem(false)
	const alpha = 1.01
	fmt.Printf("\nweak errors on GBM, φ(x) = x, %d paths (control variate: same paths as the exact solution)\n\n", weakPaths)
	fmt.Printf("%-14s %10s %14s %12s %14s\n", "method", "h", "weak error", "std error", "closed form")
	var wc []curve
	for _, m := range []sde.Method{sde.Weak2{}, sde.EulerMaruyama{}} {
		r, err := sde.ConvergenceStudy(g, m, &sde.ConvergenceSettings{
			Steps: []int{2, 4, 8, 16, 32}, Paths: weakPaths, Seed: seed,
			Phi: func(x []float64) float64 { return x[0] },
		})
		if err != nil {
			log.Fatal(err)
		}
		exact := make([]float64, len(r.H))
		for l, h := range r.H {
			q := 1 + alpha*h
			if _, ok := m.(sde.Weak2); ok {
				q += alpha * alpha * h * h / 2
			}
			exact[l] = g.X0[0] * math.Abs(math.Exp(alpha*g.T)-math.Pow(q, g.T/h))
			fmt.Printf("%-14s %10.5f %14.5f %12.5f %14.5f\n", m.Name(), h, r.Weak[l], r.WeakSE[l], exact[l])
		}
		so, _, _ := sde.FitOrder(r.H, exact) // NaN (printed as such) if an error is 0
		fmt.Printf("%-14s fitted weak order: Monte Carlo %.3f, closed form %.3f\n", m.Name(), r.WeakOrder, so)
		wc = append(wc, curve{name: fmt.Sprintf("%s Monte Carlo (%.2f)", m.Name(), r.WeakOrder), x: r.H, y: r.Weak},
			curve{name: fmt.Sprintf("%s closed form (%.2f)", m.Name(), so), x: r.H, y: exact})
	}
	logLogPlot(filepath.Join(out, "weak2.png"), "Weak error on GBM, φ(x) = x", wc)

	stabilityTable(out, seed)
	fmt.Printf("\nwrote %s/{stiff.csv,strong_stiff.png,weak2.png}\n", out)
}

// stabilityTable compares, on dX = λX dt + X dW with h = 0.05 over 20 steps
// (T = 1), the closed-form mean-square amplification R of each method
// with the ensemble's mean square and median |X_T| (X0 = 1).
func stabilityTable(out string, seed uint64) {
	const h, n, paths, mu = 0.05, 20, 10000, 1.0
	var table bytes.Buffer // stiff.csv, written atomically once complete
	w := csv.NewWriter(&table)
	check(w.Write([]string{"lambda", "method", "lambda_h", "mu2_h", "R", "Rn", "mean_square", "median_abs"}))
	fmt.Printf("\nmean-square stability on dX = λX dt + X dW, h = %g, %d steps, %d paths (R: closed-form amplification of E X², stable iff R < 1)\n\n", h, n, paths)
	fmt.Printf("%7s %-20s %9s %11s %12s %12s %8s\n", "λ", "method", "R", "R^n", "E X_T² (MC)", "median|X_T|", "stable")
	for _, lambda := range []float64{-1, -10, -30, -50, -100} {
		p := sde.LinearTestProblem(lambda, mu)
		z, v := lambda*h, mu*mu*h
		for _, c := range []struct {
			m sde.Method
			r float64
		}{
			{sde.EulerMaruyama{}, sde.MSAmplification(0, z, v)},
			{sde.ImplicitEuler{Theta: 0.5}, sde.MSAmplification(0.5, z, v)},
			{sde.ImplicitEuler{}, sde.MSAmplification(1, z, v)},
			// θ = 1 Milstein: E(1 + μΔW + ½μ²(ΔW² − h))² = 1 + μ²h + μ⁴h²/2.
			{sde.ImplicitMilstein{}, (1 + v + v*v/2) / ((1 - z) * (1 - z))},
		} {
			sol, err := sde.SolveEnsemble(p.Sys, c.m, &sde.Ensemble{Paths: paths, Seed: seed, X0: p.X0, Store: true}, []float64{0, n * h}, &sde.Settings{Step: h})
			ms, med := math.NaN(), math.NaN()
			if err == nil {
				xs := make([]float64, paths)
				var s float64
				for i := range xs {
					x := sol.X[1].At(i, 0)
					s += x * x
					xs[i] = math.Abs(x)
				}
				sort.Float64s(xs)
				ms, med = s/paths, xs[paths/2]
			}
			rn := math.Pow(c.r, n)
			stable := "yes"
			if c.r >= 1 {
				stable = "no"
			}
			fmt.Printf("%7g %-20s %9.4g %11.3g %12.3g %12.3g %8s\n", lambda, c.m.Name(), c.r, rn, ms, med, stable)
			check(w.Write([]string{ftoa(lambda), c.m.Name(), ftoa(z), ftoa(v), ftoa(c.r), ftoa(rn), ftoa(ms), ftoa(med)}))
		}
	}
	w.Flush()
	check(w.Error())
	check(atomicfile.WriteBytes(filepath.Join(out, "stiff.csv"), 0, table.Bytes()))
}
