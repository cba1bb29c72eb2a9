// Command resnetstudy compares SGD, SAM, m-SAM and RW-SAM on a small ResNet with batch
// normalisation and data augmentation on Fashion-MNIST (issue 27's study): ρ of each SAM
// variant is chosen on a validation split (seed 0), then every method runs on the same seeds
// and the test accuracies are compared in pairs (same seed: same initialisation, batches,
// augmentation and dropout streams) with Student-t 95% intervals.
//
// The default run (ResNet-8 of width 16, 10 epochs on 10000 training images, 5 seeds) is
// meant for an idle 2-core machine; -quick is a smoke run of a few minutes that shows the
// pipeline, not a result. Outputs: a table on stdout, results.csv (one row per run) and
// paired.png (paired differences with intervals) in -out.
package main

import (
	"encoding/csv"
	"flag"
	"fmt"
	"log"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat/distuv"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/sdeml/sdeml/examples/internal/plotfile"
	"github.com/sdeml/sdeml/nn"
	"github.com/sdeml/sdeml/nn/data"
	"github.com/sdeml/sdeml/sam"
)

type config struct {
	seeds, epochs, nTrain, nVal, nTest, width, batch, micro, pad int
	blocks                                                       []int
	lr, wd, smooth                                               float64
	rhos                                                         []float64
	dir, out                                                     string
}

func main() {
	log.SetFlags(0)
	var c config
	var blocks, rhos string
	quick := flag.Bool("quick", false, "smoke run: 2 seeds, 2 epochs, 1000/500/1000 images, width 8, ρ = 0.05")
	flag.IntVar(&c.seeds, "seeds", 5, "seeds (paired runs)")
	flag.IntVar(&c.epochs, "epochs", 10, "epochs")
	flag.IntVar(&c.nTrain, "train", 10000, "training images")
	flag.IntVar(&c.nVal, "val", 2000, "validation images (taken after the training images)")
	flag.IntVar(&c.nTest, "test", 10000, "test images")
	flag.IntVar(&c.width, "width", 16, "ResNet width (channels of the first stage)")
	flag.StringVar(&blocks, "blocks", "1,1,1", "residual blocks per stage (1,1,1 = ResNet-8)")
	flag.IntVar(&c.batch, "batch", 128, "batch size")
	flag.IntVar(&c.micro, "micro", 16, "m of m-SAM")
	flag.IntVar(&c.pad, "pad", 2, "random-crop padding (0: no crop); horizontal flips are always on")
	flag.Float64Var(&c.lr, "lr", 0.05, "peak learning rate (1 epoch linear warm-up, then cosine decay to 0)")
	flag.Float64Var(&c.wd, "wd", 5e-4, "weight decay (SGD's coupled L2)")
	flag.Float64Var(&c.smooth, "smooth", 0, "label smoothing")
	flag.StringVar(&rhos, "rhos", "0.02,0.05,0.1", "ρ grid, chosen per method on the validation split")
	flag.StringVar(&c.dir, "data", "", "Fashion-MNIST directory (default: the Debian package's)")
	flag.StringVar(&c.out, "out", "out/resnetstudy", "output folder")
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
	if err := run(c); err != nil {
		log.Fatal(err)
	}
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
	start := time.Now()
	methods := []string{"SGD", "SAM", fmt.Sprintf("m-SAM m=%d", c.micro), "RW-SAM"}
	// ρ chosen on the validation split with seed 0 (SGD has none).
	rho := map[string]float64{}
	for _, m := range methods[1:] {
		best := math.Inf(-1)
		for _, r := range c.rhos {
			if len(c.rhos) == 1 {
				rho[m] = r
				break
			}
			acc, err := train1(c, train, val, m, r, 0)
			if err != nil {
				return err
			}
			fmt.Printf("select %-10s ρ=%-5g val acc %.4f  (%.0fs)\n", m, r, acc, time.Since(start).Seconds())
			if acc > best {
				best, rho[m] = acc, r
			}
		}
	}
	acc := map[string][]float64{}
	f, err := os.Create(filepath.Join(c.out, "results.csv"))
	if err != nil {
		return err
	}
	defer f.Close()
	cw := csv.NewWriter(f)
	cw.Write([]string{"method", "rho", "seed", "test_acc"})
	for s := range c.seeds {
		for _, m := range methods {
			a, err := train1(c, train, test, m, rho[m], uint64(s))
			if err != nil {
				return err
			}
			acc[m] = append(acc[m], a)
			cw.Write([]string{m, strconv.FormatFloat(rho[m], 'g', -1, 64), strconv.Itoa(s), strconv.FormatFloat(a, 'f', 6, 64)})
			cw.Flush()
			fmt.Printf("seed %d %-10s test acc %.4f  (%.0fs)\n", s, m, a, time.Since(start).Seconds())
		}
	}
	if err := cw.Error(); err != nil {
		return err
	}
	fmt.Printf("\nResNet(width %d, blocks %v) on Fashion-MNIST, %d train / %d test images, %d epochs, batch %d, %d seeds\n",
		c.width, c.blocks, c.nTrain, c.nTest, c.epochs, c.batch, c.seeds)
	fmt.Printf("%-12s %-6s %-18s %-24s\n", "method", "ρ", "test acc (95% CI)", "paired diff vs SGD (95% CI)")
	var names []string
	var diffs, halves []float64
	for _, m := range methods {
		mean, half := ci95(acc[m])
		line := fmt.Sprintf("%-12s %-6s %.4f ± %.4f", m, rhoText(m, rho), mean, half)
		if m != "SGD" {
			dm, dh := ci95(sub(acc[m], acc["SGD"]))
			line += fmt.Sprintf("    %+.4f ± %.4f", dm, dh)
			names, diffs, halves = append(names, m), append(diffs, dm), append(halves, dh)
		}
		fmt.Println(line)
	}
	dm, dh := ci95(sub(acc[methods[2]], acc["SAM"]))
	fmt.Printf("%s − SAM: %+.4f ± %.4f\n", methods[2], dm, dh)
	return plotDiffs(filepath.Join(c.out, "paired.png"), names, diffs, halves)
}

// train1 trains one method with one seed and returns its accuracy on eval (evaluation
// mode: running statistics, no dropout).
func train1(c config, train, eval *nn.Dataset, method string, rho float64, seed uint64) (float64, error) {
	g, err := nn.ResNet{Width: c.width, Blocks: c.blocks, Classes: 10}.Graph(nn.Shape{C: 1, H: 28, W: 28})
	if err != nil {
		return 0, err
	}
	X := mat.DenseCopyOf(train.X) // the augmented images of the current epoch
	obj, err := nn.NewGraphSupervised(g, &nn.Dataset{X: X, Labels: train.Labels}, nn.SoftmaxCE{Smoothing: c.smooth})
	if err != nil {
		return 0, err
	}
	obj.Seed = seed
	ev, err := obj.EvalOn(eval)
	if err != nil {
		return 0, err
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
	case method == "SGD":
		opt = base()
	case method == "SAM":
		opt = &sam.SAM{Base: base(), Rho: rho}
	case strings.HasPrefix(method, "m-SAM"):
		opt = &sam.SAM{Base: base(), Rho: rho, Micro: c.micro}
	default:
		opt = &sam.RWSAM{Base: base(), Rho: rho, Seed: seed}
	}
	aug := data.Augment{Shape: g.In, Pad: c.pad, Flip: true, Seed: seed}
	_, err = sam.Train(w, obj, opt, &sam.TrainSettings{Epochs: c.epochs, Batch: c.batch, Seed: seed,
		BeforeEpoch: func(e int) error { return aug.Apply(X, train.X, e) },
		Progress:    os.Stderr, Name: fmt.Sprintf("%s ρ=%g seed %d", method, rho, seed)})
	if err != nil {
		return 0, err
	}
	idx := make([]int, eval.Len())
	for i := range idx {
		idx[i] = i
	}
	return ev.Accuracy(w, idx), nil
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
