// Command sgnstudy measures stochastic gradient noise (SGN) and curvature at the solutions
// found by SGD, SAM and m-SAM on an MNIST MLP, and checks the SGN view of m-sharpness
// (Luo, Harandi, Phung, Le, NeurIPS 2025): the implicit regulariser ρ·E_γ‖∇f_γ‖ of m-SAM
// grows as the micro-batch size m shrinks, following √(‖∇f‖² + c_m tr Σ).
//
// Setting (the MNIST target of examples/msharpness; quantities in docs/derivations/sgn.md): a 784-h-10
// MLP on the first -train MNIST training images, batch 128, SGD with momentum 0.9,
// learning rate 0.05 with cosine decay and weight decay 5e-4 in the base step, normalised
// (SAM-form) perturbations with radius -rho. Each trained model's parameters are saved
// (nn.Save) to the output folder, then measured on the training objective:
//
//   - tr Σ and ‖∇f‖² from all per-sample gradients (streamed);
//   - E_γ‖∇f_γ‖ for m ∈ {1, 4, 16, 64, 128} by Monte Carlo over random micro-batches, against
//     √(‖∇f‖² + c_m tr Σ);
//   - λ_max(H) (power iteration), tr H and tr H² (Hutchinson), Tr(HΣ) (exact, over a subset of
//     per-sample deviations) and its alignment ratio, Frobenius cosine and c*;
//   - the spectrum of Σ and its power-law exponent;
//   - the tail index of minibatch noise (pooled and per coordinate) and Jarque–Bera on random
//     projections of minibatch noise at batch sizes 16, 128 and 256.
//
// The hidden activation is ReLU by default, as in examples/msharpness; -act gelu trains the
// same network with GELU. Curvature uses nn's exact Hessian–vector products (Pearlmutter's
// R-operator, nn.Hessian on a *nn.Supervised): for ReLU this is the exact Hessian of the
// loss on the current activation region. -hvp difference switches to central differences
// of gradients (nn.Hessian{Difference: true}, step -hvpstep) for comparison; on a ReLU
// network a difference that straddles a kink of any of the n·h pre-activations returns a
// gradient jump over the step (seed 1, default step: Hutchinson's tr H agrees with the
// exact value to 8 digits, but power iteration settles on λ_max = 6.44 for the SGD
// solution against the exact 3.45).
//
// Output: a table on stdout, results.csv, micro.csv, spectrum.csv, and the plots
// regulariser_vs_m.png and spectrum.png in -out; per-method results in -out/units and
// wall times in -out/timings.csv. Each method is one unit of an internal/sweep sweep:
// -shard i/3 trains one method per machine, -merge DIR,... builds the tables and plots from
// the shards' folders, -resume skips finished methods, and SIGINT finishes the method in
// progress, writes the partial outputs and exits non-zero (see docs/SCALING.md).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/sdeml/sdeml/internal/atomicfile"
	"github.com/sdeml/sdeml/internal/sweep"
	"github.com/sdeml/sdeml/nn"
	"github.com/sdeml/sdeml/nn/data"
	"github.com/sdeml/sdeml/sam"
)

type config struct {
	out                         string
	train, test, hidden, epochs int
	rho                         float64
	micro                       int
	seed                        uint64
	reps, probes, powerIter     int
	sigmaRows, noiseBatches     int
	projections                 int
	hvpDiff                     bool
	hvpStep                     float64
	act                         nn.Activation
	sweep                       sweep.Config
	ctx                         context.Context
}

func main() {
	var c config
	flag.StringVar(&c.out, "out", "out/sgnstudy", "output folder")
	flag.IntVar(&c.train, "train", 4000, "training images (first n of the 60k)")
	flag.IntVar(&c.test, "test", 5000, "test images")
	flag.IntVar(&c.hidden, "hidden", 128, "hidden width of the 784-h-10 MLP")
	flag.IntVar(&c.epochs, "epochs", 15, "training epochs")
	flag.Float64Var(&c.rho, "rho", 0.1, "SAM / m-SAM perturbation radius ρ")
	flag.IntVar(&c.micro, "m", 16, "m-SAM micro-batch size (must divide 128)")
	act := flag.String("act", "relu", "hidden activation: relu or gelu")
	seed := flag.Uint64("seed", 1, "seed for initialisation, shuffles and all estimators")
	flag.IntVar(&c.reps, "reps", 1000, "Monte Carlo micro-batches per m")
	flag.IntVar(&c.probes, "probes", 50, "Hutchinson probes for tr H")
	flag.IntVar(&c.powerIter, "poweriter", 100, "max power iterations for λ_max(H)")
	flag.IntVar(&c.sigmaRows, "sigmarows", 256, "per-sample deviations used for the spectrum and Tr(HΣ)")
	flag.IntVar(&c.noiseBatches, "noisebatches", 256, "minibatch gradients per batch size for tails and Gaussianity")
	flag.IntVar(&c.projections, "proj", 50, "random projections for the sliced Jarque–Bera test")
	hvp := flag.String("hvp", "exact", "Hessian–vector products: exact (R-operator) or difference (central differences of gradients)")
	flag.Float64Var(&c.hvpStep, "hvpstep", 0, "step of -hvp difference (0: nn.Hessian's default ε^{1/3}(1+‖w‖_∞))")
	c.sweep.RegisterFlags(flag.CommandLine)
	flag.Parse()
	c.seed = *seed
	ctx, stop := sweep.NotifyContext(context.Background())
	defer stop()
	c.ctx = ctx
	switch *act {
	case "relu":
		c.act = nn.ReLU
	case "gelu":
		c.act = nn.GELU
	default:
		fmt.Fprintf(os.Stderr, "sgnstudy: -act = %q, want relu or gelu\n", *act)
		os.Exit(2)
	}
	switch *hvp {
	case "exact":
		if c.hvpStep != 0 {
			fmt.Fprintf(os.Stderr, "sgnstudy: -hvpstep = %g needs -hvp difference\n", c.hvpStep)
			os.Exit(2)
		}
	case "difference":
		c.hvpDiff = true
	default:
		fmt.Fprintf(os.Stderr, "sgnstudy: -hvp = %q, want exact or difference\n", *hvp)
		os.Exit(2)
	}
	if c.hvpStep < 0 || c.hvpStep != c.hvpStep {
		fmt.Fprintf(os.Stderr, "sgnstudy: -hvpstep = %g, want ≥ 0\n", c.hvpStep)
		os.Exit(2)
	}
	if err := run(c); err != nil {
		fmt.Fprintln(os.Stderr, "sgnstudy:", err)
		os.Exit(1)
	}
}

const batch = 128

// method is one training method of the study.
type method struct {
	name string
	mk   func(base sam.Updater) sam.Optimizer
}

func run(c config) error {
	if c.micro < 1 || batch%c.micro != 0 {
		return fmt.Errorf("-m = %d must divide the batch size %d", c.micro, batch)
	}
	if c.train < batch {
		return fmt.Errorf("-train = %d must be at least the batch size %d", c.train, batch)
	}
	if err := os.MkdirAll(c.out, 0o755); err != nil {
		return err
	}
	start := time.Now()
	train, test, err := data.LoadMNISTSubset("", c.train, c.test)
	if err != nil {
		return err
	}
	net, err := nn.NewMLP([]int{784, c.hidden, 10}, c.act, nn.Identity)
	if err != nil {
		return err
	}
	obj, err := nn.NewSupervised(net, train, nn.SoftmaxCE{})
	if err != nil {
		return err
	}
	tobj, err := nn.NewSupervised(net, test, nn.SoftmaxCE{})
	if err != nil {
		return err
	}
	total := c.epochs * (obj.Len() / batch)
	methods := []method{
		{"SGD", func(b sam.Updater) sam.Optimizer { return b.(*sam.SGD) }},
		{"SAM (m=128)", func(b sam.Updater) sam.Optimizer { return &sam.SAM{Base: b, Rho: c.rho} }},
		{fmt.Sprintf("m-SAM (m=%d)", c.micro), func(b sam.Updater) sam.Optimizer { return &sam.SAM{Base: b, Rho: c.rho, Micro: c.micro} }},
	}
	fmt.Fprintf(os.Stderr, "sgnstudy: %d train / %d test images, 784-%d-10 %v MLP (%d parameters), %d epochs, ρ = %g\n",
		obj.Len(), tobj.Len(), c.hidden, c.act, net.NumParams(), c.epochs, c.rho)
	// One sweep unit per method (see internal/sweep): -shard, -merge, -resume and SIGINT.
	keys := make([]string, len(methods))
	for i, m := range methods {
		keys[i] = m.name
	}
	sc := c.sweep
	sc.Dir = c.out
	res, err := sweep.Run(c.ctx, sc, sweep.Plan{ID: sweepID(c), Keys: keys}, func(_ context.Context, i int) (unitResult, error) {
		m := methods[i]
		w := make([]float64, net.NumParams())
		net.Init(w, nn.He, rand.NewPCG(c.seed, 1))
		base := &sam.SGD{LR: 0.05, Momentum: 0.9, WeightDecay: 5e-4, Schedule: sam.Cosine{Total: total}}
		t0 := time.Now()
		_, err := sam.Train(w, obj, m.mk(base), &sam.TrainSettings{
			Epochs: c.epochs, Batch: batch, Seed: c.seed, Progress: os.Stderr, Name: m.name + ": ",
		})
		if err != nil {
			return unitResult{}, fmt.Errorf("%s: %w", m.name, err)
		}
		trainTime := time.Since(t0)
		path := filepath.Join(c.out, fmt.Sprintf("params_%d.bin", i))
		if err := saveParams(path, net, w); err != nil {
			return unitResult{}, err
		}
		fmt.Fprintf(os.Stderr, "%s: trained in %.1fs, saved %s; measuring SGN …\n", m.name, trainTime.Seconds(), path)
		r, err := measure(c, m.name, obj, tobj, w)
		if err != nil {
			return unitResult{}, fmt.Errorf("%s: %w", m.name, err)
		}
		r.trainSecs = trainTime.Seconds()
		return toUnit(r), nil
	})
	if err != nil {
		return err
	}
	var results []result
	for i, u := range res.Values {
		if res.Done[i] {
			results = append(results, fromUnit(u))
		}
	}
	if len(results) == 0 {
		if err := res.Err(); err != nil {
			return err
		}
		return fmt.Errorf("no method of this shard finished")
	}
	if !res.Complete() {
		fmt.Printf("\nPARTIAL: %d of %d methods (missing %q)\n", len(results), len(methods), res.Missing())
	}
	printTable(os.Stdout, c, results)
	if err := writeCSV(c.out, results); err != nil {
		return err
	}
	if err := plotRegulariser(filepath.Join(c.out, "regulariser_vs_m.png"), c.rho, results); err != nil {
		return err
	}
	if err := plotSpectrum(filepath.Join(c.out, "spectrum.png"), results); err != nil {
		return err
	}
	fmt.Printf("\nwrote %s/{params_*.bin,results.csv,micro.csv,spectrum.csv,regulariser_vs_m.png,spectrum.png} in %.0fs\n",
		c.out, time.Since(start).Seconds())
	return res.Err()
}

func saveParams(path string, net *nn.MLP, w []float64) error {
	return atomicfile.WriteFile(path, 0, func(f io.Writer) error { return nn.Save(f, net, w) })
}
