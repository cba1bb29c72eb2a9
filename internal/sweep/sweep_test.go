package sweep

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
)

// point is the result of one synthetic unit: a few numbers that depend only on the unit's
// index, one of them NaN for some units (as a diverged training run's metric is).
type point struct {
	Rho    Float
	Seed   int
	Metric Float
	Err    string
}

const nUnits = 17 // not a multiple of 3, so the shards have unequal sizes

func plan() Plan {
	var keys []string
	for k := range nUnits {
		keys = append(keys, fmt.Sprintf("SAM (m=%d)/rho=%g/seed=%d", k%4, 0.1*float64(k/4), k%3))
	}
	return Plan{ID: "synthetic steps=10", Keys: keys, Concurrent: true}
}

// unit computes unit k: a sum of random numbers from a stream seeded by k, NaN every 5th.
func unit(calls *atomic.Int64) func(context.Context, int) (point, error) {
	return func(_ context.Context, k int) (point, error) {
		calls.Add(1)
		r := rand.New(rand.NewPCG(uint64(k), 7))
		var s float64
		for range 1000 {
			s += r.NormFloat64()
		}
		p := point{Rho: Float(0.1 * float64(k/4)), Seed: k % 3, Metric: Float(s / 1000)}
		if k%5 == 4 {
			p.Metric, p.Err = Float(math.NaN()), "diverged"
		}
		return p, nil
	}
}

// table renders a result the way a study example renders its CSV (every done unit, in
// plan order, with the exact bits of each value).
func table(r *Result[point]) []byte {
	var b bytes.Buffer
	for k, d := range r.Done {
		if d {
			v := r.Values[k]
			fmt.Fprintf(&b, "%s,%v,%d,%x,%s\n", r.Keys[k], float64(v.Rho), v.Seed, math.Float64bits(float64(v.Metric)), v.Err)
		}
	}
	return b.Bytes()
}

func mustRun(t *testing.T, ctx context.Context, c Config, fn func(context.Context, int) (point, error)) *Result[point] {
	t.Helper()
	r, err := Run(ctx, c, plan(), fn)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestShardsMergedEqualUnsharded(t *testing.T) {
	root := t.TempDir()
	var calls atomic.Int64
	full := mustRun(t, context.Background(), Config{Dir: filepath.Join(root, "full")}, unit(&calls))
	if !full.Complete() || full.Computed != nUnits || calls.Load() != nUnits {
		t.Fatalf("unsharded: complete %v, computed %d, calls %d; want all %d", full.Complete(), full.Computed, calls.Load(), nUnits)
	}
	if _, err := os.Stat(filepath.Join(root, "full", "PARTIAL")); !os.IsNotExist(err) {
		t.Fatalf("complete run left a PARTIAL marker (stat error %v)", err)
	}
	calls.Store(0)
	var dirs []string
	for i := range 3 {
		d := filepath.Join(root, fmt.Sprint("shard", i))
		dirs = append(dirs, d)
		r := mustRun(t, context.Background(), Config{Dir: d, Shard: i, Shards: 3}, unit(&calls))
		// Unit k runs in shard k mod 3: shard i has ceil((17-i)/3) units.
		if want := (nUnits - i + 2) / 3; r.Computed != want || r.Complete() {
			t.Fatalf("shard %d: computed %d, complete %v; want %d units, incomplete", i, r.Computed, r.Complete(), want)
		}
		for k, d := range r.Done {
			if d != (k%3 == i) {
				t.Fatalf("shard %d: unit %d done = %v", i, k, d)
			}
		}
		if _, err := os.Stat(filepath.Join(d, "PARTIAL")); err != nil {
			t.Fatalf("shard %d: no PARTIAL marker: %v", i, err)
		}
	}
	if calls.Load() != nUnits {
		t.Fatalf("3 shards made %d calls, want each of the %d units once", calls.Load(), nUnits)
	}
	calls.Store(0)
	merged := mustRun(t, context.Background(), Config{Dir: filepath.Join(root, "merged"), Merge: dirs}, unit(&calls))
	if calls.Load() != 0 {
		t.Fatalf("merge computed %d units, want none", calls.Load())
	}
	if !merged.Complete() {
		t.Fatalf("merge missing %v", merged.Missing())
	}
	if a, b := table(full), table(merged); !bytes.Equal(a, b) {
		t.Fatalf("merged table differs from the unsharded one:\n%s\nvs\n%s", b, a)
	}
	// The merged folder is a complete results folder: resuming it computes nothing.
	again := mustRun(t, context.Background(), Config{Dir: filepath.Join(root, "merged"), Resume: true}, unit(&calls))
	if calls.Load() != 0 || !bytes.Equal(table(again), table(full)) {
		t.Fatalf("resume of the merged folder made %d calls or changed the table", calls.Load())
	}
	// Merging into one of the shard folders themselves also works.
	inPlace := mustRun(t, context.Background(), Config{Dir: dirs[0], Merge: dirs}, unit(&calls))
	if !bytes.Equal(table(inPlace), table(full)) {
		t.Fatal("in-place merge differs from the unsharded table")
	}
}

func TestResultIndependentOfGOMAXPROCS(t *testing.T) {
	var calls atomic.Int64
	a := mustRun(t, context.Background(), Config{Dir: t.TempDir()}, unit(&calls))
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	b := mustRun(t, context.Background(), Config{Dir: t.TempDir()}, unit(&calls))
	if !bytes.Equal(table(a), table(b)) {
		t.Fatal("tables differ between GOMAXPROCS settings")
	}
}

func TestInterruptThenResume(t *testing.T) {
	for _, concurrent := range []bool{false, true} {
		t.Run(fmt.Sprint("concurrent=", concurrent), func(t *testing.T) {
			dir := t.TempDir()
			ref := mustRun(t, context.Background(), Config{Dir: t.TempDir()}, unit(new(atomic.Int64)))
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var calls atomic.Int64
			inner := unit(&calls)
			// The 5th unit to start cancels the context (as SIGINT would) and still finishes.
			var started atomic.Int64
			interrupting := func(ctx context.Context, k int) (point, error) {
				if started.Add(1) == 5 {
					cancel()
				}
				return inner(ctx, k)
			}
			p := plan()
			p.Concurrent = concurrent
			r, err := Run(ctx, Config{Dir: dir}, p, interrupting)
			if err != nil {
				t.Fatal(err)
			}
			first := calls.Load()
			if !r.Interrupted || r.Complete() || !errors.Is(r.Err(), ErrInterrupted) {
				t.Fatalf("interrupted %v complete %v err %v", r.Interrupted, r.Complete(), r.Err())
			}
			// Units started before the cancel finish and are stored: at least 5, and with
			// helper goroutines at most 5 plus one in flight per extra worker.
			if r.Computed != int(first) || first < 5 || first > 5+int64(runtime.GOMAXPROCS(0)) {
				t.Fatalf("computed %d with %d calls, want the >= 5 started units", r.Computed, first)
			}
			marker, err := os.ReadFile(filepath.Join(dir, "PARTIAL"))
			if err != nil || !strings.Contains(string(marker), fmt.Sprintf("%d units are missing", nUnits-int(first))) {
				t.Fatalf("PARTIAL marker %q, %v", marker, err)
			}
			calls.Store(0)
			p.Concurrent = true
			r2, err := Run(context.Background(), Config{Dir: dir, Resume: true}, p, inner)
			if err != nil {
				t.Fatal(err)
			}
			if calls.Load() != nUnits-first || r2.Computed != int(nUnits-first) {
				t.Fatalf("resume made %d calls, want only the %d unfinished units", calls.Load(), nUnits-first)
			}
			if !r2.Complete() || r2.Err() != nil || !bytes.Equal(table(r2), table(ref)) {
				t.Fatal("resumed run is not complete or differs from an uninterrupted one")
			}
			if _, err := os.Stat(filepath.Join(dir, "PARTIAL")); !os.IsNotExist(err) {
				t.Fatal("PARTIAL marker left after the resumed run completed")
			}
		})
	}
}

// A unit that stops early on the cancellation (returning ErrInterrupted or ctx.Err(), as a
// unit that checkpoints mid-way does) is left not done and the run is interrupted, not
// failed; the same error before any cancellation is a failure.
func TestUnitStopsEarlyOnCancel(t *testing.T) {
	for _, stopErr := range []error{ErrInterrupted, context.Canceled} {
		ctx, cancel := context.WithCancel(context.Background())
		p := plan()
		p.Concurrent = false
		dir := t.TempDir()
		r, err := Run(ctx, Config{Dir: dir}, p, func(ctx context.Context, k int) (point, error) {
			if k == 2 {
				cancel()
				return point{}, fmt.Errorf("unit stopped at step 7: %w", stopErr)
			}
			return point{Seed: k}, nil
		})
		cancel()
		if err != nil {
			t.Fatalf("%v: error %v, want an interruption", stopErr, err)
		}
		if !r.Interrupted || !r.Done[0] || !r.Done[1] || r.Done[2] || r.Computed != 2 || !errors.Is(r.Err(), ErrInterrupted) {
			t.Fatalf("%v: interrupted %v, done %v, computed %d", stopErr, r.Interrupted, r.Done[:4], r.Computed)
		}
		if _, err := os.Stat(unitPath(dir, p.Keys[2])); !os.IsNotExist(err) {
			t.Fatalf("%v: the stopped unit was stored", stopErr)
		}
		_, err = Run(context.Background(), Config{Dir: t.TempDir()}, p, func(ctx context.Context, k int) (point, error) {
			return point{}, fmt.Errorf("stopped: %w", stopErr)
		})
		if err == nil {
			t.Fatalf("%v without a cancellation: no error", stopErr)
		}
	}
}

func TestUnitErrorStopsSweep(t *testing.T) {
	var calls atomic.Int64
	p := plan()
	p.Concurrent = false
	_, err := Run(context.Background(), Config{Dir: t.TempDir()}, p, func(ctx context.Context, k int) (point, error) {
		calls.Add(1)
		if k == 3 {
			return point{}, errors.New("out of memory")
		}
		return point{}, nil
	})
	if err == nil || !strings.Contains(err.Error(), p.Keys[3]) || !strings.Contains(err.Error(), "out of memory") {
		t.Fatalf("error %v, want the unit's key and cause", err)
	}
	if calls.Load() != 4 {
		t.Fatalf("%d units ran, want the sweep to stop after the failing 4th", calls.Load())
	}
}

func TestCorruptUnitFileIsAnErrorNamingIt(t *testing.T) {
	dir := t.TempDir()
	mustRun(t, context.Background(), Config{Dir: dir}, unit(new(atomic.Int64)))
	p := plan()
	path := unitPath(dir, p.Keys[6])
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	other, err := os.ReadFile(unitPath(dir, p.Keys[7]))
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string][]byte{
		"truncated":     good[:len(good)/2],
		"empty":         {},
		"other unit":    other,
		"other sweep":   bytes.Replace(good, []byte("steps=10"), []byte("steps=20"), 1),
		"unknown field": bytes.Replace(good, []byte(`"Seed"`), []byte(`"Sead"`), 1),
		"bad number":    bytes.Replace(good, []byte(`"Rho":`), []byte(`"Rho":"x",`), 1),
		"trailing data": append(append([]byte{}, good...), "{}"...),
		"old format":    bytes.Replace(good, []byte("unit/1"), []byte("unit/0"), 1),
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
			for _, c := range []Config{{Dir: dir, Resume: true}, {Dir: t.TempDir(), Merge: []string{dir}}} {
				var calls atomic.Int64
				_, err := Run(context.Background(), c, p, unit(&calls))
				if err == nil || !strings.Contains(err.Error(), path) || strings.Count(err.Error(), "sweep:") != 1 {
					t.Fatalf("merge=%v: error %v, want one naming %s", c.Merge, err, path)
				}
			}
		})
	}
}

func TestMergeMissingAndConflicting(t *testing.T) {
	root := t.TempDir()
	a, b := filepath.Join(root, "a"), filepath.Join(root, "b")
	mustRun(t, context.Background(), Config{Dir: a, Shard: 0, Shards: 2}, unit(new(atomic.Int64)))
	_, err := Run(context.Background(), Config{Dir: filepath.Join(root, "m"), Merge: []string{a}}, plan(), unit(new(atomic.Int64)))
	if err == nil || !strings.Contains(err.Error(), "8 of 17 units") || !strings.Contains(err.Error(), plan().Keys[1]) {
		t.Fatalf("merge of one of two shards: error %v, want 8 of 17 missing, first %q", err, plan().Keys[1])
	}
	// A full run with a different result for one unit conflicts with shard a.
	_, err = Run(context.Background(), Config{Dir: b}, plan(), func(ctx context.Context, k int) (point, error) {
		p, _ := unit(new(atomic.Int64))(ctx, k)
		if k == 2 {
			p.Seed = 99
		}
		return p, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = Run(context.Background(), Config{Dir: filepath.Join(root, "m"), Merge: []string{a, b}}, plan(), unit(new(atomic.Int64)))
	if err == nil || !strings.Contains(err.Error(), "differs") || !strings.Contains(err.Error(), plan().Keys[2]) {
		t.Fatalf("conflicting merge: error %v", err)
	}
}

func TestBadConfig(t *testing.T) {
	fn := unit(new(atomic.Int64))
	cases := []struct {
		c    Config
		p    Plan
		want string
	}{
		{Config{}, plan(), "Config.Dir is empty"},
		{Config{Dir: "x", Shard: 3, Shards: 3}, plan(), "Config.Shard = 3"},
		{Config{Dir: "x", Shards: -2}, plan(), "Config.Shards = -2"},
		{Config{Dir: "x", Merge: []string{"a"}, Resume: true}, plan(), "-merge"},
		{Config{Dir: "x"}, Plan{Keys: []string{"a", ""}}, "Plan.Keys[1] is empty"},
		{Config{Dir: "x"}, Plan{Keys: []string{"a", "b", "a"}}, `Plan.Keys[2] = "a" repeats Keys[0]`},
	}
	for _, c := range cases {
		_, err := Run(context.Background(), c.c, c.p, fn)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "sweep: ") {
			t.Errorf("%+v: error %v, want %q", c.c, err, c.want)
		}
	}
	for _, s := range []string{"", "1", "3/3", "-1/2", "a/b", "0/0"} {
		if _, _, err := ParseShard(s); err == nil {
			t.Errorf("ParseShard(%q) accepted", s)
		}
	}
	if i, n, err := ParseShard("2/5"); i != 2 || n != 5 || err != nil {
		t.Errorf("ParseShard(2/5) = %d, %d, %v", i, n, err)
	}
}

func TestNonFiniteNeedsFloat(t *testing.T) {
	_, err := Run(context.Background(), Config{Dir: t.TempDir()}, Plan{ID: "x", Keys: []string{"a"}},
		func(context.Context, int) (float64, error) { return math.NaN(), nil })
	if err == nil || !strings.Contains(err.Error(), "sweep.Float") {
		t.Fatalf("NaN in a plain float64: error %v, want a hint to use sweep.Float", err)
	}
}

func TestFloatRoundTrip(t *testing.T) {
	for _, v := range []float64{0, math.Copysign(0, -1), 1.0 / 3, -2.5e-300, math.MaxFloat64, 5e-324, math.NaN(), math.Inf(1), math.Inf(-1)} {
		b, err := Float(v).MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		var g Float
		if err := g.UnmarshalJSON(b); err != nil {
			t.Fatal(err)
		}
		if math.Float64bits(float64(g)) != math.Float64bits(v) && !(math.IsNaN(v) && math.IsNaN(float64(g))) {
			t.Errorf("%v: round trip %s gave %v", v, b, float64(g))
		}
	}
	var g Float
	for _, s := range []string{`"nan"`, `1e999`, `"1"`, `true`, ``} {
		if g.UnmarshalJSON([]byte(s)) == nil {
			t.Errorf("UnmarshalJSON(%s) accepted", s)
		}
	}
}

func TestUnitNameDistinct(t *testing.T) {
	// Keys that sanitise to the same text still get different files (the hash suffix).
	a, b := unitName("m-SAM m=8/ρ=0.1"), unitName("m-SAM m=8/σ=0.1")
	if a == b || !strings.HasPrefix(a, "m-SAM_m=8_") || strings.ContainsAny(a, "/ ") {
		t.Fatalf("unitName gave %q and %q", a, b)
	}
	if long := unitName(strings.Repeat("x", 1000)); len(long) > 120 {
		t.Fatalf("unit name of %d bytes", len(long))
	}
}
