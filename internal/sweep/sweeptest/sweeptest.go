// Package sweeptest holds test helpers for the study examples that run as sharded sweeps.
package sweeptest

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/sdeml/sdeml/internal/sweep"
)

// Dirs are the output folders of ShardedMatchesUnsharded, for further checks.
type Dirs struct {
	Full, Merged string
	Shards       []string
}

// ShardedMatchesUnsharded runs a study once whole, once as shards 0..shards−1 of shards and
// once merging those, each into its own folder under t.TempDir(), and checks that every
// named output of the merged run is non-empty and the same bytes as the whole run's. run
// writes the study's outputs into dir under sweep flags c (c.Dir is left to run: some
// studies put the sweep in a sub-folder of dir).
func ShardedMatchesUnsharded(t testing.TB, shards int, outputs []string, run func(dir string, c sweep.Config)) Dirs {
	t.Helper()
	root := t.TempDir()
	d := Dirs{Full: filepath.Join(root, "full"), Merged: filepath.Join(root, "merged")}
	run(d.Full, sweep.Config{})
	for i := range shards {
		s := filepath.Join(root, "shard", strconv.Itoa(i))
		d.Shards = append(d.Shards, s)
		run(s, sweep.Config{Shard: i, Shards: shards})
	}
	run(d.Merged, sweep.Config{Merge: d.Shards})
	for _, name := range outputs {
		a, err := os.ReadFile(filepath.Join(d.Full, name))
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(d.Merged, name))
		if err != nil {
			t.Fatal(err)
		}
		if len(a) == 0 || !bytes.Equal(a, b) {
			t.Errorf("%s: merged output (%d bytes) differs from the unsharded one (%d bytes)", name, len(b), len(a))
		}
	}
	return d
}
