package sam

import (
	"bytes"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/sdeml/sdeml/internal/testutil"
)

// TestCheckpointSaveFile writes a real checkpoint atomically, reads it back, and checks
// that a checkpoint Save refuses (Batch = 0) leaves the old file intact.
func TestCheckpointSaveFile(t *testing.T) {
	task, err := NewDiagNetTask(rand.NewPCG(9, 10), 40, 1, 20, 3)
	if err != nil {
		t.Fatal(err)
	}
	w := task.Init(0.1)
	var cp *Checkpoint
	_, err = Train(w, task.Train, &SGD{LR: 0.05, Momentum: 0.9}, &TrainSettings{Epochs: 2, Batch: 8, Seed: 1,
		CheckpointEvery: 7, SaveCheckpoint: func(c *Checkpoint) error { cp = c; return nil }})
	if err != nil || cp == nil {
		t.Fatalf("Train: %v, checkpoint %v", err, cp != nil)
	}
	var buf bytes.Buffer
	if err := cp.Save(&buf); err != nil {
		t.Fatal(err)
	}
	testutil.CheckSaveFile(t, buf.Bytes(), cp.SaveFile, (&Checkpoint{}).SaveFile, func(path string) error {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = LoadCheckpoint(f)
		return err
	})
}
