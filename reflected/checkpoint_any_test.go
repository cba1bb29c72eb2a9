package reflected

import (
	"bytes"
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sdeml/sdeml/sam"
)

// bodyCase is a network body with its data and settings for the resume tests: Train's
// defaults (preconditioning, EMA, a nil optimizer: Adam with warm-up and cosine decay).
type bodyCase struct {
	name string
	net  func(t *testing.T, seed uint64) *ScoreNet
	data []float64
	s    TrainSettings
}

func bodyCases(t *testing.T) []bodyCase {
	_, axis := axisData(t, 3, 64, 0.4, 9)
	return []bodyCase{
		{"MLP", func(t *testing.T, seed uint64) *ScoreNet {
			n, err := NewScoreNet(3, []int{16, 16}, TimeEmbedding{Freqs: 2}, rand.NewPCG(seed, 1))
			if err != nil {
				t.Fatal(err)
			}
			return n
		}, axis, TrainSettings{Steps: 40, Batch: 16, Seed: 5}},
		{"ResMLP", func(t *testing.T, seed uint64) *ScoreNet {
			n, err := NewResScoreNet(3, 8, 1, TimeEmbedding{Freqs: 1}, rand.NewPCG(seed, 1))
			if err != nil {
				t.Fatal(err)
			}
			return n
		}, axis, TrainSettings{Steps: 40, Batch: 16, Seed: 5}},
		{"U-Net", func(t *testing.T, seed uint64) *ScoreNet {
			n, err := NewUNetScoreNet(tinyUNet, rand.NewPCG(seed, 1))
			if err != nil {
				t.Fatal(err)
			}
			return n
		}, stripeImages(24, 0.03, 4), TrainSettings{Steps: 12, Batch: 4, Seed: 5, Process: Free}},
	}
}

// TestTrainResumeAnyBody stops a run of every network body (MLP, ResMLP, U-Net) with the
// default optimizer (sam.Adam with its learning-rate schedule) and the default recipe
// (Precond, EMA) at a step k, through the context and through a periodic checkpoint written
// to a file, resumes into a fresh, differently initialised network and optimizer, and
// requires the final (averaged) parameters and the losses to be the same bits as the
// uninterrupted run's: the parameters, average, Adam moments and step count (hence the
// schedule position), minibatch stream and loss tail all come from the checkpoint.
func TestTrainResumeAnyBody(t *testing.T) {
	for _, bc := range bodyCases(t) {
		full := bc.net(t, 1)
		s := bc.s
		want, err := Train(full, bc.data, nil, &s)
		if err != nil {
			t.Fatal(err)
		}
		stop := bc.s.Steps/2 - 1 // cancelled after step index stop: stop+1 steps done
		// through the context
		net := bc.net(t, 1)
		ctx, cancel := context.WithCancel(context.Background())
		s = bc.s
		s.After = func(k int, _ []float64) {
			if k == stop {
				cancel()
			}
		}
		res, err := TrainContext(ctx, net, bc.data, nil, &s)
		cancel()
		if !errors.Is(err, context.Canceled) || res.Checkpoint == nil || res.Steps != stop+1 {
			t.Fatalf("%s: stop: err %v, checkpoint %v, steps %d", bc.name, err, res.Checkpoint != nil, res.Steps)
		}
		var buf bytes.Buffer
		if err := res.Checkpoint.Save(&buf); err != nil {
			t.Fatal(err)
		}
		cp, err := LoadCheckpoint(&buf)
		if err != nil {
			t.Fatal(err)
		}
		// through a periodic checkpoint file (every 3 steps; the last one written before
		// step stop+1 is the resume point)
		path := filepath.Join(t.TempDir(), "ck")
		var written []int
		s = bc.s
		s.CheckpointEvery = 3
		killed := false
		s.Checkpoint = func(c *Checkpoint) error {
			if killed {
				return nil // simulate a kill after step stop+1: no later file
			}
			written = append(written, c.Step)
			return c.SaveFile(path)
		}
		s.After = func(k int, _ []float64) { killed = killed || k == stop }
		if _, err := Train(bc.net(t, 1), bc.data, nil, &s); err != nil {
			t.Fatal(err)
		}
		cpFile, err := LoadCheckpointFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if last := written[len(written)-1]; cpFile.Step != last || last%3 != 0 || last > stop+1 {
			t.Fatalf("%s: checkpoint file at step %d, written %v", bc.name, cpFile.Step, written)
		}
		for _, c := range []*Checkpoint{cp, cpFile} {
			fresh := bc.net(t, 99) // other initial parameters: everything must come from c
			s = bc.s
			s.Resume = c
			got, err := Train(fresh, bc.data, nil, &s)
			if err != nil {
				t.Fatalf("%s: resume at %d: %v", bc.name, c.Step, err)
			}
			if !slices.Equal(fresh.W, full.W) {
				t.Errorf("%s: resumed at step %d: parameters differ from the uninterrupted run", bc.name, c.Step)
			}
			if math.Float64bits(got.Loss) != math.Float64bits(want.Loss) || got.EMALoss != want.EMALoss || got.LastLoss != want.LastLoss {
				t.Errorf("%s: resumed at %d: losses (%v, %v, %v), uninterrupted (%v, %v, %v)", bc.name, c.Step, got.Loss, got.LastLoss, got.EMALoss, want.Loss, want.LastLoss, want.EMALoss)
			}
		}
	}
}

// A checkpoint resumed into another network shape or body is refused with an error naming
// the field; a Checkpoint function without CheckpointEvery, and an error from it, stop Train.
func TestResumeOtherArchitecture(t *testing.T) {
	cases := bodyCases(t)
	cps := make([]*Checkpoint, len(cases))
	for i, bc := range cases {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		s := bc.s
		res, _ := TrainContext(ctx, bc.net(t, 1), bc.data, nil, &s)
		if res.Checkpoint == nil {
			t.Fatalf("%s: no checkpoint", bc.name)
		}
		cps[i] = res.Checkpoint
	}
	resume := func(net *ScoreNet, bc bodyCase, cp *Checkpoint) error {
		s := bc.s
		s.Resume = cp
		_, err := Train(net, bc.data, &sam.Adam{}, &s)
		return err
	}
	mlp, unet := cases[0], cases[2]
	if err := resume(unet.net(t, 1), unet, cps[0]); err == nil || !strings.Contains(err.Error(), "checkpoint network is an MLP, this network a U-Net") {
		t.Errorf("MLP checkpoint into a U-Net: %v", err)
	}
	if err := resume(mlp.net(t, 1), mlp, cps[1]); err == nil || !strings.Contains(err.Error(), "is a ResMLP, this network an MLP") {
		t.Errorf("ResMLP checkpoint into an MLP: %v", err)
	}
	wider := tinyUNet
	wider.Widths = []int{4, 8}
	other, err := NewUNetScoreNet(wider, rand.NewPCG(1, 1))
	if err != nil {
		t.Fatal(err)
	}
	if err := resume(other, unet, cps[2]); err == nil || !strings.Contains(err.Error(), "U-Net node") || !strings.Contains(err.Error(), "Out:6") {
		t.Errorf("U-Net checkpoint into other widths: %v", err)
	}
	deeper := tinyUNet
	deeper.Widths = []int{4, 6, 6}
	deeper.H, deeper.W = 4, 4
	other, _ = NewUNetScoreNet(deeper, rand.NewPCG(1, 1))
	if err := resume(other, unet, cps[2]); err == nil || !strings.Contains(err.Error(), "nodes, want") {
		t.Errorf("U-Net checkpoint into more levels: %v", err)
	}
	res2, _ := NewResScoreNet(3, 9, 1, TimeEmbedding{Freqs: 1}, rand.NewPCG(1, 1))
	if err := resume(res2, cases[1], cps[1]); err == nil || !strings.Contains(err.Error(), "Width:8") {
		t.Errorf("ResMLP checkpoint into width 9: %v", err)
	}
	s := mlp.s
	s.Checkpoint = func(*Checkpoint) error { return nil }
	if _, err := Train(mlp.net(t, 1), mlp.data, nil, &s); err == nil || !strings.Contains(err.Error(), "CheckpointEvery = 0") {
		t.Errorf("Checkpoint without CheckpointEvery: %v", err)
	}
	s.CheckpointEvery = 5
	s.Checkpoint = func(*Checkpoint) error { return errors.New("disk full") }
	if res, err := Train(mlp.net(t, 1), mlp.data, nil, &s); err == nil || !strings.Contains(err.Error(), "disk full") || res.Steps != 5 {
		t.Errorf("failing Checkpoint: steps %d, %v", res.Steps, err)
	}
	// a U-Net checkpoint file round-trips through Save/LoadCheckpoint with its graph
	var buf bytes.Buffer
	if err := cps[2].Save(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := LoadCheckpoint(&buf)
	if err != nil || back.Net.UNet == nil || len(back.Net.UNet.Nodes) != len(cps[2].Net.UNet.Nodes) {
		t.Fatalf("U-Net checkpoint: %v", err)
	}
}
