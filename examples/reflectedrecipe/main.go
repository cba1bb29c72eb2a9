// Command reflectedrecipe measures the training recipe and the samplers of package reflected
// (docs/REPRODUCTION.md, "reflected: training recipe and samplers").
//
// -task ablation trains a score network on data on a d-dimensional box in [0,1]^D with each
// ingredient of the recipe (preconditioning, unit loss weight, log-normal training times,
// parameter EMA, learning-rate warm-up) added alone to the earlier default and removed alone
// from the full recipe, and reports the held-out DSM risk and the W1 of the samples.
//
// -task samplers trains the default-recipe and the earlier-default models on the 2-D diagonal
// segment and measures W1 against the number of score evaluations for every sampler scheme,
// also with the exact (quadrature) score. -task speed times the residual score network
// (compare docs/bench/reflected_res_peer.py).
//
// Usage:
//
//	go run ./examples/reflectedrecipe -task ablation          # D = 16, d = 2, 3 seeds, 14 recipes (≈ 15 min on 2 idle cores)
//	go run ./examples/reflectedrecipe -task ablation -seeds 1 -only "default (precond, λ = t, log-uniform, EMA, warm-up)"   # one run, < 1 min
//	go run ./examples/reflectedrecipe -task samplers          # sampler curves on the 2-D segment (≈ 20–40 min; the exact score is slow)
//	go run ./examples/reflectedrecipe -task samplers -exact=false -curve-steps 25,100   # a few minutes
//	docs/bench/reflected_res_bench.sh                         # speed, Go and PyTorch in one run
package main

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
)

func main() {
	task := flag.String("task", "ablation", "ablation, samplers or speed")
	var a ablationConfig
	var hidden string
	flag.IntVar(&a.D, "D", 16, "ambient dimension")
	flag.IntVar(&a.d, "d", 2, "intrinsic dimension")
	flag.IntVar(&a.n, "n", 1000, "training points")
	flag.IntVar(&a.seeds, "seeds", 3, "seeds (independent data, initialisation and noise)")
	flag.IntVar(&a.steps, "steps", 3000, "optimizer steps")
	flag.IntVar(&a.m, "m", 1000, "generated and reference points for W1")
	flag.IntVar(&a.held, "held", 1000, "held-out points for the DSM risk")
	flag.IntVar(&a.samplerSteps, "sampler-steps", 400, "reverse steps")
	flag.Float64Var(&a.lr, "lr", 2e-3, "Adam learning rate")
	flag.StringVar(&hidden, "hidden", "128,128,128", "hidden widths")
	flag.StringVar(&a.only, "only", "", "run only the variant with this name")
	out := flag.String("out", "out/reflectedrecipe", "output directory (CSV, PNG)")
	var sc samplerConfig
	var stepsFlag string
	flag.IntVar(&sc.n, "curve-n", 1000, "samplers: training points on the 2-D segment")
	flag.IntVar(&sc.trainSteps, "curve-train", 3000, "samplers: training steps")
	flag.IntVar(&sc.seeds, "curve-seeds", 3, "samplers: sampler seeds (and references) per point")
	flag.StringVar(&stepsFlag, "curve-steps", "10,25,50,100,200,400,800", "samplers: step counts")
	flag.BoolVar(&sc.exact, "exact", true, "samplers: also drive the samplers with the exact (quadrature) score")
	flag.Parse()
	for _, f := range strings.Split(hidden, ",") {
		w, err := strconv.Atoi(f)
		if err != nil {
			fail(fmt.Errorf("-hidden: %v", err))
		}
		a.hidden = append(a.hidden, w)
	}
	for _, f := range strings.Split(stepsFlag, ",") {
		k, err := strconv.Atoi(f)
		if err != nil {
			fail(fmt.Errorf("-curve-steps: %v", err))
		}
		sc.steps = append(sc.steps, k)
	}
	sc.D, sc.m, sc.hidden = 2, a.m, a.hidden
	switch *task {
	case "speed":
		if err := speed(200, 3); err != nil {
			fail(err)
		}
	case "samplers":
		rows, err := samplerCurves(&sc)
		if err != nil {
			fail(err)
		}
		if err := writeSamplers(*out, rows); err != nil {
			fail(err)
		}
	case "ablation":
		rows, err := ablation(&a)
		if err != nil {
			fail(err)
		}
		if err := writeAblation(*out, rows); err != nil {
			fail(err)
		}
	default:
		fail(fmt.Errorf("-task = %q, want ablation, samplers or speed", *task))
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "reflectedrecipe:", err)
	os.Exit(1)
}
