package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/sdeml/sdeml/internal/parallel"
	"github.com/sdeml/sdeml/reflected"
	"github.com/sdeml/sdeml/sam"
)

// variant is one row of the ablation: a training recipe.
type variant struct {
	name   string
	param  reflected.Param
	weight reflected.Weighting
	times  reflected.TimeDist
	ema    float64
	warmup bool
	res    bool // the residual adaptive-LayerNorm network (NewResScoreNet, width 128, 3 blocks)
}

// baseline is the earlier default: plain parametrisation, λ(t) = t, log-uniform times, no
// EMA, Adam with cosine decay and no warm-up.
var baseline = variant{name: "baseline (earlier default)", param: reflected.ParamPlain, weight: reflected.WeightT, times: reflected.LogUniform{}, ema: reflected.EMAOff}

// recipe is the full recipe: every ingredient on.
var recipe = variant{name: "recipe (all)", param: reflected.ParamPrecond, weight: reflected.WeightUnit, times: reflected.LogNormal{}, ema: 0, warmup: true}

// defaultRecipe is the default of reflected.Train (the ablation's winner).
var defaultRecipe = variant{name: "default (precond, λ = t, log-uniform, EMA, warm-up)", param: reflected.ParamPrecond,
	weight: reflected.WeightT, times: reflected.LogUniform{}, ema: 0, warmup: true}

// variants returns the baseline, each ingredient added alone, the full recipe, and the full
// recipe with each ingredient removed.
func variants() []variant {
	b, r := baseline, recipe
	v := []variant{b}
	add := func(name string, f func(*variant)) {
		x := b
		x.name = "+ " + name
		f(&x)
		v = append(v, x)
	}
	drop := func(name string, f func(*variant)) {
		x := r
		x.name = "recipe − " + name
		f(&x)
		v = append(v, x)
	}
	add("precond", func(x *variant) { x.param = reflected.ParamPrecond })
	add("unit weight", func(x *variant) { x.weight = reflected.WeightUnit })
	add("log-normal t", func(x *variant) { x.times = reflected.LogNormal{} })
	add("EMA", func(x *variant) { x.ema = 0 })
	add("warm-up", func(x *variant) { x.warmup = true })
	v = append(v, r)
	drop("precond", func(x *variant) { x.param = reflected.ParamPlain })
	drop("unit weight", func(x *variant) { x.weight = reflected.WeightT })
	drop("log-normal t", func(x *variant) { x.times = reflected.LogUniform{} })
	drop("EMA", func(x *variant) { x.ema = reflected.EMAOff })
	drop("warm-up", func(x *variant) { x.warmup = false })
	v = append(v, defaultRecipe)
	res := defaultRecipe
	res.name, res.res = "default, residual net 128×3", true
	v = append(v, res)
	return v
}

// ablationConfig is the setting of -task ablation.
type ablationConfig struct {
	D, d, n, seeds, steps, m, held, samplerSteps int
	lr                                           float64
	hidden                                       []int
	only                                         string
}

// ablationRow is one (variant, seed) result.
type ablationRow struct {
	variant           string
	seed              int
	heldLoss, w1, off float64
	floor             float64
	trainS            float64
	heldLossByBand    [3]float64
}

// optimizer returns the Adam of a variant: the same LR and cosine decay; warm-up prepends a
// linear ramp over steps/20 updates (as DefaultOptimizer).
func (c *ablationConfig) optimizer(v variant) sam.Optimizer {
	if v.warmup {
		o := reflected.DefaultOptimizer(c.steps)
		o.LR = c.lr
		return o
	}
	return &sam.Adam{LR: c.lr, Schedule: sam.Cosine{Total: c.steps, Floor: 0.01}}
}

// heldOutLoss returns the DSM risk of model on held-out points in the common yardstick
// λ(t) = t with t log-uniform on [t0, T] (the explicit score-matching risk up to a constant
// that does not depend on the model), overall and in three bands of log t, averaged over
// reps noise draws per point.
func heldOutLoss(model reflected.ScoreModel, held []float64, D int, t0, T float64, seed uint64) (float64, [3]float64) {
	n := len(held) / D
	const reps = 8
	rows := n * reps
	x := make([]float64, rows*D)
	tg := make([]float64, rows*D)
	ts := make([]float64, rows)
	band := make([]int, rows)
	span := math.Log(T / t0)
	for r := 0; r < rows; r++ {
		rnd := rand.New(parallel.Stream(seed, r))
		u := rnd.Float64()
		t := t0 * math.Exp(span*u)
		ts[r], band[r] = t, min(int(3*u), 2)
		y := held[(r%n)*D : (r%n)*D+D]
		st := math.Sqrt(t)
		for j, yj := range y {
			xv := reflected.Fold(yj + st*rnd.NormFloat64())
			x[r*D+j] = xv
			tg[r*D+j] = reflected.Score1D(xv, yj, t)
		}
	}
	s := make([]float64, rows*D)
	model.Score(s, x, ts)
	var sum float64
	var bs, bn [3]float64
	for r := 0; r < rows; r++ {
		var l float64
		for j := 0; j < D; j++ {
			e := s[r*D+j] - tg[r*D+j]
			l += e * e
		}
		l *= ts[r]
		sum += l
		bs[band[r]] += l
		bn[band[r]]++
	}
	for b := range bs {
		bs[b] /= bn[b]
	}
	return sum / float64(rows), bs
}

// ablation trains every variant on the same data, initialisation and DSM seed, then reports
// the held-out DSM risk and W1 of the samples.
func ablation(c *ablationConfig) ([]ablationRow, error) {
	target, err := targetFor(c.D, c.d)
	if err != nil {
		return nil, err
	}
	var rows []ablationRow
	vs := variants()
	for seed := 1; seed <= c.seeds; seed++ {
		train := make([]float64, c.n*c.D)
		target.Sample(train, parallel.Stream(uint64(seed), 1))
		held := make([]float64, c.held*c.D)
		target.Sample(held, parallel.Stream(uint64(seed), 2))
		ref := make([]float64, c.m*c.D)
		target.Sample(ref, parallel.Stream(uint64(seed), 3))
		ref2 := make([]float64, c.m*c.D)
		target.Sample(ref2, parallel.Stream(uint64(seed), 4))
		floor, err := reflected.W1(ref, ref2, c.D)
		if err != nil {
			return nil, err
		}
		for _, v := range vs {
			if c.only != "" && c.only != v.name {
				continue
			}
			var net *reflected.ScoreNet
			if v.res {
				net, err = reflected.NewResScoreNet(c.D, c.hidden[0], len(c.hidden), reflected.TimeEmbedding{Freqs: 8}, parallel.Stream(uint64(seed), 5))
			} else {
				net, err = reflected.NewScoreNet(c.D, c.hidden, reflected.TimeEmbedding{Freqs: 8}, parallel.Stream(uint64(seed), 5))
			}
			if err != nil {
				return nil, err
			}
			start := time.Now()
			_, err = reflected.Train(net, train, c.optimizer(v), &reflected.TrainSettings{
				Steps: c.steps, Batch: 128, Seed: uint64(seed), Param: v.param, Weighting: v.weight, Times: v.times, EMA: v.ema})
			if err != nil {
				return nil, fmt.Errorf("%s, seed %d: %w", v.name, seed, err)
			}
			r := ablationRow{variant: v.name, seed: seed, floor: floor, trainS: time.Since(start).Seconds()}
			r.heldLoss, r.heldLossByBand = heldOutLoss(net, held, c.D, 2e-4, reflected.MixingTime(c.D, 1e-3), uint64(1000+seed))
			gen := make([]float64, c.m*c.D)
			smp := &reflected.Sampler{Steps: c.samplerSteps, Final: reflected.FinalTweedie}
			if err := smp.Sample(gen, net, uint64(2000+seed)); err != nil {
				return nil, fmt.Errorf("%s: %w", v.name, err)
			}
			if r.w1, err = reflected.W1(gen, ref, c.D); err != nil {
				return nil, err
			}
			r.off = target.MeanOffDistance(gen)
			fmt.Printf("seed %d  %-28s held %.4f [%.3f %.3f %.3f]  W1 %.4f  off %.4f  floor %.4f  (%.0fs)\n",
				seed, v.name, r.heldLoss, r.heldLossByBand[0], r.heldLossByBand[1], r.heldLossByBand[2], r.w1, r.off, floor, r.trainS)
			rows = append(rows, r)
		}
	}
	return rows, nil
}

// targetFor returns the study's target: the diagonal segment for d = 1, CentredBox for d ≥ 2,
// with density ∝ 1 + ½ cos 2πz per coordinate.
func targetFor(D, d int) (*reflected.Subspace, error) {
	if d == 1 {
		return reflected.DiagonalSegment(D, 0.5)
	}
	return reflected.CentredBox(D, d, 0.5)
}
