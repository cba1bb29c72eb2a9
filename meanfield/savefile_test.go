package meanfield

import (
	"bytes"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/sdeml/sdeml/internal/testutil"
)

// TestCheckpointSaveFile writes a checkpoint atomically, reads it back, and checks that a
// checkpoint Save refuses (no particles) leaves the old file intact.
func TestCheckpointSaveFile(t *testing.T) {
	pts := randomPoints(t, rand.New(rand.NewPCG(4, 4)), 6, 1, 1, false)
	ps := randomParticles(t, 40, 3, 5)
	tr := ckTrainer(t, MSGLD, pts)
	if err := tr.Run(ps, 0, 3, nil); err != nil {
		t.Fatal(err)
	}
	cp, err := tr.Checkpoint(ps, 3)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := cp.Save(&buf); err != nil {
		t.Fatal(err)
	}
	testutil.CheckSaveFile(t, buf.Bytes(), cp.SaveFile, (&Checkpoint{}).SaveFile, func(p string) error {
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = LoadCheckpoint(f)
		return err
	})
}
