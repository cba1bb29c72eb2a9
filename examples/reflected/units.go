package main

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/sdeml/sdeml/internal/sweep"
)

// prog holds the -shard, -merge and -resume flags, the context that SIGINT/SIGTERM cancels
// and the first interruption of a sweep, so main writes what exists and exits non-zero. It
// is set up in main. Every (d, D, n, seed) training run is one sweep unit.
var prog sweep.Program

// unitRow is the JSON form of a row, as stored in its unit file. Every field of row has a
// field here (TestUnitRowCoversRow checks the count), so a merged or resumed run has
// the same rows as one computed in place.
type unitRow struct {
	Intrinsic, D, N, Seed, Steps, M             int // Intrinsic is d; M the evaluation size
	F2, NullS                                   sweep.Float
	W1, Floor, FloorMean, FloorN, On, OnFloor   sweep.Float
	Memo                                        sweep.Float
	OffT, OffN, W1None, Loss, LossLast, LossEMA sweep.Float
	TrainS, SampleS                             float64
	Gen, Train                                  []float64
}

func toUnit(r row) unitRow {
	f := func(v float64) sweep.Float { return sweep.Float(v) }
	return unitRow{Intrinsic: r.d, D: r.D, N: r.n, Seed: r.seed, Steps: r.steps, M: r.m, F2: f(r.f2), NullS: f(r.nullS), W1: f(r.w1), Floor: f(r.floor), FloorMean: f(r.floorMean), FloorN: f(r.floorN),
		On: f(r.on), OnFloor: f(r.onFloor), Memo: f(r.memo), OffT: f(r.offT), OffN: f(r.offN), W1None: f(r.w1None),
		Loss: f(r.loss), LossLast: f(r.lossLast), LossEMA: f(r.lossEMA), TrainS: r.trainS, SampleS: r.sampleS,
		Gen: r.gen, Train: r.train}
}

func fromUnit(u unitRow) row {
	return row{d: u.Intrinsic, D: u.D, n: u.N, seed: u.Seed, steps: u.Steps, m: u.M, f2: float64(u.F2), nullS: float64(u.NullS), w1: float64(u.W1), floor: float64(u.Floor), floorMean: float64(u.FloorMean), floorN: float64(u.FloorN),
		on: float64(u.On), onFloor: float64(u.OnFloor), memo: float64(u.Memo), offT: float64(u.OffT), offN: float64(u.OffN),
		w1None: float64(u.W1None), loss: float64(u.Loss), lossLast: float64(u.LossLast), lossEMA: float64(u.LossEMA),
		trainS: u.TrainS, sampleS: u.SampleS, gen: u.Gen, train: u.Train}
}

// sweepID names every setting a run's result depends on besides (d, D, n, seed).
func (c *config) sweepID() string {
	return fmt.Sprintf("reflected estimator=debiased-v3 m1=%d m-nmax=%d nmax=%d scheme=%v exp=%s steps=%d sampler-steps=%d batch=%d m=%d t0=%g hidden=%v freqs=%d lr=%g ema=%g c=%g none=%v",
		c.m1, c.evalM(slicesMax(c.ns)), slicesMax(c.ns), c.scheme, c.exp, c.steps, c.samplerSteps, c.batch, c.m, c.t0, c.hidden, c.freqs, c.lr, c.ema, c.c, c.noneCheck)
}

// sweepRows runs the grid's jobs as one sweep in -out/grid_d<d> and returns the rows that
// are done, in job order; run computes job k.
func (c *config) sweepRows(keys []string, run func(k int) (row, error)) ([]row, error) {
	sub := fmt.Sprintf("grid_d%d", c.d)
	res, err := sweep.RunIn(&prog, c.out, sub, sweep.Plan{ID: c.sweepID(), Keys: keys, Concurrent: true},
		func(_ context.Context, k int) (unitRow, error) {
			r, err := run(k)
			return toUnit(r), err
		})
	if err != nil {
		return nil, err
	}
	var rows []row
	for k, u := range res.Values {
		if res.Done[k] {
			rows = append(rows, fromUnit(u))
		}
	}
	if !res.Complete() {
		fmt.Printf("\nPARTIAL: %d of %d runs (the others are in other shards or not run yet; see %s)\n",
			len(rows), len(keys), filepath.Join(c.out, sub, "PARTIAL"))
	}
	return rows, nil
}
