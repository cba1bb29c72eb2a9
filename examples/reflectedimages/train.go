package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/sdeml/sdeml/internal/atomicfile"
	"github.com/sdeml/sdeml/internal/parallel"
	"github.com/sdeml/sdeml/internal/sweep"
	"github.com/sdeml/sdeml/nn"
	"github.com/sdeml/sdeml/reflected"
)

// trainInfo is what a unit keeps of its training besides the network. Its JSON form, with
// the sweep's ID and the unit's key, is the sidecar of a checkpoint (the CPU and wall
// seconds spent up to it, so that a resumed model reports its whole cost) and of a
// trained model (everything, so that -resume can skip the training).
type trainInfo struct {
	ID        string
	Key       string
	Step      int
	Loss      sweep.Float
	TrainCPU  sweep.Float
	TrainWall sweep.Float
}

// unitFiles are the paths of a model's checkpoint, the trained network and their sidecars
// in the data set's output folder.
type unitFiles struct{ ckpt, ckptInfo, model, modelInfo string }

func (c *config) files(md model) unitFiles {
	dir := filepath.Join(c.out, c.data)
	name := strings.ReplaceAll(md.key(), "/", "-")
	return unitFiles{
		ckpt:      filepath.Join(dir, "checkpoints", name+".ckpt"),
		ckptInfo:  filepath.Join(dir, "checkpoints", name+".json"),
		model:     filepath.Join(dir, "models", name+".sdeml"),
		modelInfo: filepath.Join(dir, "models", name+".json"),
	}
}

// train returns model md trained on the images: with -resume, the stored trained network if
// there is one, else the training continued from the model's last checkpoint. While it
// trains it writes a checkpoint every c.ckptEvery steps (0: none) and, when ctx is cancelled
// (SIGINT/SIGTERM), one after the current step; it then returns an error wrapping
// sweep.ErrInterrupted. A trained network is stored in models/ and its checkpoint removed.
func (c *config) train(ctx context.Context, md model, images []float64, name string) (*reflected.ScoreNet, trainInfo, error) {
	f := c.files(md)
	key := c.data + "/" + md.key()
	info := trainInfo{ID: c.trainID, Key: key}
	var resume *reflected.Checkpoint
	var stored []unitFiles // trained networks to look for: -models, then -resume's own
	if c.modelsFrom != "" {
		from := *c
		from.out = c.modelsFrom
		stored = append(stored, from.files(md))
	}
	if c.resume {
		stored = append(stored, f)
	}
	for _, sf := range stored {
		var done trainInfo
		switch ok, err := readInfo(sf.modelInfo, c.trainID, key, &done); {
		case err != nil:
			return nil, info, err
		case ok:
			net, err := loadNet(sf.model)
			if err != nil {
				return nil, info, err
			}
			fmt.Fprintf(os.Stderr, "%s: trained network loaded from %s\n", name, sf.model)
			return net, done, nil
		}
	}
	if c.resume {
		switch ok, err := readInfo(f.ckptInfo, c.trainID, key, &info); {
		case err != nil:
			return nil, info, err
		case ok:
			if resume, err = reflected.LoadCheckpointFile(f.ckpt); err != nil {
				return nil, info, fmt.Errorf("checkpoint %s: %w", f.ckpt, err)
			}
			fmt.Fprintf(os.Stderr, "%s: resuming from %s at step %d of %d\n", name, f.ckpt, resume.Step, c.steps)
		}
	}
	src := parallel.Stream(c.seed, 1)
	var net *reflected.ScoreNet
	var err error
	if md.name == "unet" {
		net, err = reflected.NewUNetScoreNet(nn.UNet{C: 1, H: 28, W: 28, Widths: c.widths}, src)
		if err == nil {
			net.Float32 = c.train32
		}
	} else {
		net, err = reflected.NewScoreNet(784, c.mlp, reflected.TimeEmbedding{Freqs: 8}, src)
	}
	if err != nil {
		return nil, info, err
	}
	if err := os.MkdirAll(filepath.Dir(f.ckpt), 0o755); err != nil {
		return nil, info, err
	}
	if err := os.MkdirAll(filepath.Dir(f.model), 0o755); err != nil {
		return nil, info, err
	}
	cpu0, wall0 := cpuSeconds(), time.Now()
	base := info
	// save writes the checkpoint cp and its sidecar with the cost so far.
	save := func(cp *reflected.Checkpoint) error {
		if err := cp.SaveFile(f.ckpt); err != nil {
			return err
		}
		s := base
		s.Step = cp.Step
		s.TrainCPU += sweep.Float(cpuSeconds() - cpu0)
		s.TrainWall += sweep.Float(time.Since(wall0).Seconds())
		return writeInfo(f.ckptInfo, s)
	}
	s := &reflected.TrainSettings{
		Steps: c.steps, Batch: c.batch, Process: md.proc, Seed: c.seed, DataDim: 784, EvalPoints: 1000,
		Progress: prefixWriter{name}, ProgressEvery: max(c.steps/20, 1), Resume: resume, After: c.afterStep}
	if c.ckptEvery > 0 {
		s.Checkpoint, s.CheckpointEvery = save, c.ckptEvery
	}
	res, err := reflected.TrainContext(ctx, net, images, nil, s)
	if err != nil {
		if res.Checkpoint == nil || ctx.Err() == nil {
			return nil, info, err
		}
		if err := save(res.Checkpoint); err != nil {
			return nil, info, fmt.Errorf("saving the checkpoint after step %d: %w", res.Checkpoint.Step, err)
		}
		fmt.Fprintf(os.Stderr, "%s: stopped after step %d of %d; checkpoint %s\n", name, res.Checkpoint.Step, c.steps, f.ckpt)
		return nil, info, fmt.Errorf("%s stopped after step %d: %w", key, res.Checkpoint.Step, sweep.ErrInterrupted)
	}
	info.Step = c.steps
	info.Loss = sweep.Float(res.Loss)
	info.TrainCPU += sweep.Float(cpuSeconds() - cpu0)
	info.TrainWall += sweep.Float(time.Since(wall0).Seconds())
	if err := net.SaveFile(f.model); err != nil {
		return nil, info, err
	}
	if err := writeInfo(f.modelInfo, info); err != nil {
		return nil, info, err
	}
	for _, p := range []string{f.ckpt, f.ckptInfo} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, info, err
		}
	}
	return net, info, nil
}

// evalFields are the evaluation settings that the sidecars of the first version of this
// program stored in their ID beside the training settings (m=…, sampler=…, cls=…).
var evalFields = regexp.MustCompile(` (m|sampler|cls)=[^ ]+`)

// trainingID returns the training settings of a sidecar's ID: the ID itself, or for a
// sidecar of the first version the ID without its evaluation fields, so that networks
// trained then can be evaluated again with other sampler or classifier settings.
func trainingID(id string) string { return evalFields.ReplaceAllString(id, "") }

// readInfo reads a sidecar into dst; ok is false if it does not exist. A sidecar of other
// training settings (id, compared by trainingID) or of another unit is an error naming the
// file (never silently trusted or replaced).
func readInfo(path, id, key string, dst *trainInfo) (ok bool, err error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	var v trainInfo
	if err := json.Unmarshal(b, &v); err != nil {
		return false, fmt.Errorf("%s: %v", path, err)
	}
	if trainingID(v.ID) != id || v.Key != key {
		return false, fmt.Errorf("%s belongs to %q (unit %q), this run is %q (unit %q): use another -out or remove it", path, v.ID, v.Key, id, key)
	}
	*dst = v
	return true, nil
}

func writeInfo(path string, v trainInfo) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return atomicfile.WriteBytes(path, 0, append(b, '\n'))
}

func loadNet(path string) (*reflected.ScoreNet, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	net, err := reflected.LoadScoreNet(fh)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return net, nil
}
