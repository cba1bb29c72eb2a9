package sweep

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestRunIn: the sweep goes to out/sub, a merge reads sub of each merged folder, and an
// interrupted run's error is kept in Program.Err.
func TestRunIn(t *testing.T) {
	root := t.TempDir()
	plan := Plan{ID: "runin", Keys: []string{"a", "b"}}
	sq := func(_ context.Context, k int) (int, error) { return k * k, nil }
	var p Program
	p.Config = Config{Shards: 2, Shard: 0}
	r0, err := RunIn(&p, filepath.Join(root, "s0"), "grid", plan, sq)
	if err != nil || !r0.Done[0] || r0.Done[1] || p.Err != nil {
		t.Fatalf("shard 0: %+v, %v, Err %v", r0, err, p.Err)
	}
	if _, err := os.Stat(filepath.Join(root, "s0", "grid", "PARTIAL")); err != nil {
		t.Fatalf("shard 0 did not write to out/sub: %v", err)
	}
	p.Config = Config{Shards: 2, Shard: 1}
	if _, err := RunIn(&p, filepath.Join(root, "s1"), "grid", plan, sq); err != nil {
		t.Fatal(err)
	}
	p.Config = Config{Merge: []string{filepath.Join(root, "s0"), filepath.Join(root, "s1")}}
	m, err := RunIn(&p, filepath.Join(root, "m"), "grid", plan, sq)
	if err != nil || !m.Complete() || m.Values[1] != 1 {
		t.Fatalf("merge: %+v, %v", m, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	p = Program{ctx: ctx}
	if _, err := RunIn(&p, filepath.Join(root, "x"), "grid", plan, sq); err != nil || !errors.Is(p.Err, ErrInterrupted) {
		t.Fatalf("cancelled: %v, Err %v", err, p.Err)
	}
}
