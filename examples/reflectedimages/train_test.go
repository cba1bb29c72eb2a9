package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/sdeml/sdeml/internal/sweep"
	"github.com/sdeml/sdeml/reflected"
)

// tinyConfig is a run small enough for a test: 6 steps of batch 2 on 8 random images, a
// U-Net of widths 2, 2 and an MLP of width 8, a checkpoint every 2 steps.
func tinyConfig(t *testing.T) (config, []float64) {
	rng := rand.New(rand.NewPCG(4, 4))
	images := make([]float64, 8*784)
	for i := range images {
		images[i] = rng.Float64()
	}
	return config{data: "fashion", steps: 6, batch: 2, widths: []int{2, 2}, mlp: []int{8}, seed: 1,
		out: t.TempDir(), ckptEvery: 2, trainID: "reflectedimages/test"}, images
}

// A model whose training is interrupted (as by SIGINT) after step 3 writes a checkpoint and
// reports sweep.ErrInterrupted; -resume continues it to the same bits of parameters and
// loss as an uninterrupted run, stores the trained network and removes the checkpoint; a
// second -resume loads the stored network instead of training.
func TestTrainInterruptResume(t *testing.T) {
	for _, md := range []model{{"unet", reflected.Reflected}, {"unet", reflected.Free}, {"mlp", reflected.Reflected}} {
		c, images := tinyConfig(t)
		full, want, err := c.train(context.Background(), md, images, "full")
		if err != nil {
			t.Fatal(err)
		}
		c.out = t.TempDir()
		ctx, cancel := context.WithCancel(context.Background())
		c.afterStep = func(k int, _ []float64) {
			if k == 2 {
				cancel()
			}
		}
		_, _, err = c.train(ctx, md, images, "interrupted")
		cancel()
		if !errors.Is(err, sweep.ErrInterrupted) || !strings.Contains(err.Error(), "after step 3") {
			t.Fatalf("%s: interrupted run: %v", md.key(), err)
		}
		f := c.files(md)
		cp, err := reflected.LoadCheckpointFile(f.ckpt)
		if err != nil || cp.Step != 3 {
			t.Fatalf("%s: checkpoint %v, %v", md.key(), cp, err)
		}
		c.afterStep, c.resume = nil, true
		net, got, err := c.train(context.Background(), md, images, "resumed")
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(net.W, full.W) || got.Loss != want.Loss || got.Step != 6 {
			t.Errorf("%s: resumed parameters or loss (%v, want %v) differ from the uninterrupted run", md.key(), got.Loss, want.Loss)
		}
		if _, err := os.Stat(f.ckpt); !os.IsNotExist(err) {
			t.Errorf("%s: checkpoint left after the model finished: %v", md.key(), err)
		}
		again, info, err := c.train(context.Background(), md, images, "loaded")
		if err != nil || !slices.Equal(again.W, full.W) || info != got {
			t.Errorf("%s: stored network: %v, info %+v, want %+v", md.key(), err, info, got)
		}
	}
}

// A corrupt checkpoint or a sidecar of another configuration is an error naming the file,
// never a silent restart.
func TestResumeBadFiles(t *testing.T) {
	md := model{"unet", reflected.Reflected}
	c, images := tinyConfig(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := c.train(ctx, md, images, "stop"); !errors.Is(err, sweep.ErrInterrupted) {
		t.Fatal(err)
	}
	f := c.files(md)
	b, err := os.ReadFile(f.ckpt)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 1
	if err := os.WriteFile(f.ckpt, b, 0o644); err != nil {
		t.Fatal(err)
	}
	c.resume = true
	if _, _, err := c.train(context.Background(), md, images, "corrupt"); err == nil || !strings.Contains(err.Error(), f.ckpt) {
		t.Errorf("corrupt checkpoint: %v", err)
	}
	c.trainID = "reflectedimages/other"
	if _, _, err := c.train(context.Background(), md, images, "other"); err == nil || !strings.Contains(err.Error(), f.ckptInfo) || !strings.Contains(err.Error(), "reflectedimages/test") {
		t.Errorf("sidecar of another configuration: %v", err)
	}
}

// -models loads the trained networks of an earlier run's folder, including a sidecar of this
// program's first version (whose ID also held the evaluation settings m, sampler and cls),
// without training: the parameters are those stored. A sidecar of other training settings
// is an error naming the file; a folder without the network trains it.
func TestModelsFromEarlierRun(t *testing.T) {
	md := model{"unet", reflected.Reflected}
	c, images := tinyConfig(t)
	c.trainID = c.trainingSettings()
	trained, info, err := c.train(context.Background(), md, images, "earlier")
	if err != nil {
		t.Fatal(err)
	}
	earlier := c.out
	// Rewrite the sidecar as the first version wrote it: evaluation fields inside the ID.
	f := c.files(md)
	legacy := info
	legacy.ID = fmt.Sprintf("reflectedimages/1 data=%s steps=%d batch=%d ntrain=%d m=500 sampler=50 widths=%v mlp=%v seed=%d cls=classifier-60000x2.sdeml",
		c.data, c.steps, c.batch, c.nTrain, c.widths, c.mlp, c.seed)
	if err := writeInfo(f.modelInfo, legacy); err != nil {
		t.Fatal(err)
	}
	c.out, c.modelsFrom = t.TempDir(), earlier
	c.afterStep = func(int, []float64) { t.Error("-models trained a network that was stored") }
	net, got, err := c.train(context.Background(), md, images, "re-evaluated")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(net.W, trained.W) || got != legacy {
		t.Errorf("-models: loaded parameters differ from the stored ones, or info %+v, want %+v", got, legacy)
	}
	c.afterStep = nil
	other := c
	other.steps, other.trainID = 7, ""
	other.trainID = other.trainingSettings()
	if _, _, err := other.train(context.Background(), md, images, "other"); err == nil || !strings.Contains(err.Error(), f.modelInfo) {
		t.Errorf("-models with other training settings: %v, want an error naming %s", err, f.modelInfo)
	}
	c.modelsFrom = t.TempDir() // no stored network: trained here, same bits as before
	net, _, err = c.train(context.Background(), md, images, "fresh")
	if err != nil || !slices.Equal(net.W, trained.W) {
		t.Errorf("-models from an empty folder: %v, or parameters differ from a plain run", err)
	}
}

// -train32 trains the U-Net with its float32 pass: a different training (other parameters
// than float64's, so another training ID), still finite and still stopping/resuming with
// the same bits as an uninterrupted float32 run.
func TestTrain32(t *testing.T) {
	md := model{"unet", reflected.Reflected}
	c, images := tinyConfig(t)
	c.trainID = c.trainingSettings()
	f64, _, err := c.train(context.Background(), md, images, "f64")
	if err != nil {
		t.Fatal(err)
	}
	c.out, c.train32 = t.TempDir(), true
	c.trainID = c.trainingSettings()
	if !strings.HasSuffix(c.trainID, " train32") {
		t.Errorf("training ID %q does not name -train32", c.trainID)
	}
	f32, info, err := c.train(context.Background(), md, images, "f32")
	if err != nil {
		t.Fatal(err)
	}
	if slices.Equal(f32.W, f64.W) || !f32.Float32 {
		t.Error("-train32 gave the float64 run's parameters, or a net without Float32")
	}
	for _, v := range f32.W {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("-train32: non-finite parameter %v", v)
		}
	}
	c.out = t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	c.afterStep = func(k int, _ []float64) {
		if k == 2 {
			cancel()
		}
	}
	if _, _, err := c.train(ctx, md, images, "stop"); !errors.Is(err, sweep.ErrInterrupted) {
		t.Fatal(err)
	}
	cancel()
	c.afterStep, c.resume = nil, true
	res, got, err := c.train(context.Background(), md, images, "resumed")
	if err != nil || !slices.Equal(res.W, f32.W) || got.Loss != info.Loss {
		t.Errorf("-train32 resumed: %v, or parameters/loss differ from the uninterrupted float32 run", err)
	}
}
