package sweep

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/sdeml/sdeml/internal/atomicfile"
	"github.com/sdeml/sdeml/internal/parallel"
)

// Plan is a sweep: a configuration identifier and the units' keys, in the order the caller
// reports them.
type Plan struct {
	// ID identifies everything besides the key that a unit's result depends on (the
	// example's name and the settings of its flags). It is stored in every unit file;
	// resuming or merging a file with another ID is an error.
	ID string
	// Keys are the units' stable, unique, non-empty keys.
	Keys []string
	// Concurrent runs units in parallel (through internal/parallel); otherwise one at a time
	// in plan order, for units that parallelise internally.
	Concurrent bool
}

// Result holds the units of a plan that are known after Run: Values[k] is unit k's result
// if Done[k].
type Result[R any] struct {
	Keys    []string
	Values  []R
	Done    []bool
	Seconds []float64 // wall time of unit k when it was computed (NaN if not done)
	// Computed counts the units computed by this call (the rest were loaded or skipped).
	Computed int
	// Interrupted reports that the context was cancelled before every unit of this shard ran.
	Interrupted bool
}

// Complete reports whether every unit of the plan is done (an unmerged shard of n > 1 is not).
func (r *Result[R]) Complete() bool { return len(r.Missing()) == 0 }

// Missing returns the keys of the units that are not done.
func (r *Result[R]) Missing() []string {
	var m []string
	for k, d := range r.Done {
		if !d {
			m = append(m, r.Keys[k])
		}
	}
	return m
}

// ErrInterrupted is wrapped by Result.Err after a cancelled run.
var ErrInterrupted = errors.New("sweep: interrupted")

// Err returns an error wrapping ErrInterrupted if the run was interrupted, else nil; a
// study example exits non-zero with it after writing its partial outputs.
func (r *Result[R]) Err() error {
	if !r.Interrupted {
		return nil
	}
	n := 0
	for _, d := range r.Done {
		if d {
			n++
		}
	}
	return fmt.Errorf("%w: %d of %d units done; run again with -resume to finish", ErrInterrupted, n, len(r.Done))
}

// Run executes plan under c: it merges (c.Merge), or runs this shard's units, loading
// existing ones when c.Resume, calling fn(ctx, k) for the others and storing each result
// in Dir/units as soon as fn returns. An error from fn stops the sweep (no new units start)
// and is returned with the unit's key, except after ctx is cancelled an error wrapping
// ErrInterrupted or ctx.Err(): that unit stopped early (a long unit that saved its own
// checkpoint to continue from on -resume) and is left not done, as an interruption. After the units, Run writes Dir/timings.csv and, if
// the result is not complete, Dir/PARTIAL with the missing keys (removing a stale one
// otherwise).
func Run[R any](ctx context.Context, c Config, plan Plan, fn func(ctx context.Context, k int) (R, error)) (*Result[R], error) {
	shards, err := c.check()
	if err != nil {
		return nil, err
	}
	if err := checkKeys(plan.Keys); err != nil {
		return nil, err
	}
	n := len(plan.Keys)
	res := &Result[R]{Keys: plan.Keys, Values: make([]R, n), Done: make([]bool, n), Seconds: make([]float64, n)}
	for k := range res.Seconds {
		res.Seconds[k] = math.NaN()
	}
	if err := os.MkdirAll(filepath.Join(c.Dir, "units"), 0o755); err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	if len(c.Merge) > 0 {
		if err := merge(c, plan, res); err != nil {
			return nil, err
		}
	} else if err := runShard(ctx, c, shards, plan, res, fn); err != nil {
		return nil, err
	}
	if err := writeTimings(c.Dir, res.Keys, res.Done, res.Seconds); err != nil {
		return nil, err
	}
	return res, writePartial(c.Dir, res.Missing())
}

func checkKeys(keys []string) error {
	seen := make(map[string]int, len(keys))
	for k, key := range keys {
		if key == "" {
			return fmt.Errorf("sweep: Plan.Keys[%d] is empty", k)
		}
		if j, ok := seen[key]; ok {
			return fmt.Errorf("sweep: Plan.Keys[%d] = %q repeats Keys[%d]", k, key, j)
		}
		seen[key] = k
	}
	return nil
}

func runShard[R any](ctx context.Context, c Config, shards int, plan Plan, res *Result[R], fn func(context.Context, int) (R, error)) error {
	var todo []int
	for k := c.Shard; k < len(plan.Keys); k += shards {
		if c.Resume {
			ok, err := load(c.Dir, plan, k, res)
			if err != nil {
				return err
			}
			if ok {
				continue
			}
		}
		todo = append(todo, k)
	}
	// stop is cancelled by the first failing unit, so no further unit starts.
	stop, cancel := context.WithCancel(ctx)
	defer cancel()
	var mu sync.Mutex
	var firstErr error
	start := time.Now()
	finished := 0
	do := func(_, i int) {
		k := todo[i]
		if stop.Err() != nil {
			return
		}
		t := time.Now()
		v, err := fn(ctx, k)
		secs := time.Since(t).Seconds()
		if err != nil && ctx.Err() != nil && (errors.Is(err, ErrInterrupted) || errors.Is(err, ctx.Err())) {
			return // stopped early by the cancellation, keeping its own checkpoint: not done
		}
		if err == nil {
			err = store(c.Dir, plan.ID, plan.Keys[k], secs, v)
		} else {
			err = fmt.Errorf("unit %q: %w", plan.Keys[k], err)
		}
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			cancel()
			return
		}
		res.Values[k], res.Done[k], res.Seconds[k] = v, true, secs
		res.Computed++
		finished++
		if c.Progress != nil {
			fmt.Fprintf(c.Progress, "[%d/%d] %s  %.1fs (%.1fs elapsed)\n", finished, len(todo), plan.Keys[k], secs, time.Since(start).Seconds())
		}
	}
	if plan.Concurrent {
		parallel.For(len(todo), do)
	} else {
		for i := range todo {
			do(0, i)
		}
	}
	if firstErr != nil {
		return firstErr
	}
	for _, k := range todo {
		if !res.Done[k] {
			res.Interrupted = true
			break
		}
	}
	return nil
}

// store writes unit key's file atomically.
func store(dir, id, key string, secs float64, v any) error {
	b, err := encodeUnit(id, key, secs, v)
	if err != nil {
		return err
	}
	if err := atomicfile.WriteBytes(unitPath(dir, key), 0, b); err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	return nil
}

// load reads unit k from dir into res if its file exists; a file that exists but does not
// decode is an error naming it.
func load[R any](dir string, plan Plan, k int, res *Result[R]) (bool, error) {
	path := unitPath(dir, plan.Keys[k])
	b, err := readUnit(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("sweep: %w", err)
	}
	var v R
	h, err := decodeUnit(b, plan.ID, plan.Keys[k], &v)
	if err != nil {
		return false, fmt.Errorf("sweep: unit file %s: %v", path, err)
	}
	res.Values[k], res.Done[k], res.Seconds[k] = v, true, h.Seconds
	return true, nil
}

// readUnit reads at most maxUnitFile+1 bytes of path, so a huge file is rejected by size
// without reading it all.
func readUnit(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, maxUnitFile+1))
}
