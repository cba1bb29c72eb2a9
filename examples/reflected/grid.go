package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/sdeml/sdeml/internal/ot"
	"github.com/sdeml/sdeml/internal/parallel"
	"github.com/sdeml/sdeml/reflected"
	"github.com/sdeml/sdeml/sam"
)

// row is one (D, n, seed) training run and its evaluation.
type row struct {
	d, D, n, seed int
	m             int     // evaluation size (study: generated points; d ≥ 2 also reference points)
	steps         int     // training steps of this run (the study's budget check doubles them)
	f2, nullS     float64 // study: the debiased estimator's F̂² and null RMS s (debias.go)
	w1, floor     float64 // exact W1(gen, ref) and W1(ref′, ref), m points each
	floorMean     float64 // mean floor over independent reference pairs
	floorN        float64 // W1 between the training set and an independent sample of the same size n (study: mean over floorNPairs samples, on the coordinates)
	on            float64 // on-subspace W1 (d = 1: exact, against the law of Z; d = 2: LSAP vs ref)
	onFloor       float64 // on-subspace floor (d = 1: mean exact W1 of m reference coordinates to the law)
	memo          float64 // memorisation baseline: on-subspace W1 of the training set
	offT          float64 // mean distance to the subspace, Final = Tweedie
	offN          float64 // same with Final = None
	w1None        float64 // exact W1(gen, ref) with Final = None
	loss          float64 // DSM loss over the last 10% of steps
	lossLast      float64 // DSM loss of the last iterate on all training points (EMA runs only)
	lossEMA       float64 // same for the EMA parameters used for sampling (EMA runs only)
	trainS        float64 // training seconds
	sampleS       float64 // sampling seconds (both finals)
	gen           []float64
	train         []float64
}

// Random streams. Every draw comes from parallel.Stream(baseSeed, index) with a distinct
// index per (purpose, seed, D, n), so streams are independent (raw PCG seeds that differ in
// a few bits are not). The training and reference streams do not depend on D, so every D
// sees the same training coordinates z and the same reference coordinates.
const baseSeed = 20260325

const (
	kindTrain = iota + 1
	kindRef
	kindRef2
	kindInit
	kindDSM
	kindSampler
	kindMemo
	kindFloor
	kindFloorN
	kindValid
)

func streamIndex(kind, seed, D, n int) int { return ((kind*1009+seed)*1009+D)*100003 + n }

// kind returns the stream kind k for the configuration's intrinsic dimension: k itself for
// d = 1 (the streams of Experiment A), shifted by 100·(d − 1) otherwise, so that targets of
// different d draw independent training sets and references.
func (c *config) kind(k int) int { return k + 100*(c.d-1) }

func stream(kind, seed, D, n int) rand.Source {
	return parallel.Stream(baseSeed, streamIndex(kind, seed, D, n))
}

func seedFor(kind, seed, D, n int) uint64 {
	return baseSeed + uint64(streamIndex(kind, seed, D, n))
}

// floorPairs is the number of independent reference pairs averaged into the floor. The W1
// of two samples is itself very noisy (for m = 2000 on the unit segment single values range
// over 0.005–0.02 around the mean ≈ 0.0099), so one pair is a poor yardstick.
const floorPairs = 20

// floorNPairs is the number of independent n-samples behind the study's empirical-measure
// rate (one pair scatters by 30–50% for d = 1).
const floorNPairs = 4

// references holds the two reference samples of one (D, seed) and the floors.
type references struct {
	ref, ref2 []float64
	refZ      []float64
	floor     float64  // W1(ref′, ref) of this pair, by LSAP
	floorMean float64  // mean W1 of floorPairs independent pairs (d = 1: exact by sorting the coordinates, the points being on a line; d = 2: 3 LSAP pairs)
	null      nullStat // study: the debiased estimator's null statistics
	onRef     float64  // on-subspace error of a reference sample (d = 1: mean over floorPairs samples of the exact W1 to the law)
}

func (c *config) references(target *reflected.Subspace, seed int) (*references, error) {
	D := target.Dim()
	if c.exp == "study" && c.d == 1 {
		// d = 1: the exact on-segment estimator needs no reference sample (debias.go); the
		// null statistics are taken per run at its evaluation size (run).
		return &references{floor: math.NaN(), floorMean: math.NaN(), onRef: math.NaN()}, nil
	}
	if c.exp == "study" {
		// The study's floor is that of the debiased estimator (debias.go), from null pairs
		// computed once per (d, seed, m) on the coordinates (run). The reference sample has
		// the largest evaluation size; a run of size m uses its first m points (an
		// independent m-sample: the points are drawn one after another from one stream).
		r := &references{ref: make([]float64, c.maxEvalM()*D)}
		target.Sample(r.ref, stream(c.kind(kindRef), seed, 0, 0))
		r.refZ = target.AllCoordinates(r.ref)
		r.floor, r.floorMean, r.onRef = math.NaN(), math.NaN(), math.NaN()
		return r, nil
	}
	r := &references{ref: make([]float64, c.m*D), ref2: make([]float64, c.m*D)}
	target.Sample(r.ref, stream(c.kind(kindRef), seed, 0, 0))
	target.Sample(r.ref2, stream(c.kind(kindRef2), seed, 0, 0))
	var err error
	if r.floor, err = reflected.W1(r.ref, r.ref2, D); err != nil {
		return nil, err
	}
	r.refZ = target.AllCoordinates(r.ref)
	pairs := floorPairs
	if c.d > 1 {
		pairs = 3 // LSAP pairs cost O(m³); sorting (d = 1) is cheap
	}
	a, b := make([]float64, c.m*D), make([]float64, c.m*D)
	for k := 0; k < pairs; k++ {
		target.Sample(a, stream(c.kind(kindFloor), seed, 2*k, 0))
		target.Sample(b, stream(c.kind(kindFloor), seed, 2*k+1, 0))
		var f, on float64
		if c.d == 1 {
			za := target.AllCoordinates(a)
			if f, err = ot.W1Sorted1D(za, target.AllCoordinates(b), nil); err != nil {
				return nil, err
			}
			if on, err = target.Density.W1ToLaw1D(za); err != nil {
				return nil, err
			}
		} else {
			if f, err = reflected.W1(a, b, D); err != nil {
				return nil, err
			}
			if on, err = ot.W1(target.AllCoordinates(a), target.AllCoordinates(b), c.d, nil); err != nil {
				return nil, err
			}
		}
		r.floorMean += f / float64(pairs)
		r.onRef += on / float64(pairs)
	}
	return r, nil
}

// onW1 returns the on-subspace W1 of sample x (n×D) against the data law: exact for d = 1,
// LSAP against the first n reference coordinates for d = 2.
func (c *config) onW1(target *reflected.Subspace, x []float64, refs *references) (float64, error) {
	z := target.AllCoordinates(x)
	if c.d == 1 {
		return target.Density.W1ToLaw1D(z)
	}
	k := min(len(z), len(refs.refZ)) / c.d
	return ot.W1(z[:k*c.d], refs.refZ[:k*c.d], c.d, nil)
}

// run trains and evaluates one (D, n, seed).
func (c *config) run(D, n, seed, steps int, refs *references) (row, error) {
	target, err := c.target(D)
	if err != nil {
		return row{}, err
	}
	r := row{d: c.d, D: D, n: n, seed: seed, steps: steps, m: c.m, floor: refs.floor, floorMean: refs.floorMean, onFloor: refs.onRef,
		f2: refs.null.f2, nullS: refs.null.s}
	if c.exp == "study" {
		r.m = c.evalM(n)
		ns, err := c.nullFloor(target, seed, r.m)
		if err != nil {
			return r, err
		}
		r.f2, r.nullS, r.floorMean = ns.f2, ns.s, ns.mean
		if c.d == 1 {
			r.onFloor = ns.mean
		}
	}
	r.train = make([]float64, n*D)
	target.Sample(r.train, stream(c.kind(kindTrain), seed, 0, n))
	net, err := reflected.NewScoreNet(D, c.hidden, reflected.TimeEmbedding{Freqs: c.freqs}, stream(c.kind(kindInit), seed, D, n))
	if err != nil {
		return r, err
	}
	t0 := time.Now()
	opt := &sam.Adam{LR: c.lr, Schedule: sam.Cosine{Total: steps, Floor: 0.01}}
	res, err := reflected.Train(net, r.train, opt, &reflected.TrainSettings{
		Steps: steps, Batch: c.batch, T0: c.t0, EMA: emaSetting(c.ema), Seed: seedFor(c.kind(kindDSM), seed, D, n)})
	if err != nil {
		return r, fmt.Errorf("D = %d, n = %d: %w", D, n, err)
	}
	r.loss, r.lossLast, r.lossEMA, r.trainS = res.Loss, res.LastLoss, res.EMALoss, time.Since(t0).Seconds()
	t0 = time.Now()
	sseed := seedFor(c.kind(kindSampler), seed, D, n)
	r.gen = make([]float64, r.m*D)
	if err := c.sampler(reflected.FinalTweedie).Sample(r.gen, net, sseed); err != nil {
		return r, err
	}
	var none []float64
	if c.noneCheck {
		none = make([]float64, c.m*D)
		if err := c.sampler(reflected.FinalNone).Sample(none, net, sseed); err != nil {
			return r, err
		}
	}
	r.sampleS = time.Since(t0).Seconds()
	if c.exp == "study" && c.d == 1 {
		// The exact on-segment W1 against the law of Z: the study's d = 1 estimator.
		r.w1, err = c.onW1(target, r.gen, refs)
	} else {
		r.w1, err = reflected.W1(r.gen, refs.ref[:r.m*D], D)
	}
	if err != nil {
		return r, err
	}
	r.w1None, r.offN = math.NaN(), math.NaN()
	if none != nil {
		if r.w1None, err = reflected.W1(none, refs.ref[:len(none)], D); err != nil {
			return r, err
		}
		r.offN = target.MeanOffDistance(none)
	}
	if c.exp == "study" {
		// The empirical-measure rate: W1 between the training set and independent n-samples
		// (on the coordinates, which is the same distance), averaged over floorNPairs draws;
		// for d = 1 the exact W1 of the training set to the law.
		z := target.AllCoordinates(r.train)
		for k := 0; k < floorNPairs && c.d > 1; k++ {
			w, err := coordW1(z, sampleZ(target, n, stream(c.kind(kindFloorN), seed, k, n)), c.d)
			if err != nil {
				return r, err
			}
			r.floorN += w / floorNPairs
		}
		r.offT = target.MeanOffDistance(r.gen)
		r.on, r.memo = math.NaN(), math.NaN()
		if c.d == 1 { // exact against the law of Z; for d ≥ 2 the on-subspace W1 has the same floor problem as W1
			if r.on, err = c.onW1(target, r.gen, refs); err != nil {
				return r, err
			}
			if r.memo, err = c.onW1(target, r.train, refs); err != nil {
				return r, err
			}
			r.floorN = r.memo
		}
		r.gen, r.train = nil, nil // the study plots no samples; keeps the unit files small
		return r, nil
	}
	if r.on, err = c.onW1(target, r.gen, refs); err != nil {
		return r, err
	}
	if r.memo, err = c.onW1(target, r.train, refs); err != nil {
		return r, err
	}
	r.offT = target.MeanOffDistance(r.gen)
	return r, nil
}

// grid runs every (D, n, seed) as one sweep (internal/sweep: -shard, -merge, -resume;
// units run two at a time on the available cores, each with its own training run) and
// returns the rows that are done in (D, seed, n) order. The references of a (D, seed) are
// computed once, when a run first needs them.
func grid(c *config) ([]row, error) {
	type job struct{ D, n, seed, steps int }
	type refOnce struct {
		once sync.Once
		r    *references
		err  error
	}
	var jobs []job
	var keys []string
	refs := map[[2]int]*refOnce{}
	for _, D := range c.Ds {
		for s := 1; s <= c.seeds; s++ {
			refs[[2]int{D, s}] = new(refOnce)
			for _, n := range c.ns {
				jobs = append(jobs, job{D, n, s, c.steps})
				keys = append(keys, fmt.Sprintf("d=%d/D=%d/n=%d/seed=%d", c.d, D, n, s))
			}
		}
	}
	// The budget check (study, -budget > 1): the largest n again with the training budget
	// multiplied, same data, initialisation, DSM noise, sampler seed and reference.
	if c.exp == "study" && c.budget > 1 {
		nmax := slicesMax(c.ns)
		for _, D := range c.Ds {
			for s := 1; s <= c.seeds; s++ {
				jobs = append(jobs, job{D, nmax, s, c.budget * c.steps})
				keys = append(keys, fmt.Sprintf("d=%d/D=%d/n=%d/seed=%d/steps=%d", c.d, D, nmax, s, c.budget*c.steps))
			}
		}
	}
	return c.sweepRows(keys, func(i int) (row, error) {
		j := jobs[i]
		ro := refs[[2]int{j.D, j.seed}]
		ro.once.Do(func() {
			target, err := c.target(j.D)
			if err != nil {
				ro.err = err
				return
			}
			ro.r, ro.err = c.references(target, j.seed)
		})
		if ro.err != nil {
			return row{}, ro.err
		}
		r, err := c.run(j.D, j.n, j.seed, j.steps, ro.r)
		if err == nil {
			fmt.Printf("  d=%d D=%-2d n=%-5d seed=%d steps=%-5d  W1 %.4f (floor %.4f)  on %.4f  memo %.4f  train %.1fs  sample %.1fs\n",
				c.d, j.D, j.n, j.seed, j.steps, r.w1, r.floorMean, r.on, r.memo, r.trainS, r.sampleS)
		}
		return r, err
	})
}

// emaSetting maps the -ema flag to TrainSettings.EMA: 0 means the last iterate (EMAOff),
// since TrainSettings.EMA = 0 now selects the default average.
func emaSetting(e float64) float64 {
	if e == 0 {
		return reflected.EMAOff
	}
	return e
}
