// Command resnetstudy compares SGD, SAM, m-SAM and RW-SAM on a small ResNet with batch
// normalisation and data augmentation on Fashion-MNIST (issue 27's study). Every SGD seed
// and seed 0 of each SAM variant at each ρ of -rhos run first; ρ of each variant is the one
// with the best validation accuracy of seed 0 (that run is the variant's seed 0), then the
// other seeds run at the chosen ρ. Runs of one seed are paired (same initialisation,
// batches, augmentation and dropout streams) and the test accuracies are compared in pairs
// with Student-t 95% intervals.
//
// The default (ResNet-8 of width 16, 2000 training images, 40 epochs of batch 32,
// horizontal flips without random crops, mixed precision, ρ from {0.02, 0.05}, 5 seeds: 23
// runs, 4 at a time) takes about 75 CPU-minutes, under 40 minutes on an idle 2-core machine.
// It is the regime in which the network interpolates its training images (training
// accuracy 99–100 %), where sharpness-aware training is expected to help; -pad 2 adds
// random crops, with which the network no longer fits its training set and SAM's benefit
// disappears (docs/REPRODUCTION.md). -quick is a smoke run of a few minutes that shows the
// pipeline, not a result. -units runs chosen method/ρ/seed units only (with the same
// results), to spread one study over processes. -f32 (the default) trains in mixed
// precision (nn.GraphSupervised32: float32 activations and products, float64 parameters
// and statistics; about half the CPU time of the float64 pass, -f32=false, whose results
// differ by float32 rounding). Outputs: a table on stdout, results.csv (one row per run,
// with validation, test and training-image accuracy and the last epoch's training loss)
// and paired.png (paired differences with intervals) in -out.
package main

import (
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"log"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat/distuv"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/sdeml/sdeml/examples/internal/plotfile"
	"github.com/sdeml/sdeml/internal/testutil"
	"github.com/sdeml/sdeml/nn"
	"github.com/sdeml/sdeml/nn/data"
	"github.com/sdeml/sdeml/sam"
)

type config struct {
	seeds, epochs, nTrain, nVal, nTest, width, batch, micro, pad, jobs int
	blocks                                                             []int
	lr, wd, smooth                                                     float64
	rhos                                                               []float64
	dir, out                                                           string
	quiet                                                              bool
	f32                                                                bool // mixed precision (nn.GraphSupervised32)
}

func main() {
	log.SetFlags(0)
	var c config
	var blocks, rhos string
	quick := flag.Bool("quick", false, "smoke run: 2 seeds, 2 epochs, 1000/500/1000 images, width 8, ρ = 0.05")
	flag.IntVar(&c.seeds, "seeds", 5, "seeds (paired runs)")
	flag.IntVar(&c.epochs, "epochs", 40, "epochs")
	flag.IntVar(&c.nTrain, "train", 2000, "training images (the first of the training file)")
	flag.IntVar(&c.nVal, "val", 1000, "validation images (taken after the training images)")
	flag.IntVar(&c.nTest, "test", 10000, "test images")
	flag.IntVar(&c.width, "width", 16, "ResNet width (channels of the first stage)")
	flag.StringVar(&blocks, "blocks", "1,1,1", "residual blocks per stage (1,1,1 = ResNet-8)")
	flag.IntVar(&c.batch, "batch", 32, "batch size")
	flag.IntVar(&c.micro, "micro", 8, "m of m-SAM")
	flag.IntVar(&c.pad, "pad", 0, "random-crop padding (0: no crop); horizontal flips are always on")
	flag.Float64Var(&c.lr, "lr", 0.05, "peak learning rate (1 epoch linear warm-up, then cosine decay to 0)")
	flag.Float64Var(&c.wd, "wd", 5e-4, "weight decay (SGD's coupled L2, as in the SAM papers)")
	flag.Float64Var(&c.smooth, "smooth", 0, "label smoothing")
	flag.StringVar(&rhos, "rhos", "0.02,0.05", "ρ grid, chosen per method on the validation split (seed 0)")
	flag.IntVar(&c.jobs, "jobs", 4, "training runs in parallel (results do not depend on it)")
	flag.StringVar(&c.dir, "data", "", "Fashion-MNIST directory (default: the Debian package's)")
	flag.StringVar(&c.out, "out", "out/resnetstudy", "output folder")
	flag.BoolVar(&c.quiet, "quiet", false, "no per-epoch progress lines")
	flag.BoolVar(&c.f32, "f32", true, "train in mixed precision (float32 activations and products, float64 parameters and statistics: nn.GraphSupervised32)")
	units := flag.String("units", "", "run only these `method/ρ/seed` units (comma-separated, e.g. \"SAM/0.02/1,RW-SAM/0.02/1\"; methods SGD, SAM, m-SAM, RW-SAM) and print their results, without selection or tables: a way to spread the runs of one study over processes")
	flag.Parse()
	if *quick {
		c.seeds, c.epochs, c.nTrain, c.nVal, c.nTest, c.width = 2, 2, 1000, 500, 1000, 8
		rhos = "0.05"
	}
	var err error
	if c.blocks, err = ints(blocks); err != nil {
		log.Fatalf("resnetstudy: -blocks: %v", err)
	}
	if c.rhos, err = floats(rhos); err != nil {
		log.Fatalf("resnetstudy: -rhos: %v", err)
	}
	if c.jobs < 1 {
		log.Fatalf("resnetstudy: -jobs = %d, must be >= 1", c.jobs)
	}
	if *units != "" {
		if _, err := runUnits(c, *units); err != nil {
			log.Fatal(err)
		}
		return
	}
	if err := run(c); err != nil {
		log.Fatal(err)
	}
}

// runUnits trains the units listed in spec (method/ρ/seed, comma-separated), prints one
// line per unit (the same lines as run's) and returns their outcomes.
func runUnits(c config, spec string) ([]outcome, error) {
	var units []unit
	for _, f := range strings.Split(spec, ",") {
		p := strings.Split(strings.TrimSpace(f), "/")
		if len(p) != 3 {
			return nil, fmt.Errorf("resnetstudy: -units entry %q: want method/ρ/seed", f)
		}
		rho, err1 := strconv.ParseFloat(p[1], 64)
		seed, err2 := strconv.ParseUint(p[2], 10, 64)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("resnetstudy: -units entry %q: bad ρ or seed", f)
		}
		m := p[0]
		switch m {
		case "SGD", "SAM", "RW-SAM":
		case "m-SAM":
			m = fmt.Sprintf("m-SAM m=%d", c.micro)
		default:
			return nil, fmt.Errorf("resnetstudy: -units entry %q: unknown method %q", f, p[0])
		}
		units = append(units, unit{m, rho, seed})
	}
	all, test, err := data.LoadFashionMNISTSubset(c.dir, c.nTrain+c.nVal, c.nTest)
	if err != nil {
		return nil, err
	}
	return runAll(c, rows(all, 0, c.nTrain), rows(all, c.nTrain, c.nTrain+c.nVal), test, units, time.Now())
}

// unit is one training run; its result is a pure function of the unit and the config.
type unit struct {
	method string
	rho    float64
	seed   uint64
}

// outcome is what a run measures: accuracies in evaluation mode (validation, test, and the
// training images without augmentation: the gap to test accuracy says whether the network
// overfits) and the mean training loss of the last epoch.
type outcome struct {
	val, test, trainAcc, trainLoss, secs float64
}

func run(c config) error {
	all, test, err := data.LoadFashionMNISTSubset(c.dir, c.nTrain+c.nVal, c.nTest)
	if err != nil {
		return err
	}
	train, val := rows(all, 0, c.nTrain), rows(all, c.nTrain, c.nTrain+c.nVal)
	if err := os.MkdirAll(c.out, 0o755); err != nil {
		return err
	}
	start, cpu0 := time.Now(), testutil.ProcessCPU()
	methods := []string{"SGD", "SAM", fmt.Sprintf("m-SAM m=%d", c.micro), "RW-SAM"}
	// Phase 1: every seed of SGD, and seed 0 of each SAM variant at each ρ of the grid.
	// ρ is chosen per method on the validation accuracy of seed 0; the run at the chosen ρ
	// is that method's seed-0 run (its test accuracy was not looked at to choose).
	var units []unit
	for s := range c.seeds {
		units = append(units, unit{"SGD", 0, uint64(s)})
	}
	for _, m := range methods[1:] {
		for _, r := range c.rhos {
			units = append(units, unit{m, r, 0})
		}
	}
	res1, err := runAll(c, train, val, test, units, start)
	if err != nil {
		return err
	}
	rho := map[string]float64{}
	done := map[unit]outcome{}
	fmt.Printf("\nρ selection (seed 0, validation accuracy on %d images):\n", c.nVal)
	for k, u := range units {
		done[u] = res1[k]
		if u.method == "SGD" {
			continue
		}
		fmt.Printf("  %-10s ρ=%-5g val acc %.4f\n", u.method, u.rho, res1[k].val)
		if best, ok := rho[u.method]; !ok || res1[k].val > done[unit{u.method, best, 0}].val {
			rho[u.method] = u.rho
		}
	}
	// Phase 2: the other seeds of each SAM variant at its chosen ρ.
	units = units[:0]
	for _, m := range methods[1:] {
		for s := 1; s < c.seeds; s++ {
			units = append(units, unit{m, rho[m], uint64(s)})
		}
	}
	res2, err := runAll(c, train, val, test, units, start)
	if err != nil {
		return err
	}
	for k, u := range units {
		done[u] = res2[k]
	}
	acc := map[string][]float64{}
	loss := map[string][]float64{}
	tacc := map[string][]float64{}
	f, err := os.Create(filepath.Join(c.out, "results.csv"))
	if err != nil {
		return err
	}
	defer f.Close()
	cw := csv.NewWriter(f)
	cw.Write([]string{"method", "rho", "seed", "chosen", "val_acc", "test_acc", "train_acc", "train_loss", "wall_s"})
	keys := make([]unit, 0, len(done))
	for u := range done {
		keys = append(keys, u)
	}
	order := map[string]int{}
	for i, m := range methods {
		order[m] = i
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.method != b.method {
			return order[a.method] < order[b.method]
		}
		if a.rho != b.rho {
			return a.rho < b.rho
		}
		return a.seed < b.seed
	})
	for _, u := range keys {
		o := done[u]
		chosen := u.method == "SGD" || u.rho == rho[u.method]
		cw.Write([]string{u.method, strconv.FormatFloat(u.rho, 'g', -1, 64), strconv.FormatUint(u.seed, 10),
			strconv.FormatBool(chosen), strconv.FormatFloat(o.val, 'f', 6, 64), strconv.FormatFloat(o.test, 'f', 6, 64),
			strconv.FormatFloat(o.trainAcc, 'f', 6, 64), strconv.FormatFloat(o.trainLoss, 'f', 6, 64), strconv.FormatFloat(o.secs, 'f', 1, 64)})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	for _, m := range methods {
		for s := range c.seeds {
			o := done[unit{m, rho[m], uint64(s)}]
			acc[m] = append(acc[m], o.test)
			loss[m] = append(loss[m], o.trainLoss)
			tacc[m] = append(tacc[m], o.trainAcc)
		}
	}
	fmt.Printf("\nResNet(width %d, blocks %v) on Fashion-MNIST, %d train / %d val / %d test images, %d epochs, batch %d, %d seeds\n",
		c.width, c.blocks, c.nTrain, c.nVal, c.nTest, c.epochs, c.batch, c.seeds)
	fmt.Printf("wall %.0f s, process CPU %.0f s\n", time.Since(start).Seconds(), (testutil.ProcessCPU() - cpu0).Seconds())
	fmt.Printf("%-12s %-6s %-10s %-9s %-18s %-24s\n", "method", "ρ", "train loss", "train acc", "test acc (95% CI)", "paired diff vs SGD (95% CI)")
	var names []string
	var diffs, halves []float64
	for _, m := range methods {
		mean, half := ci95(acc[m])
		tl, _ := ci95(loss[m])
		ta, _ := ci95(tacc[m])
		line := fmt.Sprintf("%-12s %-6s %-10.4f %-9.4f %.4f ± %.4f", m, rhoText(m, rho), tl, ta, mean, half)
		if m != "SGD" {
			dm, dh := ci95(sub(acc[m], acc["SGD"]))
			line += fmt.Sprintf("    %+.4f ± %.4f", dm, dh)
			names, diffs, halves = append(names, m), append(diffs, dm), append(halves, dh)
		}
		fmt.Println(line)
	}
	dm, dh := ci95(sub(acc[methods[2]], acc["SAM"]))
	fmt.Printf("%s − SAM: %+.4f ± %.4f\n", methods[2], dm, dh)
	for _, m := range methods {
		fmt.Printf("%-12s per seed:", m)
		for _, a := range acc[m] {
			fmt.Printf(" %.4f", a)
		}
		fmt.Println()
	}
	return plotDiffs(filepath.Join(c.out, "paired.png"), names, diffs, halves)
}

// runAll trains the units, c.jobs at a time, and returns their outcomes in unit order.
func runAll(c config, train, val, test *nn.Dataset, units []unit, start time.Time) ([]outcome, error) {
	res := make([]outcome, len(units))
	errs := make([]error, len(units))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(c.jobs, len(units)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range next {
				t0 := time.Now()
				res[k], errs[k] = train1(c, train, val, test, units[k])
				res[k].secs = time.Since(t0).Seconds()
				if errs[k] == nil {
					fmt.Printf("%-10s ρ=%-5g seed %d  val %.4f  test %.4f  train acc %.4f  train loss %.4f  (%.0fs)\n", units[k].method, units[k].rho,
						units[k].seed, res[k].val, res[k].test, res[k].trainAcc, res[k].trainLoss, time.Since(start).Seconds())
				}
			}
		}()
	}
	for k := range units {
		next <- k
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return res, nil
}

// train1 trains one unit and returns its accuracies on val and test (evaluation mode:
// running statistics, no dropout) and its last epoch's mean training loss.
func train1(c config, train, val, test *nn.Dataset, u unit) (outcome, error) {
	g, err := nn.ResNet{Width: c.width, Blocks: c.blocks, Classes: 10}.Graph(nn.Shape{C: 1, H: 28, W: 28})
	if err != nil {
		return outcome{}, err
	}
	X := mat.DenseCopyOf(train.X) // the augmented images of the current epoch
	seed := u.seed
	obj, accuracy, err := objective(c.f32, g, &nn.Dataset{X: X, Labels: train.Labels}, nn.SoftmaxCE{Smoothing: c.smooth}, seed)
	if err != nil {
		return outcome{}, err
	}
	w := make([]float64, g.NumParams())
	g.Init(w, nn.He, rand.NewPCG(seed, 1))
	steps := c.nTrain / c.batch
	warm := steps
	base := func() *sam.SGD {
		return &sam.SGD{LR: c.lr, Momentum: 0.9, WeightDecay: c.wd,
			Schedule: sam.Warmup{Steps: warm, Then: sam.Cosine{Total: c.epochs*steps - warm}}}
	}
	var opt sam.Optimizer
	switch {
	case u.method == "SGD":
		opt = base()
	case u.method == "SAM":
		opt = &sam.SAM{Base: base(), Rho: u.rho}
	case strings.HasPrefix(u.method, "m-SAM"):
		opt = &sam.SAM{Base: base(), Rho: u.rho, Micro: c.micro}
	default:
		opt = &sam.RWSAM{Base: base(), Rho: u.rho, Seed: seed}
	}
	aug := data.Augment{Shape: g.In, Pad: c.pad, Flip: true, Seed: seed}
	var progress io.Writer = os.Stderr
	if c.quiet {
		progress = nil
	}
	h, err := sam.Train(w, obj, opt, &sam.TrainSettings{Epochs: c.epochs, Batch: c.batch, Seed: seed,
		BeforeEpoch: func(e int) error { return aug.Apply(X, train.X, e) },
		Progress:    progress, Name: fmt.Sprintf("%s ρ=%g seed %d", u.method, u.rho, seed)})
	if err != nil {
		return outcome{}, err
	}
	o := outcome{trainLoss: h.TrainLoss[len(h.TrainLoss)-1]}
	for _, e := range []struct {
		d   *nn.Dataset
		dst *float64
	}{{val, &o.val}, {test, &o.test}, {train, &o.trainAcc}} {
		if *e.dst, err = accuracy(e.d, w); err != nil {
			return outcome{}, err
		}
	}
	return o, nil
}

// objective returns the training objective of g on d (float64, or mixed precision with
// f32) with dropout seed seed, and a function giving the accuracy on a data set in
// evaluation mode (the running statistics training has reached).
func objective(f32 bool, g *nn.Graph, d *nn.Dataset, loss nn.Loss, seed uint64) (nn.Objective, func(*nn.Dataset, []float64) (float64, error), error) {
	all := func(d *nn.Dataset) []int {
		idx := make([]int, d.Len())
		for i := range idx {
			idx[i] = i
		}
		return idx
	}
	if f32 {
		obj, err := nn.NewGraphSupervised32(g, d, loss)
		if err != nil {
			return nil, nil, err
		}
		obj.Seed = seed
		return obj, func(e *nn.Dataset, w []float64) (float64, error) {
			ev, err := obj.EvalOn(e)
			if err != nil {
				return 0, err
			}
			return ev.Accuracy(w, all(e)), nil
		}, nil
	}
	obj, err := nn.NewGraphSupervised(g, d, loss)
	if err != nil {
		return nil, nil, err
	}
	obj.Seed = seed
	return obj, func(e *nn.Dataset, w []float64) (float64, error) {
		ev, err := obj.EvalOn(e)
		if err != nil {
			return 0, err
		}
		return ev.Accuracy(w, all(e)), nil
	}, nil
}

// rows returns the samples [lo, hi) of d (a view of its rows).
func rows(d *nn.Dataset, lo, hi int) *nn.Dataset {
	return &nn.Dataset{X: d.X.Slice(lo, hi, 0, d.Dim()).(*mat.Dense), Labels: d.Labels[lo:hi]}
}

func rhoText(m string, rho map[string]float64) string {
	if m == "SGD" {
		return "-"
	}
	return strconv.FormatFloat(rho[m], 'g', -1, 64)
}

// ci95 returns the mean of v and the half-width of its two-sided 95% Student-t interval
// t_{0.975, n−1}·s/√n (NaN for fewer than two values). Paired differences over seeds are
// independent draws, one per seed.
func ci95(v []float64) (mean, half float64) {
	n := float64(len(v))
	for _, x := range v {
		mean += x / n
	}
	if len(v) < 2 {
		return mean, math.NaN()
	}
	ss := 0.0
	for _, x := range v {
		ss += (x - mean) * (x - mean)
	}
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: n - 1}.Quantile(0.975)
	return mean, t * math.Sqrt(ss/(n-1)/n)
}

func sub(a, b []float64) []float64 {
	d := make([]float64, len(a))
	for i := range a {
		d[i] = a[i] - b[i]
	}
	return d
}

// plotDiffs draws the paired differences to SGD with their intervals.
func plotDiffs(path string, names []string, d, half []float64) error {
	p := plot.New()
	p.Title.Text = "test accuracy − SGD's (paired by seed, 95% CI)"
	p.Y.Label.Text = "accuracy difference"
	pts := make(plotter.XYs, len(d))
	errs := make(plotter.YErrors, len(d))
	for i := range d {
		pts[i].X, pts[i].Y = float64(i), d[i]
		h := half[i]
		if math.IsNaN(h) {
			h = 0
		}
		errs[i].Low, errs[i].High = h, h
	}
	sc, err := plotter.NewScatter(pts)
	if err != nil {
		return err
	}
	eb, err := plotter.NewYErrorBars(struct {
		plotter.XYs
		plotter.YErrors
	}{pts, errs})
	if err != nil {
		return err
	}
	zero, err := plotter.NewLine(plotter.XYs{{X: -0.5, Y: 0}, {X: float64(len(d)) - 0.5, Y: 0}})
	if err != nil {
		return err
	}
	p.Add(sc, eb, zero)
	p.NominalX(names...)
	return plotfile.Save(p, 6*vg.Inch, 4*vg.Inch, path)
}

func ints(s string) ([]int, error) {
	var v []int
	for _, f := range strings.Split(s, ",") {
		x, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			return nil, err
		}
		v = append(v, x)
	}
	return v, nil
}

func floats(s string) ([]float64, error) {
	var v []float64
	for _, f := range strings.Split(s, ",") {
		x, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil {
			return nil, err
		}
		v = append(v, x)
	}
	return v, nil
}
