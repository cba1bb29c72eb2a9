package sweep

import (
	"context"
	"flag"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// Each bad -shard value is refused by the flag with an error naming the flag, the value
// and what is wrong.
func TestShardFlagErrors(t *testing.T) {
	for _, c := range []struct{ v, why string }{
		{"3/3", "i = 3 must be in [0, 3)"},
		{"-1/2", "i = -1 must be in [0, 2)"},
		{"1/0", "n = 0 must be >= 1"},
		{"a/b", "want i/n with integers"},
		{"2", "want i/n with integers"},
	} {
		var cfg Config
		fs := flag.NewFlagSet("study", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		cfg.RegisterFlags(fs)
		err := fs.Parse([]string{"-shard", c.v})
		if err == nil || !strings.Contains(err.Error(), "-shard") || !strings.Contains(err.Error(), `"`+c.v+`"`) || !strings.Contains(err.Error(), c.why) {
			t.Errorf("-shard %s: error %v, want one naming -shard, %q and %q", c.v, err, c.v, c.why)
		}
	}
}

// snapshot returns every file under dir with its bytes.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	m := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		m[p] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// A merge that fails (a shard folder left out of the list, a folder of a sweep with other
// settings, a folder without units) names -merge and its value, and leaves an existing
// output folder byte for byte as it was: every unit is checked before any is copied. The
// output folder here holds an unsharded run, whose unit files differ from the shards' in
// their recorded wall times, so a copy made before the error would show.
func TestFailedMergeLeavesOutputUntouched(t *testing.T) {
	root := t.TempDir()
	a, b, out, other := filepath.Join(root, "a"), filepath.Join(root, "b"), filepath.Join(root, "out"), filepath.Join(root, "other")
	mustRun(t, context.Background(), Config{Dir: a, Shard: 0, Shards: 2}, unit(new(atomic.Int64)))
	mustRun(t, context.Background(), Config{Dir: b, Shard: 1, Shards: 2}, unit(new(atomic.Int64)))
	mustRun(t, context.Background(), Config{Dir: out}, unit(new(atomic.Int64)))
	otherPlan := plan()
	otherPlan.ID = "synthetic steps=20"
	if _, err := Run(context.Background(), Config{Dir: other, Shard: 1, Shards: 2}, otherPlan, unit(new(atomic.Int64))); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, "empty"), 0o755); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, out)
	for _, c := range []struct {
		dirs []string
		want string
	}{
		{[]string{a}, "8 of 17 units are in none of these folders"},
		{[]string{a, other}, "different settings"},
		{[]string{a, filepath.Join(root, "empty")}, "holds no units/ folder"},
		{[]string{a, filepath.Join(root, "nonexistent")}, "holds no units/ folder"},
	} {
		_, err := Run(context.Background(), Config{Dir: out, Merge: c.dirs}, plan(), unit(new(atomic.Int64)))
		value := strings.Join(c.dirs, ",")
		if err == nil || !strings.Contains(err.Error(), "-merge "+value) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("-merge %s: error %v, want one naming -merge %s and %q", value, err, value, c.want)
		}
		after := snapshot(t, out)
		if len(after) != len(before) {
			t.Errorf("-merge %s: output folder has %d files after the failed merge, %d before", value, len(after), len(before))
		}
		for p, s := range before {
			if after[p] != s {
				t.Errorf("-merge %s: failed merge changed %s", value, p)
			}
		}
	}
}
