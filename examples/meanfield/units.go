package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/sdeml/sdeml/internal/sweep"
)

// sweepCfg holds the -shard, -merge and -resume flags; sweepCtx is cancelled by
// SIGINT/SIGTERM; sweepErr records an interruption, so main writes what exists and exits
// non-zero. All are set in main. The widths of Experiment A are the sweep's units.
var (
	sweepCfg sweep.Config
	sweepCtx = context.Background()
	sweepErr error
)

// unitA is Experiment A at one width N, one entry per replicate r, as stored in its unit file.
type unitA struct {
	Coup, RMS, Max, Sup, Field, W1, W1T []float64
	W2                                  []float64   // exact W2 of the first replicates (N <= 1024), else 0
	Finals, Feats                       [][]float64 // fields at T on the quadrature points; control-variate features
	Last                                []float64   // replicate 0's particles at T (the marginal plot)
}

// sweepA runs Experiment A's widths as one sweep in folder out/A (key "N=<N>", settings
// id) and returns the units and which are done; fn computes one width.
func sweepA(out, id string, ns []int, fn func(N int) unitA) (*sweep.Result[unitA], error) {
	keys := make([]string, len(ns))
	for i, N := range ns {
		keys[i] = fmt.Sprintf("N=%d", N)
	}
	c := sweepCfg
	c.Dir = filepath.Join(out, "A")
	c.Progress = os.Stderr
	c.Merge = nil
	for _, d := range sweepCfg.Merge {
		c.Merge = append(c.Merge, filepath.Join(d, "A"))
	}
	r, err := sweep.Run(sweepCtx, c, sweep.Plan{ID: id, Keys: keys},
		func(_ context.Context, k int) (unitA, error) { return fn(ns[k]), nil })
	if err != nil {
		return nil, err
	}
	if err := r.Err(); err != nil {
		sweepErr = err
	}
	return r, nil
}
