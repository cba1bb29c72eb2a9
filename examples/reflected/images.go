package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/sdeml/sdeml/internal/parallel"
	"github.com/sdeml/sdeml/reflected"
	"github.com/sdeml/sdeml/sam"
)

// imageConfig is the image task's setting (-task images).
type imageConfig struct {
	data         []string
	sides        []int
	class        int
	nTrain       int
	nHeld        int
	steps        int
	samplerSteps int
	batch        int
	m            int
	t0           float64
	hidden       []int
	freqs        int
	lr           float64
	ema          float64
	out          string
}

// imageRun is one trained model (one data set, size and process) and its metrics.
type imageRun struct {
	data    string
	side    int
	proc    reflected.Process
	loss    float64
	trainS  float64
	sampleS float64
	met     imageMetrics
	gen     []float64
}

// dataRow holds the yardsticks of one data set: held-out images scored like samples.
type dataRow struct {
	data string
	side int
	met  imageMetrics
	real []float64
}

// runImages trains a reflected and a free (clamped) model per data set and size, prints the
// comparison table and writes images.csv and one PNG grid per data set and size.
func runImages(c *imageConfig) error {
	if err := os.MkdirAll(c.out, 0o755); err != nil {
		return err
	}
	fmt.Printf("reflected diffusion on images: data %v, sizes %v, class %d, %d training / %d held-out images\n",
		c.data, c.sides, c.class, c.nTrain, c.nHeld)
	fmt.Printf("  ReLU net %v, embedding %d freqs; Adam lr %g (cosine), %d steps × batch %d, EMA %g; sampler %d steps, t₀ = %g, Tweedie; m = %d\n",
		c.hidden, c.freqs, c.lr, c.steps, c.batch, c.ema, c.samplerSteps, c.t0, c.m)
	var runs []imageRun
	var datas []dataRow
	for _, name := range c.data {
		for _, side := range c.sides {
			set, err := loadImages(name, side, c.class, c.nTrain, c.nHeld)
			if err != nil {
				return err
			}
			D := side * side
			dr := dataRow{data: name, side: side, real: set.held[:min(64, c.m)*D]}
			if dr.met, err = evalImages(set.held[:c.m*D], set.held[:c.m*D], set.train, D, seedFor(kindFloor, 0, D, 0)); err != nil {
				return err
			}
			// The held-out yardstick against itself is 0 by construction; compare it with the
			// training set instead (the W1 "floor" of two samples of the data law).
			if dr.met.w1Held, err = reflected.W1(set.held[:c.m*D], set.train[:c.m*D], D); err != nil {
				return err
			}
			if dr.met.swHeld, err = reflected.SlicedW1(set.held[:c.m*D], set.train[:c.m*D], D, slicedProj, parallel.Stream(seedFor(kindFloor, 1, D, 0), 1)); err != nil {
				return err
			}
			dr.met.w1Train, dr.met.swTrain = dr.met.w1Held, dr.met.swHeld
			datas = append(datas, dr)
			procs := []reflected.Process{reflected.Reflected, reflected.Free}
			rs := make([]imageRun, len(procs))
			errs := make([]error, len(procs))
			parallel.For(len(procs), func(_, i int) {
				rs[i], errs[i] = c.train(set, procs[i])
			})
			for i, e := range errs {
				if e != nil {
					return e
				}
				r := rs[i]
				fmt.Printf("  %-7s %2dx%-2d %-9s loss %.4f  W1 held %.4f train %.4f  NN %.4f  walls %.3f  (train %.0fs, sample %.0fs)\n",
					name, side, side, r.proc, r.loss, r.met.w1Held, r.met.w1Train, r.met.nnGen, r.met.wallGen, r.trainS, r.sampleS)
			}
			runs = append(runs, rs...)
			if err := c.writeGrid(set, dr, rs); err != nil {
				return err
			}
		}
	}
	printImages(runs, datas)
	return writeImagesCSV(c, runs, datas)
}

// train fits one model of the process p to set and samples m images from it.
func (c *imageConfig) train(set *imageSet, p reflected.Process) (imageRun, error) {
	D := set.side * set.side
	r := imageRun{data: set.name, side: set.side, proc: p}
	net, err := reflected.NewScoreNet(D, c.hidden, reflected.TimeEmbedding{Freqs: c.freqs}, stream(kindInit, 0, D, len(set.train)/D))
	if err != nil {
		return r, err
	}
	start := time.Now()
	opt := &sam.Adam{LR: c.lr, Schedule: sam.Cosine{Total: c.steps, Floor: 0.01}}
	res, err := reflected.Train(net, set.train, opt, &reflected.TrainSettings{
		Steps: c.steps, Batch: c.batch, T0: c.t0, EMA: emaSetting(c.ema), Process: p, Seed: seedFor(kindDSM, 0, D, len(set.train)/D)})
	if err != nil {
		return r, fmt.Errorf("%s %dx%d %s: %w", set.name, set.side, set.side, p, err)
	}
	r.loss, r.trainS = res.Loss, time.Since(start).Seconds()
	start = time.Now()
	r.gen = make([]float64, c.m*D)
	s := &reflected.Sampler{T0: c.t0, Steps: c.samplerSteps, Final: reflected.FinalTweedie, Process: p}
	if err := s.Sample(r.gen, net, seedFor(kindSampler, 0, D, len(set.train)/D)); err != nil {
		return r, err
	}
	r.sampleS = time.Since(start).Seconds()
	r.met, err = evalImages(r.gen, set.held, set.train, D, seedFor(kindMemo, 0, D, 0))
	return r, err
}

// printImages prints the comparison table: each model's metrics under its data set's
// yardstick row (held-out images scored the same way).
func printImages(runs []imageRun, datas []dataRow) {
	fmt.Println("\nimages: W1 exact (LSAP) and sliced W1 to held-out and training images; NN = mean distance to the nearest training image; walls = pixel fraction within ½/255 of {0,1} (exact = exactly on a wall)")
	fmt.Printf("%-8s %5s %-10s | %8s %8s | %8s %8s | %8s | %6s %6s\n", "data", "size", "model", "W1 held", "W1 train", "SW held", "SW train", "NN", "walls", "exact")
	for _, d := range datas {
		fmt.Printf("%-8s %2dx%-2d %-10s | %8.4f %8s | %8.4f %8s | %8.4f | %6.3f %6.3f\n", d.data, d.side, d.side, "held-out", d.met.w1Held, "", d.met.swHeld, "", d.met.nnGen, d.met.wallGen, d.met.exactGen)
		for _, r := range runs {
			if r.data == d.data && r.side == d.side {
				fmt.Printf("%-8s %2dx%-2d %-10s | %8.4f %8.4f | %8.4f %8.4f | %8.4f | %6.3f %6.3f\n", r.data, r.side, r.side, r.proc, r.met.w1Held, r.met.w1Train, r.met.swHeld, r.met.swTrain, r.met.nnGen, r.met.wallGen, r.met.exactGen)
			}
		}
	}
	fmt.Println("held-out row: W1/SW between held-out and training images (the floor a perfect model reaches), NN and walls of held-out images")
}

// writeImagesCSV writes images.csv (one row per model and one per data set's yardstick).
func writeImagesCSV(c *imageConfig, runs []imageRun, datas []dataRow) error {
	var b strings.Builder
	fmt.Fprintln(&b, "data,side,D,class,model,n_train,m,steps,w1_held,w1_train,sw_held,sw_train,nn_train,wall_frac,wall_exact,loss,train_s,sample_s")
	for _, d := range datas {
		fmt.Fprintf(&b, "%s,%d,%d,%d,held-out,%d,%d,0,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,,,\n", d.data, d.side, d.side*d.side, c.class, c.nTrain, c.m,
			d.met.w1Held, d.met.w1Train, d.met.swHeld, d.met.swTrain, d.met.nnGen, d.met.wallGen, d.met.exactGen)
	}
	for _, r := range runs {
		fmt.Fprintf(&b, "%s,%d,%d,%d,%s,%d,%d,%d,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.1f,%.1f\n", r.data, r.side, r.side*r.side, c.class, r.proc, c.nTrain, c.m, c.steps,
			r.met.w1Held, r.met.w1Train, r.met.swHeld, r.met.swTrain, r.met.nnGen, r.met.wallGen, r.met.exactGen, r.loss, r.trainS, r.sampleS)
	}
	return writeFileAtomic(filepath.Join(c.out, "images.csv"), []byte(b.String()))
}

// writeFileAtomic writes data to a temporary file in path's directory and renames it into
// place, so a reader never sees a half-written file.
func writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return err
	}
	return os.Rename(f.Name(), path)
}
