package main

import (
	"context"
	"fmt"
	"math"
	"os"

	"github.com/sdeml/sdeml/internal/sweep"
	"github.com/sdeml/sdeml/sam"
)

// sweepCfg holds the -shard, -merge and -resume flags and the task's output folder;
// sweepCtx is cancelled by SIGINT/SIGTERM. Both are set in main.
var (
	sweepCfg sweep.Config
	sweepCtx = context.Background()
)

// unitResult is what a unit file stores for one run (the JSON form of run).
type unitResult struct {
	Metric, Loss, Train sweep.Float
	Cost                sam.Cost
	Err                 string
}

// key names a job's unit; it is stable across runs and shards.
func (j job) key() string { return fmt.Sprintf("%s/rho=%g/seed=%d", j.m.name, j.rho, j.seed) }

// status says whether a task's outputs cover the whole sweep.
type status struct {
	done, total int
	err         error // non-nil after an interruption (sweep.ErrInterrupted)
}

// title appends a PARTIAL note to a table title when units are missing.
func (s status) title(t string) string {
	if s.done == s.total {
		return t
	}
	return fmt.Sprintf("%s [PARTIAL: %d of %d runs]", t, s.done, s.total)
}

// runAll runs the jobs as one sweep (one unit per job, units in parallel, each owning its
// optimizer and parameters) under the -shard/-merge/-resume flags, and returns the runs
// that are done, in job order. id must name every setting besides the job that a run's
// result depends on.
func runAll(id string, js []job, fn func(job) run) ([]run, status, error) {
	keys := make([]string, len(js))
	for i, j := range js {
		keys[i] = j.key()
	}
	c := sweepCfg
	c.Progress = os.Stderr
	r, err := sweep.Run(sweepCtx, c, sweep.Plan{ID: id, Keys: keys, Concurrent: true},
		func(_ context.Context, i int) (unitResult, error) {
			x := fn(js[i])
			u := unitResult{Metric: sweep.Float(x.metric), Loss: sweep.Float(x.loss), Train: sweep.Float(x.train), Cost: x.cost}
			if x.err != nil {
				u.Err = x.err.Error()
			}
			return u, nil
		})
	if err != nil {
		return nil, status{}, err
	}
	var res []run
	for i, j := range js {
		if !r.Done[i] {
			continue
		}
		u := r.Values[i]
		x := run{method: j.m.name, rho: j.rho, seed: j.seed, metric: float64(u.Metric), loss: float64(u.Loss),
			train: float64(u.Train), cost: u.Cost, secs: r.Seconds[i]}
		if u.Err != "" {
			x.err = unitError(u.Err)
		}
		if math.IsNaN(x.secs) {
			x.secs = 0
		}
		res = append(res, x)
	}
	return res, status{done: len(res), total: len(js), err: r.Err()}, nil
}

// unitError is a run's error as stored in its unit file.
type unitError string

func (e unitError) Error() string { return string(e) }
