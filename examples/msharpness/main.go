// Command msharpness reproduces the m-sharpness effect (Luo, Harandi, Phung & Le,
// "Unveiling m-Sharpness Through the Structure of Stochastic Gradient Noise", NeurIPS 2025)
// with the sam package: SGD, n-SAM, SAM, m-SAM for several micro-batch sizes m, and the
// RW-SAM in both reconstructed forms (docs/derivations/sam.md), on three targets.
//
//	go run ./examples/msharpness -task diagnet   # stochastic diagonal linear net, ≈1 min
//	go run ./examples/msharpness -task mnist     # MLP on an MNIST subset, < 10 min
//	go run ./examples/msharpness -task mnist -train 60000 -test 10000 -epochs 30 -seeds 5  # full run
//	go run ./examples/msharpness -task mnist -only "SAM (m=128),m-SAM m=8" -rhos 0.1  # a subset
//	go run ./examples/msharpness -task fmnist    # CNN on Fashion-MNIST, 5 seeds, 7 min measured on 2 cores
//	go run ./examples/msharpness -task fmnist -quick  # the same study reduced, 20 s
//	go run ./examples/msharpness -task fmnist -fmtrain 10000 -fmepochs 20  # 16× the training
//
// The fmnist task runs its (method, ρ, seed) units through internal/sweep, so -shard i/n,
// -merge and -resume split, combine and continue it, and SIGINT writes partial outputs.
//
// Each prints a table, writes runs.csv, summary.csv and a PNG (test metric against m, one
// line per method) into -out/<task>, and one result file per run into -out/<task>/units.
//
// The runs form a sweep (internal/sweep): -shard i/n runs every n-th of them, -merge
// DIR,... builds the outputs of the whole sweep from the shards' folders without computing,
// -resume skips runs whose unit file exists, and SIGINT/SIGTERM finishes the runs in
// progress, writes the outputs marked PARTIAL and exits non-zero (see docs/SCALING.md).
//
//	go run ./examples/msharpness -task diagnet -shard 0/3 -out out/s0   # and 1/3, 2/3
//	go run ./examples/msharpness -task diagnet -merge out/s0/diagnet,out/s1/diagnet,out/s2/diagnet
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/sdeml/sdeml/internal/sweep"
)

func main() {
	task := flag.String("task", "diagnet", "diagnet, mnist or fmnist")
	out := flag.String("out", "out/msharpness", "output folder")
	seeds := flag.Int("seeds", 3, "number of seeds")
	rhos := flag.String("rhos", "", "comma-separated ρ grid (default per task)")
	steps := flag.Int("steps", 10000, "diagnet: optimizer steps")
	epochs := flag.Int("epochs", 15, "mnist: epochs")
	ntrain := flag.Int("train", 4000, "mnist: training images (first n of the 60k)")
	ntest := flag.Int("test", 5000, "mnist: test images")
	fixed := flag.Float64("fixedrho", 0.1, "mnist: the fixed ρ column")
	hidden := flag.Int("hidden", 128, "mnist: hidden width of the 784-h-10 MLP")
	quick := flag.Bool("quick", false, "fmnist: the reduced study (< 3 min)")
	fmTrain := flag.Int("fmtrain", 0, "fmnist: training images (first n of the 60k; 0: 2048, -quick 512)")
	fmEpochs := flag.Int("fmepochs", 0, "fmnist: epochs (0: 6, -quick 3)")
	only := flag.String("only", "", "run only the methods whose name contains one of these comma-separated strings")
	sweepCfg.RegisterFlags(flag.CommandLine)
	flag.Parse()
	ctx, stop := sweep.NotifyContext(context.Background())
	defer stop()
	sweepCtx = ctx
	seedsSet := new(bool)
	flag.Visit(func(f *flag.Flag) { *seedsSet = *seedsSet || f.Name == "seeds" })
	if err := os.MkdirAll(filepath.Join(*out, *task), 0o755); err != nil {
		fail(err)
	}
	var grid []float64
	if *rhos != "" {
		for _, s := range strings.Split(*rhos, ",") {
			v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
			if err != nil || v < 0 {
				fail(fmt.Errorf("-rhos: bad value %q", s))
			}
			grid = append(grid, v)
		}
	}
	if *seeds < 1 {
		fail(fmt.Errorf("-seeds = %d must be >= 1", *seeds))
	}
	dir := filepath.Join(*out, *task)
	sweepCfg.Dir = dir
	if *only != "" {
		filter = strings.Split(*only, ",")
	}
	var err error
	switch *task {
	case "diagnet":
		if grid == nil {
			grid = []float64{0.01, 0.03, 0.1, 0.2, 0.3, 0.45, 0.6, 1, 2}
		}
		err = runDiagNet(dir, *seeds, *steps, grid)
	case "mnist":
		if grid == nil {
			grid = []float64{0.05, 0.1, 0.2, 0.4}
		}
		err = runMNIST(dir, mnistConfig{seeds: *seeds, epochs: *epochs, train: *ntrain, test: *ntest,
			rhos: grid, fixed: *fixed, hidden: *hidden})
	case "fmnist":
		c := fmnistConfig{seeds: []uint64{1, 2, 3, 4, 5}, epochs: 6, train: 2048, val: 1024, test: 5000, flat: 128,
			rhos: []float64{0.03, 0.1, 0.3}, ctx: sweepCtx}
		if *quick {
			c.seeds, c.epochs, c.train, c.val, c.test, c.flat, c.rhos = []uint64{1, 2}, 3, 512, 256, 1000, 128, []float64{0.1}
		}
		if *seedsSet {
			c.seeds = c.seeds[:0]
			for s := range *seeds {
				c.seeds = append(c.seeds, uint64(s+1))
			}
		}
		if *fmTrain < 0 || *fmEpochs < 0 {
			fail(fmt.Errorf("-fmtrain = %d, -fmepochs = %d must be >= 0", *fmTrain, *fmEpochs))
		}
		if *fmTrain > 0 {
			c.train = *fmTrain
		}
		if *fmEpochs > 0 {
			c.epochs = *fmEpochs
		}
		if grid != nil {
			c.rhos = grid
		}
		c.sweep = sweepCfg
		c.sweep.Progress = os.Stderr
		err = runFMNIST(dir, c)
	default:
		err = fmt.Errorf("-task = %q: want diagnet, mnist or fmnist", *task)
	}
	if err != nil {
		fail(err)
	}
}

// filter restricts the methods run (see -only); nil runs all.
var filter []string

func keep(ms []method) []method {
	if filter == nil {
		return ms
	}
	var out []method
	for _, m := range ms {
		for _, f := range filter {
			if strings.Contains(m.name, f) {
				out = append(out, m)
				break
			}
		}
	}
	return out
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "msharpness:", err)
	os.Exit(1)
}
