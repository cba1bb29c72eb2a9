// Command sdeorders runs the strong (and one weak) convergence study of the
// sde package's integrators on the SDEProblemLibrary test problems, prints
// the fitted orders next to the theoretical ones, and writes the errors as
// CSV and log-log PNG plots. It then reports the Itô ↔ Stratonovich
// conversion (calculus.go), the stopping-time results (stopping.go) and
// the general-noise, S-ROCK and α-stable results (breadth.go).
//
//	go run ./examples/sdeorders -paths 2000 -seed 1 -out out/sdeorders
package main

import (
	"bytes"
	"encoding/csv"
	"flag"
	"fmt"
	"log"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/sdeml/sdeml/internal/atomicfile"
	"github.com/sdeml/sdeml/sde"
)

type study struct {
	p      *sde.Problem
	m      sde.Method
	theory float64
	note   string
}

func main() {
	paths := flag.Int("paths", 2000, "Brownian paths per study")
	seed := flag.Uint64("seed", 1, "seed (path i uses parallel.Stream(seed, i))")
	fine := flag.Int("fine", 4096, "fine steps of the reference solve for problems without a closed form")
	weakPaths := flag.Int("weakpaths", 20000, "paths of the weak-order study")
	out := flag.String("out", "out/sdeorders", "output folder for CSV and PNG files")
	stopPaths := flag.Int("stoppaths", 20000, "paths of the stopping-time study")
	flag.Parse()
	if err := os.MkdirAll(*out, 0o755); err != nil {
		log.Fatal(err)
	}
	order := func(p *sde.Problem, m sde.Method) float64 { s, _ := m.Order(p.Sys.Noise); return s }
	var studies []study
	add := func(p *sde.Problem, m sde.Method, note string) {
		studies = append(studies, study{p, m, order(p, m), note})
	}
	add(sde.LinearProblem(false), sde.EulerMaruyama{}, "")
	add(sde.LinearProblem(false), sde.Milstein{}, "")
	add(sde.LinearProblem(false), sde.Milstein{DerivativeFree: true}, "")
	add(sde.LinearProblem(false), sde.SRID2{}, "")
	add(sde.Linear2DProblem(), sde.EulerMaruyama{}, "")
	add(sde.Linear2DProblem(), sde.Milstein{}, "")
	add(sde.Linear2DProblem(), sde.SRID2{}, "")
	add(sde.LinearProblem(true), sde.Heun{}, "")
	add(sde.LinearProblem(true), sde.EulerHeun{}, "")
	add(sde.LinearProblem(true), sde.Midpoint{}, "")
	add(sde.LinearProblem(true), sde.Milstein{Stratonovich: true}, "")
	add(sde.LinearProblem(true), sde.ReversibleHeun{}, "scalar noise commutes")
	add(sde.CubicProblem(), sde.EulerMaruyama{}, "")
	add(sde.CubicProblem(), sde.Milstein{}, "")
	add(sde.CubicProblem(), sde.SRID2{}, "")
	add(sde.WaveProblem(), sde.EulerMaruyama{}, "")
	add(sde.WaveProblem(), sde.Milstein{}, "")
	add(sde.WaveProblem(), sde.SRID2{}, "")
	add(sde.AdditiveProblem(1), sde.EulerMaruyama{}, "")
	add(sde.AdditiveProblem(4), sde.EulerMaruyama{}, "")
	add(sde.AdditiveProblem(1), sde.SRA1{}, "linear drift: order 2")
	add(sde.AdditiveProblem(4), sde.SRA1{}, "linear drift: order 2")
	add(sde.NonlinearAdditiveProblem(), sde.SRA1{}, "")
	add(sde.NonlinearAdditiveProblem(), sde.SRID2{}, "")
	add(sde.NonlinearAdditiveProblem(), sde.EulerMaruyama{}, "")
	add(sde.NonlinearAdditiveProblem(), sde.Heun{}, "")
	add(sde.NonlinearAdditiveProblem(), sde.ReversibleHeun{}, "")

	steps := []int{8, 16, 32, 64, 128, 256}
	var table bytes.Buffer // strong.csv, written atomically once complete
	w := csv.NewWriter(&table)
	check(w.Write([]string{"problem", "method", "h", "rms_error", "rms_se", "fitted_order", "theory"}))
	var ito, strat []curve
	fmt.Printf("strong orders: %d paths, step sizes 2^-3 … 2^-8, seed %d\n\n", *paths, *seed)
	fmt.Printf("%-24s %-20s %8s %8s  %s\n", "problem", "method", "fitted", "theory", "note")
	start := time.Now()
	for i, s := range studies {
		cfg := &sde.ConvergenceSettings{Steps: steps, Paths: *paths, Seed: *seed, Reference: sde.SRA1{}}
		if s.p.Exact == nil {
			cfg.FineSteps = *fine
		}
		r, err := sde.ConvergenceStudy(s.p, s.m, cfg)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%-24s %-20s %8.3f %8.1f  %s\n", s.p.Name, s.m.Name(), r.StrongOrder, s.theory, s.note)
		fmt.Fprintf(os.Stderr, "\r[%d/%d] %v", i+1, len(studies), time.Since(start).Round(time.Millisecond))
		for l := range r.H {
			check(w.Write([]string{s.p.Name, s.m.Name(), ftoa(r.H[l]), ftoa(r.Strong[l]), ftoa(r.StrongSE[l]), ftoa(r.StrongOrder), ftoa(s.theory)}))
		}
		c := curve{name: fmt.Sprintf("%s / %s (%.2f)", s.p.Name, s.m.Name(), r.StrongOrder), x: r.H, y: r.Strong}
		if s.m.Calculus() == sde.Stratonovich {
			strat = append(strat, c)
		} else {
			ito = append(ito, c)
		}
	}
	fmt.Fprintln(os.Stderr)
	w.Flush()
	check(w.Error())
	check(atomicfile.WriteBytes(filepath.Join(*out, "strong.csv"), 0, table.Bytes()))

	// Weak order of Euler–Maruyama on GBM with φ(x) = x, against the closed
	// form of the Euler–Maruyama mean x0 (1 + αh)^{T/h}.
	p := sde.LinearProblem(false)
	r, err := sde.ConvergenceStudy(p, sde.EulerMaruyama{}, &sde.ConvergenceSettings{
		Steps: []int{4, 8, 16, 32, 64}, Paths: *weakPaths, Seed: *seed,
		Phi: func(x []float64) float64 { return x[0] },
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("\nweak order of EulerMaruyama on GBM, φ(x) = x, %d paths: fitted %.3f (theory 1)\n", *weakPaths, r.WeakOrder)
	fmt.Printf("%10s %14s %12s %14s\n", "h", "weak error", "std error", "closed form")
	exact := make([]float64, len(r.H))
	for l, h := range r.H {
		exact[l] = p.X0[0] * math.Abs(math.Exp(1.01*p.T)-math.Pow(1+1.01*h, p.T/h))
		fmt.Printf("%10.5f %14.5f %12.5f %14.5f\n", h, r.Weak[l], r.WeakSE[l], exact[l])
	}
	logLogPlot(filepath.Join(*out, "strong_ito.png"), "Strong error, Itô methods", ito)
	logLogPlot(filepath.Join(*out, "strong_stratonovich.png"), "Strong error, Stratonovich methods", strat)
	logLogPlot(filepath.Join(*out, "weak_em.png"), "Weak error of Euler–Maruyama on GBM, φ(x) = x",
		[]curve{{name: fmt.Sprintf("Monte Carlo (%.2f)", r.WeakOrder), x: r.H, y: r.Weak}, {name: "closed form", x: r.H, y: exact}})
	implicitReport(*out, *paths, *weakPaths, *seed)
	fmt.Printf("\nwrote %s/{strong.csv,strong_ito.png,strong_stratonovich.png,weak_em.png}\n", *out)
	calculusStudy(*out, *paths, *seed)
	stoppingStudy(*out, *stopPaths, *seed)
	breadthStudy(min(*paths, 400), *seed)
	fmt.Printf("\nwrote %s/{calculus.csv,stopping.csv,exit_bias.png}\n", *out)
}

func ftoa(v float64) string { return strconv.FormatFloat(v, 'g', 6, 64) }

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
