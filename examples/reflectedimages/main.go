// Command reflectedimages trains diffusion score models on 28×28 Fashion-MNIST or MNIST
// with the reflected package's recipe (preconditioning, EMA, warm-up) and judges their
// samples the way image-generation work does: in the feature space of a classifier trained
// on the same data.
//
// Three models share one budget (steps × batch; by default 2400 Adam steps × batch 64): the
// convolutional U-Net (nn.UNet through reflected.NewUNetScoreNet) trained for the reflected
// forward process, the same U-Net for the free process with clamping at the end, and the
// MLP score network of examples/reflected -task images (reflected.NewScoreNet). The U-Nets
// are trained and sampled with their float32 pass (ScoreNet.Float32; -train32=false and
// -sample32=false select float64, at about 2.5× the CPU per training step); the MLP has no
// float32 pass and trains in float64 with the same steps and batch. For each, and for held-out test
// images (the floor), the table gives the Fréchet distance to training images in the
// classifier's 64 penultimate features, improved precision and recall (k = 3), the share
// of samples classified with confidence ≥ 0.9, the class histogram (classes covered, the
// smallest share, χ² against the training frequencies and its p-value), and the ratio of
// the samples' mean distance to their nearest training image over the held-out images'
// (memorisation shows as a ratio well below 1). A PNG puts the models' samples beside real
// images. The reflected models' samples are drawn by the probability-flow ODE (50 Heun
// steps and a Tweedie step, reflected.SchemeODE; -scheme em gives the reflected
// Euler–Maruyama chain, whose 50 steps left high-frequency streaks), the free model's by
// 50 Euler–Maruyama steps (better than the ODE for it); all are scored with a classifier
// trained for 8 epochs.
//
//	go run ./examples/reflectedimages                 # Fashion-MNIST (about 22 CPU-minutes measured by parts, plus the classifier)
//	go run ./examples/reflectedimages -quick          # the reduced run (< 3 min)
//	go run ./examples/reflectedimages -data mnist     # MNIST
//	go run ./examples/reflectedimages -resume         # after an interruption: continue where it stopped
//	go run ./examples/reflectedimages -models out/reflectedimages -out out/rescore -scheme ode
//	                                                  # re-evaluate the networks trained by an earlier run
//
// The sampler's flags (-sampler-steps, -scheme, -corrector, -final, -t0, -sample32) select
// the reflected.Sampler settings; -models DIR loads each trained network from an earlier
// run's DIR/DATA/models when it was trained with the same training settings (data, steps,
// batch, ntrain, widths, mlp, seed; networks of the first version of this program
// included) and trains only the missing ones, so a change of sampler or classifier costs
// sampling and evaluation, not training.
//
// Every model is one unit of internal/sweep: its result (metrics, times, the grid's
// samples) is stored as soon as it is known, -resume skips stored units, -shard i/n and
// -merge split the run. Within a model, training writes a checkpoint (reflected.Checkpoint:
// parameters, average, Adam state, minibatch stream) every -ckpt-every steps to
// OUT/DATA/checkpoints, and the trained network (ScoreNet.SaveFile) to OUT/DATA/models;
// -resume loads a trained network instead of training it again, or continues its training
// from the last checkpoint with the same bits as an uninterrupted run. SIGINT or SIGTERM
// stops the training after the current step, writes a checkpoint and exits with the
// outputs of the finished models (status 1; run again with -resume); a second SIGINT kills
// at once. The classifier is trained once per data set and saved (nn.SaveGraphFile) in the
// output folder, where later runs load it. Training prints a progress line (step, loss,
// elapsed time, ETA) every 5 % of the steps.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/sdeml/sdeml/internal/sweep"
	"github.com/sdeml/sdeml/nn"
	"github.com/sdeml/sdeml/nn/data"
	"github.com/sdeml/sdeml/reflected"
)

type config struct {
	data                    string
	quick                   bool
	steps, batch, nTrain, m int
	samplerSteps, clsEpochs int
	widths, mlp             []int
	seed                    uint64
	out                     string
	ckptEvery               int

	sampler    reflected.Sampler // -scheme, -corrector, -final, -t0 (Steps from samplerSteps)
	schemeAuto bool              // -scheme auto: ODE for the reflected process, EM for the free one
	sample32   bool              // -sample32: sample with the float32 U-Net pass
	train32    bool              // -train32: train the U-Nets with the float32 pass
	modelsFrom string            // -models: an earlier run's output folder to load networks from

	resume    bool                 // -resume: continue models from their files
	id        string               // the sweep's Plan.ID (training and evaluation settings)
	trainID   string               // the training settings alone, stored beside checkpoints and models
	afterStep func(int, []float64) // test hook: TrainSettings.After
}

// model is one unit: a network kind and a forward process.
type model struct {
	name string // "unet" or "mlp"
	proc reflected.Process
}

var models = []model{{"mlp", reflected.Reflected}, {"unet", reflected.Reflected}, {"unet", reflected.Free}}

func (m model) key() string { return m.name + "/" + m.proc.String() }

// unitResult is what a unit stores.
type unitResult struct {
	Metrics   metrics
	Loss      sweep.Float
	Params    int
	TrainCPU  sweep.Float // CPU seconds
	SampleCPU sweep.Float
	TrainWall sweep.Float
	Grid      []float64 // the first 64 samples
}

func main() {
	var c config
	var prog sweep.Program
	if err := c.parseFlags(flag.CommandLine, os.Args[1:], &prog); err != nil {
		fmt.Fprintln(os.Stderr, "reflectedimages:", err)
		os.Exit(2)
	}
	stop := prog.Notify()
	defer stop()
	start, cpu0 := time.Now(), cpuSeconds()
	if err := run(&c, &prog); err != nil {
		fmt.Fprintln(os.Stderr, "reflectedimages:", err)
		os.Exit(1)
	}
	fmt.Printf("total %.0f s wall, %.0f s CPU; outputs in %s\n", time.Since(start).Seconds(), cpuSeconds()-cpu0, c.out)
	if prog.Err != nil {
		fmt.Fprintln(os.Stderr, "reflectedimages:", prog.Err)
		os.Exit(1)
	}
}

// parseFlags defines the program's flags on fs, parses args into c (and the sweep's flags
// into prog.Config), and fills and checks the defaults (config.defaults).
func (c *config) parseFlags(fs *flag.FlagSet, args []string, prog *sweep.Program) error {
	var widths, mlp, scheme, final string
	fs.StringVar(&c.data, "data", "fashion", "data set: fashion or mnist")
	fs.BoolVar(&c.quick, "quick", false, "the reduced run (< 3 min): fewer steps, images and samples")
	fs.IntVar(&c.steps, "steps", 0, "Adam steps per model (0: 2400, -quick 200)")
	fs.IntVar(&c.batch, "batch", 0, "DSM minibatch (0: 64, -quick 16)")
	fs.IntVar(&c.nTrain, "ntrain", 0, "training images (0: 20000, -quick 5000)")
	fs.IntVar(&c.m, "m", 0, "samples per model and held-out images for the metrics (0: 500, -quick 128)")
	fs.IntVar(&c.samplerSteps, "sampler-steps", 0, "reverse-time steps (0: 50, -quick 10)")
	fs.IntVar(&c.clsEpochs, "cls-epochs", 0, "classifier epochs over all training images (0: 8, -quick 1 over -ntrain)")
	fs.StringVar(&scheme, "scheme", "auto", "reverse-time step: ode (the probability-flow ODE, 2 score evaluations per step), em, heun, or auto (ode for the reflected process, em for the free one)")
	fs.IntVar(&c.sampler.Corrector, "corrector", 0, "Langevin corrector steps after each reverse step")
	fs.StringVar(&final, "final", "tweedie", "last sampler step: tweedie, mean or none (reflected.Final)")
	fs.Float64Var(&c.sampler.T0, "t0", 2e-4, "the sampler's final time t₀")
	fs.BoolVar(&c.sample32, "sample32", true, "sample with the U-Net's float32 pass (ScoreNet.Float32; about half the CPU of -sample32=false, the float64 pass)")
	fs.BoolVar(&c.train32, "train32", true, "train the U-Nets with their float32 pass (ScoreNet.Float32; about 40 % of the CPU per step of -train32=false, the float64 pass; the MLP has no float32 pass and always trains in float64)")
	fs.StringVar(&c.modelsFrom, "models", "", "load trained networks from `DIR`/DATA/models (an earlier run's -out with the same training settings) instead of training them: re-evaluates them with this run's sampler and classifier")
	fs.StringVar(&widths, "widths", "16,32,32", "U-Net channels per level")
	fs.StringVar(&mlp, "mlp", "512,512,512", "hidden widths of the MLP score network")
	fs.Uint64Var(&c.seed, "seed", 1, "seed of initialisation, minibatches, noise and sampling")
	fs.StringVar(&c.out, "out", "out/reflectedimages", "output folder")
	fs.IntVar(&c.ckptEvery, "ckpt-every", 100, "write a training checkpoint every `K` steps (0: only on SIGINT/SIGTERM)")
	prog.Config.RegisterFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	var err error
	if c.widths, err = ints("widths", widths); err == nil {
		c.mlp, err = ints("mlp", mlp)
	}
	if err == nil {
		err = c.parseSampler(scheme, final)
	}
	if err == nil {
		err = c.defaults()
	}
	return err
}

func (c *config) defaults() error {
	def := func(v *int, full, quick int) {
		if *v == 0 {
			*v = full
			if c.quick {
				*v = quick
			}
		}
	}
	def(&c.steps, 2400, 200)
	def(&c.batch, 64, 16)
	def(&c.nTrain, 20000, 5000)
	def(&c.m, 500, 128)
	def(&c.samplerSteps, 50, 10)
	def(&c.clsEpochs, 8, 1)
	if c.sampler.T0 == 0 {
		c.sampler.T0 = 2e-4
	}
	c.sampler.Steps = c.samplerSteps
	switch {
	case c.data != "fashion" && c.data != "mnist":
		return fmt.Errorf("-data = %q, want fashion or mnist", c.data)
	case c.steps < 1 || c.batch < 1 || c.samplerSteps < 1 || c.clsEpochs < 1:
		return fmt.Errorf("-steps = %d, -batch = %d, -sampler-steps = %d, -cls-epochs = %d: need ≥ 1", c.steps, c.batch, c.samplerSteps, c.clsEpochs)
	case c.ckptEvery < 0:
		return fmt.Errorf("-ckpt-every = %d, need ≥ 0", c.ckptEvery)
	case !(c.sampler.T0 > 0) || c.sampler.T0 >= 0.1:
		return fmt.Errorf("-t0 = %v, need 0 < t0 < 0.1", c.sampler.T0)
	case c.sampler.Corrector < 0:
		return fmt.Errorf("-corrector = %d, need ≥ 0", c.sampler.Corrector)
	case c.m < 8 || c.m > 10000 || c.nTrain < c.m || c.nTrain > 60000:
		return fmt.Errorf("-m = %d, -ntrain = %d: need 8 ≤ m ≤ 10000 and m ≤ ntrain ≤ 60000", c.m, c.nTrain)
	}
	return nil
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

func run(c *config, prog *sweep.Program) error {
	dir := filepath.Join(c.out, c.data)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var train, test *nn.Dataset
	var err error
	if c.data == "fashion" {
		train, test, err = data.LoadFashionMNIST("")
	} else {
		train, test, err = data.LoadMNIST("")
	}
	if err != nil {
		return err
	}
	clsTrain := train
	if c.quick {
		clsTrain = subset(train, c.nTrain)
	}
	clsPath := filepath.Join(dir, fmt.Sprintf("classifier-%dx%d.sdeml", clsTrain.Len(), c.clsEpochs))
	cls, err := loadOrTrainClassifier(clsPath, clsTrain, test, c.clsEpochs, c.seed)
	if err != nil {
		return err
	}
	fmt.Printf("%s 28×28: %d training images, %d samples per model; classifier test accuracy %.4f\n", c.data, c.nTrain, c.m, cls.acc)
	fmt.Printf("budget per model: %d Adam steps × batch %d (Train's recipe); %s (auto: ode for reflected, em for free); U-Net widths %v, MLP %v\n",
		c.steps, c.batch, c.samplerID(), c.widths, c.mlp)
	X := train.X.RawMatrix().Data
	images := X[:c.nTrain*784]
	ref := &reference{pool: images[:min(c.nTrain, 10000)*784], freq: make([]float64, 10)}
	for _, l := range train.Labels {
		ref.freq[l] += 1 / float64(train.Len())
	}
	ref.trainFeat, _ = cls.apply(images[:c.m*784])
	held := test.X.RawMatrix().Data[:c.m*784]
	ref.heldNN = meanNearest(held, ref.pool)
	floor, err := evaluate(held, ref, cls)
	if err != nil {
		return err
	}
	keys := make([]string, len(models))
	for i, m := range models {
		keys[i] = c.data + "/" + m.key()
	}
	c.trainID = c.trainingSettings()
	id := fmt.Sprintf("reflectedimages/2 %s m=%d %s cls=%s", c.trainID, c.m, c.samplerID(), filepath.Base(clsPath))
	c.id, c.resume = id, prog.Config.Resume
	res, err := sweep.RunIn(prog, c.out, c.data, sweep.Plan{ID: id, Keys: keys}, func(ctx context.Context, k int) (unitResult, error) {
		return c.unit(ctx, models[k], images, ref, cls)
	})
	if err != nil {
		return err
	}
	report(os.Stdout, c, floor, res)
	if err := writeCSV(filepath.Join(dir, "metrics.csv"), floor, res); err != nil {
		return err
	}
	panels := make([][]float64, 0, 4)
	for k := range models {
		if res.Done[k] {
			panels = append(panels, res.Values[k].Grid)
		}
	}
	panels = append(panels, held[:min(64, c.m)*784])
	return writeGrid(filepath.Join(dir, "samples.png"), panels)
}

// trainingSettings names the settings a trained network depends on (the ID of the sidecars
// of checkpoints and trained networks); the sampler and the classifier are not among them.
func (c *config) trainingSettings() string {
	id := fmt.Sprintf("reflectedimages/1 data=%s steps=%d batch=%d ntrain=%d widths=%v mlp=%v seed=%d",
		c.data, c.steps, c.batch, c.nTrain, c.widths, c.mlp, c.seed)
	if c.train32 {
		id += " train32"
	}
	return id
}

// subset returns the first n samples of d.
func subset(d *nn.Dataset, n int) *nn.Dataset {
	return &nn.Dataset{X: mat.NewDense(n, 784, d.X.RawMatrix().Data[:n*784]), Labels: d.Labels[:n]}
}
