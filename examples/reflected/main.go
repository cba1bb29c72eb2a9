// Command reflected trains reflected diffusion models (Holk, Strauch, Trottner, arXiv
// 2603.24495) by denoising score matching and the reflected reverse sampler, in two tasks.
//
// -task adapt (default) is the adaptation study of docs/derivations/reflected.md §9: data on
// d-dimensional linear pieces of [0,1]^D for d ∈ -d and D ∈ -D (D > d), W1 against the
// sample size n over at least a decade, seeds per cell, log-log slopes with bootstrap 95%
// CIs, tests (a) equal slopes across D for the same d and (b) different slopes across d,
// the theory's exponent and the W1 estimator's noise floor beside each slope; study.csv,
// slopes.csv and w1_vs_n_d<d>.png go to -out. -exp A (d = 1) and -exp B (d = 2) are the
// earlier single-d experiments. Two pre-flight oracle checks (exact quadrature score;
// memorising empirical score) run first.
//
// -task images trains the model on MNIST and Fashion-MNIST downsampled to 8×8 and 14×14
// (D = 64, 196), with and without reflection (the Free baseline clamps at the end), and
// writes sample grids beside real images and the metrics of images.csv.
//
// The training runs are the units of an internal/sweep sweep (-out/grid_d<d>/units):
// -shard i/n runs every n-th of them, -merge DIR,... builds the outputs from the shards'
// -out folders, -resume skips finished runs, and SIGINT or SIGTERM finishes the runs in
// progress, writes what exists (marked PARTIAL) and exits non-zero (see docs/SCALING.md).
//
// Usage:
//
//	go run ./examples/reflected                # the study: d ∈ {1,2,3}, D ∈ {4,16}, n ∈ {100,300,1000}, 5 seeds, 12 000 steps, budget check (≈ 77 CPU-min, ≈ 40 min on 2 free cores)
//	go run ./examples/reflected -D 2,4,8,16    # the full grid (add -budget 1 to skip the budget check)
//	go run ./examples/reflected -quick         # reduced study (d ∈ {1,2}, D ∈ {2,4,8}, 3 seeds, m = 500)
//	go run ./examples/reflected -n 100,300,1000,3000 -seeds 10   # a longer grid
//	go run ./examples/reflected -validate 4    # the debiased W1 estimator on laws with known W1
//	go run ./examples/reflected -task images   # images (≈13 min on 2 cores)
//	go run ./examples/reflected -task images -quick   # MNIST 8×8 only (seconds)
//	go run ./examples/reflected -exp B         # Experiment B: d = 2, D ∈ {4, 8}
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/sdeml/sdeml/reflected"
)

// config is the experiment's setting (docs/derivations/reflected.md §9, times in the package's
// standard-RBM convention t = 2s).
type config struct {
	exp          string
	d            int
	Ds, ns       []int
	seeds        int
	steps        int
	samplerSteps int
	batch        int
	m            int
	t0           float64
	hidden       []int
	freqs        int
	lr           float64
	ema          float64
	c            float64
	skipPre      bool
	out          string
	noneCheck    bool
	ds           []int // study: intrinsic dimensions
	boot         int   // study: bootstrap resamples
	budget       int   // study: the budget check trains the largest n again with budget × steps (≤ 1: off)
	m1           int   // study, d = 1: generated sample size of the on-segment estimator (0: 2m)
	validate     int   // study: replicates of the estimator check on laws with known W1 (0: off)
	mBig         []int // study: evaluation size at the largest n for d = 2, 3, … (the last repeats; nil or 0: m)
	m1Big        int   // study, d = 1: generated size at the largest n (0: m1)
	scheme       reflected.Scheme
}

func main() {
	var cfg config
	var Ds, ns, hidden string
	var img imageConfig
	var imgData, imgSides string
	task := flag.String("task", "adapt", "adapt: the adaptation study on subspace targets; images: MNIST / Fashion-MNIST")
	flag.StringVar(&imgData, "data", "mnist,fashion", "images: data sets (mnist, fashion)")
	flag.StringVar(&imgSides, "sizes", "8,14", "images: downsampled sides (8 → D = 64, 14 → D = 196)")
	flag.IntVar(&img.class, "class", -1, "images: keep one class (0–9), −1 = all")
	flag.IntVar(&img.nTrain, "ntrain", 10000, "images: training images")
	flag.IntVar(&img.nHeld, "nheld", 1000, "images: held-out (test-set) images, ≥ -m")
	quick := flag.Bool("quick", false, "small grid: D ∈ {2,4}, n ∈ {100,300,1000}, 2000 steps, m = 500, 1 seed")
	var dsFlag string
	flag.StringVar(&cfg.exp, "exp", "study", "experiment: study (d ∈ -d, D ∈ -D with D > d, bootstrap slope tests), A (d = 1 segment) or B (d = 2 square)")
	flag.StringVar(&dsFlag, "d", "1,2,3", "study: intrinsic dimensions (1: diagonal segment, d ≥ 2: CentredBox)")
	flag.StringVar(&Ds, "D", "", "ambient dimensions (default 2,4,8,16 for the study; 2,4,8 for A; 4,8 for B)")
	flag.BoolVar(&cfg.noneCheck, "none", false, "also sample with Final = None (no Tweedie step) and report its W1 and off-subspace distance")
	flag.IntVar(&cfg.boot, "boot", 2000, "study: bootstrap resamples for the slope CIs")
	flag.IntVar(&cfg.budget, "budget", 2, "study: budget check, the largest n trained again with this multiple of -steps (≤ 1: off)")
	flag.IntVar(&cfg.m1, "m1", 0, "study, d = 1: generated sample size of the exact on-segment estimator (0: 2·m)")
	var mBig string
	flag.StringVar(&mBig, "mbig", "", "study, d ≥ 2: evaluation sizes (generated and reference points) at the largest n for d = 2, 3, … (the last repeats; 0: -m; study default 10000,12000)")
	flag.IntVar(&cfg.m1Big, "m1big", 0, "study, d = 1: generated size of the on-segment estimator at the largest n (0: -m1; study default 64000)")
	var scheme string
	flag.StringVar(&scheme, "scheme", "", "reverse step: em, heun or ode (default heun for the study, em otherwise)")
	flag.IntVar(&cfg.validate, "validate", 0, "study: only check the debiased W1 estimator on laws with known W1, with this many replicates per case, and exit")
	flag.StringVar(&ns, "n", "100,300,1000,3000", "training-set sizes")
	flag.IntVar(&cfg.seeds, "seeds", 2, "independent training sets (and references) per (D, n); W1 of one training set scatters widely")
	flag.IntVar(&cfg.steps, "steps", 10000, "Adam steps per training run")
	flag.IntVar(&cfg.samplerSteps, "sampler-steps", 400, "reverse-time steps on the geometric grid")
	flag.IntVar(&cfg.batch, "batch", 128, "DSM minibatch size")
	flag.IntVar(&cfg.m, "m", 2000, "generated and reference sample size for W1")
	flag.Float64Var(&cfg.t0, "t0", 2e-4, "smallest time t₀ (heat time s₀ = t₀/2)")
	flag.StringVar(&hidden, "hidden", "128,128,128", "hidden widths of the ReLU score network")
	flag.IntVar(&cfg.freqs, "freqs", 8, "sine/cosine pairs in the time embedding")
	flag.Float64Var(&cfg.lr, "lr", 3e-3, "Adam learning rate (cosine decay to 1%)")
	flag.Float64Var(&cfg.ema, "ema", 0.999, "decay of the parameter EMA used for sampling (TrainSettings.EMA; 0 = the last Adam iterate)")
	flag.Float64Var(&cfg.c, "c", 0.5, "density ρ(z) ∝ 1 + c·cos 2πz per coordinate")
	flag.BoolVar(&cfg.skipPre, "skip-preflight", false, "skip the oracle checks")
	flag.StringVar(&cfg.out, "out", "out/reflected", "output directory")
	prog.Config.RegisterFlags(flag.CommandLine)
	flag.Parse()
	defer prog.Notify()()

	var err error
	switch *task {
	case "adapt":
	case "images":
		if err := imageSettings(&img, *quick, imgData, imgSides, hidden, &cfg); err != nil {
			fail(err)
		}
		start := time.Now()
		if err := runImages(&img); err != nil {
			fail(err)
		}
		fmt.Printf("total time %.1fs; outputs in %s\n", time.Since(start).Seconds(), img.out)
		return
	default:
		fail(fmt.Errorf("-task = %q, want adapt or images", *task))
	}
	switch cfg.exp {
	case "study":
		if Ds == "" {
			Ds = "4,16"
		}
		if !flagSet("seeds") {
			cfg.seeds = 5
		}
		// The default grid (≈ 77 CPU-min, ≈ 40 min on 2 free cores, docs/REPRODUCTION.md): D ∈ {4, 16},
		// 90 runs of 12 000 steps (the budget at which doubling the steps no longer changes
		// W1, check (a)) and 30 budget-check runs at 24 000. The full grid D ∈ {2,4,8,16},
		// n = 3000 and more seeds are behind -D, -n and -seeds. The evaluation sizes put the
		// debiased estimator's floor (debias.go) at most a third of the model W1 where W1 is
		// smallest, at the largest n: m = 4000 (d ≥ 2) and 8000 (d = 1) at n < nmax, 12 000
		// and 64 000 at nmax; the Heun sampler with 50 steps is as accurate as EM with 400
		// (docs/REPRODUCTION.md, samplers) at a quarter of the score evaluations.
		if !flagSet("steps") {
			cfg.steps = 12000
		}
		if !flagSet("m") {
			cfg.m = 4000
		}
		if mBig == "" {
			mBig = "10000,12000"
		}
		if !flagSet("m1big") {
			cfg.m1Big = 64000
		}
		if !flagSet("sampler-steps") {
			cfg.samplerSteps = 50
		}
		if scheme == "" {
			scheme = "heun"
		}
		if !flagSet("n") {
			ns = "100,300,1000"
		}
		if cfg.ds, err = ints("d", dsFlag); err != nil {
			fail(err)
		}
	case "A":
		cfg.d = 1
		if Ds == "" {
			Ds = "2,4,8"
		}
	case "B":
		cfg.d = 2
		if Ds == "" {
			Ds = "4,8"
		}
	}
	if cfg.exp != "study" {
		cfg.ds = []int{cfg.d}
	}
	switch cfg.exp {
	case "study", "A", "B":
	default:
		fail(fmt.Errorf("-exp = %q, want study, A or B", cfg.exp))
	}
	if *quick && cfg.exp == "study" {
		if !flagSet("d") {
			cfg.ds = []int{1, 2}
		}
		if !flagSet("D") {
			Ds = "2,4,8"
		}
		if !flagSet("steps") {
			cfg.steps = 1500
		}
		if !flagSet("mbig") {
			mBig = ""
		}
		if !flagSet("m1big") {
			cfg.m1Big = 0
		}
	}
	if *quick {
		if !flagSet("D") && cfg.exp != "study" {
			Ds = "2,4"
		}
		if !flagSet("n") {
			ns = "100,300,1000"
		}
		if !flagSet("steps") {
			cfg.steps = 2000
		}
		if !flagSet("m") {
			cfg.m = 500
		}
		if !flagSet("seeds") {
			cfg.seeds = 1
			if cfg.exp == "study" {
				cfg.seeds = 3 // the bootstrap needs more than one seed per cell
			}
		}
	}
	if cfg.scheme, err = parseScheme(scheme); err != nil {
		fail(err)
	}
	if cfg.mBig, err = sizes("mbig", mBig); err != nil {
		fail(err)
	}
	if cfg.m1Big < 0 || cfg.m1 < 0 {
		fail(fmt.Errorf("-m1big = %d, -m1 = %d: need ≥ 0 (0: the default size)", cfg.m1Big, cfg.m1))
	}
	if cfg.Ds, err = ints("D", Ds); err != nil {
		fail(err)
	}
	if cfg.ns, err = ints("n", ns); err != nil {
		fail(err)
	}
	if cfg.hidden, err = ints("hidden", hidden); err != nil {
		fail(err)
	}
	if cfg.seeds < 1 || cfg.steps < 1 || cfg.samplerSteps < 1 || cfg.batch < 1 || cfg.m < 2 || !(cfg.t0 > 0) || !(cfg.ema >= 0 && cfg.ema < 1) {
		fail(fmt.Errorf("need -seeds, -steps, -sampler-steps, -batch ≥ 1, -m ≥ 2, -t0 > 0 and 0 ≤ -ema < 1"))
	}
	if err := os.MkdirAll(cfg.out, 0o755); err != nil {
		fail(err)
	}
	start := time.Now()
	if cfg.exp == "study" && cfg.validate > 0 {
		rows, err := validateEstimator(&cfg, cfg.validate)
		if err != nil {
			fail(err)
		}
		if err := writeValidation(&cfg, rows); err != nil {
			fail(err)
		}
		fmt.Printf("total time %.1fs; outputs in %s\n", time.Since(start).Seconds(), cfg.out)
		return
	}
	if cfg.exp == "study" {
		if err := study(&cfg); err != nil {
			fail(err)
		}
		fmt.Printf("total time %.1fs; outputs in %s\n", time.Since(start).Seconds(), cfg.out)
		return
	}
	fmt.Printf("reflected diffusion, Experiment %s: d = %d, D ∈ %v, n ∈ %v, %d seed(s)\n", cfg.exp, cfg.d, cfg.Ds, cfg.ns, cfg.seeds)
	fmt.Printf("  ReLU net %v, embedding %d freqs; Adam lr %g (cosine), %d steps × batch %d, EMA %g; sampler %d steps, t₀ = %g, Tweedie; m = %d\n",
		cfg.hidden, cfg.freqs, cfg.lr, cfg.steps, cfg.batch, cfg.ema, cfg.samplerSteps, cfg.t0, cfg.m)
	if !cfg.skipPre {
		if err := preflight(&cfg); err != nil {
			fail(err)
		}
	}
	rows, err := grid(&cfg)
	if err != nil {
		fail(err)
	}
	report(&cfg, rows)
	if err := writeOutputs(&cfg, rows); err != nil {
		fail(err)
	}
	fmt.Printf("total time %.1fs; outputs in %s\n", time.Since(start).Seconds(), cfg.out)
	if prog.Err != nil {
		fail(prog.Err)
	}
}

// target returns the experiment's data law in dimension D.
func (c *config) target(D int) (*reflected.Subspace, error) {
	if c.d == 1 {
		return reflected.DiagonalSegment(D, c.c)
	}
	return reflected.CentredBox(D, c.d, c.c)
}

// sampler returns the reverse-time sampler of §9 (geometric grid from MixingTime(D, 1e-3)
// to t₀, fold at every step).
func (c *config) sampler(final reflected.Final) *reflected.Sampler {
	return &reflected.Sampler{T0: c.t0, Steps: c.samplerSteps, Final: final, Scheme: c.scheme}
}

// imageSettings fills the image task's configuration from the flags, with the image task's
// own defaults for the shared flags the user did not set.
func imageSettings(c *imageConfig, quick bool, data, sides, hidden string, cfg *config) error {
	c.data = strings.Split(data, ",")
	var err error
	if quick {
		if !flagSet("data") {
			c.data = []string{"mnist"}
		}
		if !flagSet("sizes") {
			sides = "8"
		}
		if !flagSet("ntrain") {
			c.nTrain = 3000
		}
		if !flagSet("nheld") {
			c.nHeld = 500
		}
	}
	if c.sides, err = ints("sizes", sides); err != nil {
		return err
	}
	c.steps, c.samplerSteps, c.m, c.hidden = 10000, 200, 1000, []int{256, 256, 256}
	if quick {
		c.steps, c.samplerSteps, c.m, c.hidden = 800, 100, 500, []int{128, 128, 128}
	}
	if flagSet("steps") {
		c.steps = cfg.steps
	}
	if flagSet("sampler-steps") {
		c.samplerSteps = cfg.samplerSteps
	}
	if flagSet("m") {
		c.m = cfg.m
	}
	if flagSet("hidden") {
		if c.hidden, err = ints("hidden", hidden); err != nil {
			return err
		}
	}
	c.batch, c.t0, c.freqs, c.lr, c.ema = cfg.batch, cfg.t0, cfg.freqs, 1e-3, cfg.ema
	if flagSet("lr") {
		c.lr = cfg.lr
	}
	c.out = filepath.Join(cfg.out, "images")
	if flagSet("out") {
		c.out = cfg.out
	}
	switch {
	case c.class < -1 || c.class > 9:
		return fmt.Errorf("-class = %d, need −1 (all) or 0–9", c.class)
	case c.m < 2 || c.nHeld < c.m || c.nTrain < c.m:
		return fmt.Errorf("-m = %d, -nheld = %d, -ntrain = %d: need 2 ≤ m ≤ nheld and m ≤ ntrain", c.m, c.nHeld, c.nTrain)
	case c.steps < 1 || c.samplerSteps < 1 || c.batch < 1 || !(c.t0 > 0) || !(c.ema >= 0 && c.ema < 1):
		return fmt.Errorf("need -steps, -sampler-steps, -batch ≥ 1, -t0 > 0 and 0 ≤ -ema < 1")
	}
	return nil
}

// parseScheme maps the -scheme flag to a reverse step ("" is EM).
func parseScheme(s string) (reflected.Scheme, error) {
	switch s {
	case "", "em":
		return reflected.SchemeEM, nil
	case "heun":
		return reflected.SchemeHeun, nil
	case "ode":
		return reflected.SchemeODE, nil
	}
	return 0, fmt.Errorf("-scheme = %q, want em, heun or ode", s)
}

// sizes parses a comma-separated list of sizes ≥ 0 ("" is none).
func sizes(name, s string) ([]int, error) {
	if s == "" {
		return nil, nil
	}
	var out []int
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || v < 0 {
			return nil, fmt.Errorf("-%s = %q: want a list of sizes ≥ 0", name, s)
		}
		out = append(out, v)
	}
	return out, nil
}

func ints(name, s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || v < 1 {
			return nil, fmt.Errorf("-%s: %q is not a list of positive integers", name, s)
		}
		out = append(out, v)
	}
	return out, nil
}

func flagSet(name string) bool {
	set := false
	flag.Visit(func(f *flag.Flag) {
		if f.Name == name {
			set = true
		}
	})
	return set
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "reflected:", err)
	os.Exit(1)
}
