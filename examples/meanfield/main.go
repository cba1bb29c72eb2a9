// Command meanfield reproduces the propagation-of-chaos claims of De Bortoli, Durmus,
// Fontaine and Şimşekli, "Quantitative Propagation of Chaos for SGD in Wide Neural
// Networks" (NeurIPS 2020), on the small-scale target of docs/derivations/msgld.md §7: tanh units
// fitting sin πx.
//
// Experiment A: full-batch GD particles against their mean-field twins (the limit field
// from a weighted Gauss–Hermite system): coupling, field and W1 errors decay like
// N^{−1/2}, the weak bias like N^{−1}. Experiment B: online SGD at β = 0.5 (coupling
// ≈ N^{−1/4}), SGD at β = 1 (a plateau, common noise), mSGLD at β = 1 against its SDE twin
// (N^{−1/2}); across-run variances; and the implicit-regularisation sweep over γ/M.
//
// It prints tables with fitted slopes and bootstrap intervals, and writes CSV and PNG
// files into -out. The default run takes a few minutes on 2 cores; -quick is a
// sub-minute version.
//
// Experiment A's widths are the units of an internal/sweep sweep, stored in -out/A/units:
// with -exp A, -shard i/n runs every n-th width, -merge DIR,... builds A's tables and plots
// from the shards' -out folders, and -resume skips finished widths. SIGINT or SIGTERM
// finishes the width in progress, writes what exists (marked PARTIAL) and exits non-zero
// (see docs/SCALING.md).
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/sdeml/sdeml/meanfield"
)

func main() {
	out := flag.String("out", "out/meanfield", "output folder for CSV and PNG files")
	exps := flag.String("exp", "A,B,sweep", "experiments to run: A, B, sweep (comma-separated)")
	quick := flag.Bool("quick", false, "small sizes and few replicates (under a minute)")
	seed := flag.Uint64("seed", 1, "random seed")
	nmin := flag.Int("nmin", 16, "smallest width")
	nmax := flag.Int("nmax", 4096, "largest width")
	reps := flag.Int("reps", 20, "replicates per width (Experiment A)")
	repsB := flag.Int("repsB", 10, "replicates per width (Experiment B)")
	nref := flag.Int("nref", 65536, "particles of the independent-noise reference for the noisy limit (B3)")
	bias := flag.Bool("bias", false, "also run the weak-bias measurement at small widths (Experiment A setup)")
	biasBudget := flag.Int("biasBudget", 65536, "particles per width (replicates × N) for -bias")
	mnist := flag.Bool("mnist", false, "also run the optional MNIST experiment (ReLU units, torch init; a few minutes)")
	mnistN := flag.String("mnistN", "100,400,1600", "MNIST widths")
	mnistRef := flag.Int("mnistRef", 6400, "MNIST reference width")
	mnistT := flag.Float64("mnistT", 5, "MNIST horizon in mean-field time")
	prog.Config.RegisterFlags(flag.CommandLine)
	flag.Parse()
	defer prog.Notify()()

	var Ns []int
	for n := *nmin; n <= *nmax; n *= 2 {
		Ns = append(Ns, n)
	}
	ca := configA{Ns: Ns, reps: *reps, biasBudget: 16384, T: 2, dt: 0.005, gh: 16, nref: 65536, nsample: 65536, seed: *seed}
	cb := configB{Ns: Ns, reps: *repsB, M: 4, T: 2, gamma05: 0.4, gamma1: 0.05, gh: 16, nref: *nref, refRuns: 4, seed: *seed,
		sweepN: *nmax, sweepGam: 0.04, sweepMs: []int{64, 16, 4, 1}}
	if *quick {
		Ns = []int{16, 64, 256, 1024}
		ca.Ns, cb.Ns = Ns, Ns
		ca.reps, ca.biasBudget, ca.gh, ca.nref, ca.nsample = 8, 2048, 10, 0, 16384
		cb.reps, cb.gh, cb.nref, cb.refRuns, cb.sweepN = 6, 10, 16384, 2, 1024
	}
	check(os.MkdirAll(*out, 0o755))
	start := time.Now()
	run := func(name string) bool { return strings.Contains(","+*exps+",", ","+name+",") }
	if (prog.Config.Shards > 1 || len(prog.Config.Merge) > 0) && (*exps != "A" || *bias || *mnist) {
		check(fmt.Errorf("-shard and -merge split Experiment A's widths: pass -exp A (got -exp %q, -bias %v, -mnist %v)", *exps, *bias, *mnist))
	}
	p, err := newProblem()
	check(err)
	var a *resultA
	var b []*seriesB
	var sw []sweepRow
	var ms, sl *meanfield.Particles
	if run("A") {
		a = runA(p, ca, *out)
	}
	if prog.Err != nil { // interrupted: write what exists, skip the rest
		if a != nil && len(a.Ns) == 0 {
			a = nil
		}
		writePlots(*out, a, nil, nil, nil, nil)
		check(prog.Err)
	}
	if a != nil && len(a.Ns) == 0 {
		a = nil // no width of this shard finished: nothing to plot
	}
	if run("B") {
		b = runB(p, cb, *out)
	}
	if run("sweep") {
		sw, ms, sl = runSweep(p, cb, *out)
	}
	if *bias {
		runBias(p, ca, []int{4, 8, 16, 32}, *biasBudget)
	}
	if *mnist {
		var ns []int
		for _, f := range strings.Split(*mnistN, ",") {
			var n int
			_, err := fmt.Sscan(f, &n)
			check(err)
			ns = append(ns, n)
		}
		runMNIST(2000, ns, *mnistRef, []float64{0.5, 1}, *mnistT, 0, *seed, *out)
	}
	writePlots(*out, a, b, sw, ms, sl)
	fmt.Printf("\nwrote CSV and PNG files to %s (%.0f s)\n", *out, time.Since(start).Seconds())
}
