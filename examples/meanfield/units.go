package main

import (
	"context"
	"fmt"

	"github.com/sdeml/sdeml/internal/sweep"
)

// prog holds the -shard, -merge and -resume flags, the context that SIGINT/SIGTERM cancels
// and the first interruption of a sweep, so main writes what exists and exits non-zero. It
// is set up in main. The widths of Experiment A are the sweep's units.
var prog sweep.Program

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
	return sweep.RunIn(&prog, out, "A", sweep.Plan{ID: id, Keys: keys},
		func(_ context.Context, k int) (unitA, error) { return fn(ns[k]), nil })
}
