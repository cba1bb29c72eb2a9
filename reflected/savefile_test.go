package reflected

import (
	"bytes"
	"context"
	"errors"
	"os"
	"testing"

	"github.com/sdeml/sdeml/internal/testutil"
)

// TestSaveFile writes a score network and a training checkpoint atomically, reads them
// back, and checks that a Save that fails part-way (a network whose W has the wrong
// length fails after the header; a checkpoint without Net fails at once) leaves the old
// file intact.
func TestSaveFile(t *testing.T) {
	data, net, s := ckSetup(t, 1)
	ctx, cancel := context.WithCancel(context.Background())
	s.After = func(k int, _ []float64) {
		if k == 3 {
			cancel()
		}
	}
	res, err := TrainContext(ctx, net, data, &adamLike{lr: 1e-2}, s)
	cancel()
	if !errors.Is(err, context.Canceled) || res.Checkpoint == nil {
		t.Fatalf("err %v, checkpoint %v", err, res.Checkpoint != nil)
	}
	load := func(read func(f *os.File) error) func(string) error {
		return func(p string) error {
			f, err := os.Open(p)
			if err != nil {
				return err
			}
			defer f.Close()
			return read(f)
		}
	}
	var buf bytes.Buffer
	if err := net.Save(&buf); err != nil {
		t.Fatal(err)
	}
	broken := &ScoreNet{Net: net.Net, Embed: net.Embed, W: net.W[1:]}
	testutil.CheckSaveFile(t, buf.Bytes(), net.SaveFile, broken.SaveFile,
		load(func(f *os.File) error { _, err := LoadScoreNet(f); return err }))

	buf.Reset()
	if err := res.Checkpoint.Save(&buf); err != nil {
		t.Fatal(err)
	}
	testutil.CheckSaveFile(t, buf.Bytes(), res.Checkpoint.SaveFile, (&Checkpoint{}).SaveFile,
		load(func(f *os.File) error { _, err := LoadCheckpoint(f); return err }))
}
