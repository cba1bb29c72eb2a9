package reflected_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"

	"github.com/sdeml/sdeml/reflected"
)

// A run that writes a checkpoint every 10 steps is killed after step 25; a new process
// resumes from the last checkpoint file (step 20) and ends with the same parameters, bit for
// bit, as the run that was never interrupted. The same works for a U-Net score network.
func ExampleTrainSettings_checkpoint() {
	target, _ := reflected.DiagonalSegment(2, 0.5)
	data := make([]float64, 200*2)
	target.Sample(data, rand.NewPCG(1, 1))
	newNet := func() *reflected.ScoreNet {
		net, _ := reflected.NewScoreNet(2, []int{16}, reflected.TimeEmbedding{Freqs: 2}, rand.NewPCG(2, 2))
		return net
	}
	settings := func() *reflected.TrainSettings { return &reflected.TrainSettings{Steps: 40, Batch: 16, Seed: 3} }

	full := newNet()
	if _, err := reflected.Train(full, data, nil, settings()); err != nil {
		fmt.Println(err)
		return
	}

	dir, _ := os.MkdirTemp("", "ckpt")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "run.ckpt")
	s := settings()
	s.CheckpointEvery = 10
	killed := false
	s.Checkpoint = func(cp *reflected.Checkpoint) error {
		if killed {
			return nil
		}
		return cp.SaveFile(path) // atomic: the file is always a complete checkpoint
	}
	s.After = func(step int, _ []float64) { killed = killed || step == 24 }
	reflected.Train(newNet(), data, nil, s)

	cp, err := reflected.LoadCheckpointFile(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	resumed := newNet()
	s = settings()
	s.Resume = cp
	if _, err := reflected.Train(resumed, data, nil, s); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("resumed at step", cp.Step, "- same parameters:", slices.Equal(resumed.W, full.W))
	// Output:
	// resumed at step 20 - same parameters: true
}
