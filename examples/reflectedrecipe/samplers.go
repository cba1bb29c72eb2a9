package main

import (
	"fmt"
	"math"
	"time"

	"github.com/sdeml/sdeml/internal/parallel"
	"github.com/sdeml/sdeml/reflected"
)

// samplerConfig is the setting of -task samplers.
type samplerConfig struct {
	D, n, trainSteps, m, seeds int
	steps                      []int
	hidden                     []int
	exact                      bool
}

// samplerRow is one (model, scheme, steps) point, averaged over sampler seeds.
type samplerRow struct {
	model, scheme     string
	steps, evals      int
	w1, w1se, on, off float64
	floor             float64
	seconds           float64
}

// samplerSchemes are the samplers compared: name, scheme, corrector steps.
var samplerSchemes = []struct {
	name   string
	scheme reflected.Scheme
	corr   int
}{
	{"em", reflected.SchemeEM, 0},
	{"heun", reflected.SchemeHeun, 0},
	{"ode", reflected.SchemeODE, 0},
	{"em+pc1", reflected.SchemeEM, 1},
}

// samplerCurves trains the default-recipe model and the earlier-default model on the 2-D
// diagonal segment, then samples each with every scheme and step count, and (with exact)
// also drives the samplers with the exact quadrature score of the target.
func samplerCurves(c *samplerConfig) ([]samplerRow, error) {
	target, err := reflected.DiagonalSegment(c.D, 0.5)
	if err != nil {
		return nil, err
	}
	train := make([]float64, c.n*c.D)
	target.Sample(train, parallel.Stream(11, 1))
	models := []struct {
		name  string
		model reflected.ScoreModel
	}{}
	for _, v := range []variant{defaultRecipe, baseline} {
		net, err := reflected.NewScoreNet(c.D, c.hidden, reflected.TimeEmbedding{Freqs: 8}, parallel.Stream(11, 2))
		if err != nil {
			return nil, err
		}
		a := &ablationConfig{steps: c.trainSteps, lr: 2e-3}
		if _, err := reflected.Train(net, train, a.optimizer(v), &reflected.TrainSettings{Steps: c.trainSteps, Seed: 11,
			Param: v.param, Weighting: v.weight, Times: v.times, EMA: v.ema}); err != nil {
			return nil, err
		}
		models = append(models, struct {
			name  string
			model reflected.ScoreModel
		}{v.name, net})
	}
	if c.exact {
		q, err := reflected.NewQuadratureScore(target)
		if err != nil {
			return nil, err
		}
		models = append(models, struct {
			name  string
			model reflected.ScoreModel
		}{"exact score", q})
	}
	var rows []samplerRow
	for _, md := range models {
		for _, sc := range samplerSchemes {
			for _, k := range c.steps {
				if (md.name == "exact score" || sc.name != "em") && k > 400 {
					continue // the long grids only for EM with the trained models
				}
				s := &reflected.Sampler{Steps: k, Scheme: sc.scheme, Corrector: sc.corr, Final: reflected.FinalTweedie}
				r := samplerRow{model: md.name, scheme: sc.name, steps: k}
				if r.evals, err = s.Evaluations(c.D); err != nil {
					return nil, err
				}
				start := time.Now()
				var w1s []float64
				for seed := 1; seed <= c.seeds; seed++ {
					gen := make([]float64, c.m*c.D)
					if err := s.Sample(gen, md.model, uint64(100+seed)); err != nil {
						return nil, err
					}
					ref := make([]float64, c.m*c.D)
					target.Sample(ref, parallel.Stream(uint64(seed), 3))
					w1, err := reflected.W1(gen, ref, c.D)
					if err != nil {
						return nil, err
					}
					on, err := target.Density.W1ToLaw1D(target.AllCoordinates(gen))
					if err != nil {
						return nil, err
					}
					w1s = append(w1s, w1)
					r.on += on / float64(c.seeds)
					r.off += target.MeanOffDistance(gen) / float64(c.seeds)
					if md.name == models[0].name && sc.name == "em" && k == c.steps[0] {
						ref2 := make([]float64, c.m*c.D)
						target.Sample(ref2, parallel.Stream(uint64(seed), 4))
						f, _ := reflected.W1(ref, ref2, c.D)
						r.floor += f / float64(c.seeds)
					}
				}
				r.w1, r.w1se = meanSE(w1s)
				r.seconds = time.Since(start).Seconds()
				fmt.Printf("%-26s %-7s steps %4d evals %5d  W1 %.4f ± %.4f  on-curve %.4f  off %.5f  (%.1fs)\n",
					r.model, r.scheme, r.steps, r.evals, r.w1, r.w1se, r.on, r.off, r.seconds)
				if r.floor > 0 {
					fmt.Printf("  W1 floor (two references of %d points): %.4f\n", c.m, r.floor)
				}
				rows = append(rows, r)
			}
		}
	}
	return rows, nil
}

// meanSE returns the mean and its standard error.
func meanSE(x []float64) (float64, float64) {
	var m, v float64
	for _, a := range x {
		m += a / float64(len(x))
	}
	if len(x) < 2 {
		return m, math.NaN()
	}
	for _, a := range x {
		v += (a - m) * (a - m) / float64(len(x)-1)
	}
	return m, math.Sqrt(v / float64(len(x)))
}
