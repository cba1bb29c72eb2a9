package main

import (
	"math"
	"sort"

	"github.com/sdeml/sdeml/sam"
)

// method is one optimizer family; mk builds it for a radius ρ and a seed.
type method struct {
	name string
	m    int // micro-batch size for the plot's x axis (0: drawn as a horizontal line)
	rho  bool
	mk   func(rho float64, seed uint64) sam.Optimizer
}

// run is one training run's result.
type run struct {
	method string
	rho    float64
	seed   int
	metric float64 // test loss (diagnet) or test accuracy in % (mnist); NaN if diverged
	loss   float64 // test loss
	train  float64 // final training loss
	cost   sam.Cost
	secs   float64
	err    error
}

type job struct {
	m    method
	rho  float64
	seed int
}

// jobs lists every (method, ρ, seed) combination.
func jobs(ms []method, rhos []float64, seeds int) []job {
	var js []job
	for s := range seeds {
		for _, m := range ms {
			if !m.rho {
				js = append(js, job{m, 0, s})
				continue
			}
			for _, r := range rhos {
				js = append(js, job{m, r, s})
			}
		}
	}
	return js
}

// summary is one method's statistics at one ρ over seeds.
type summary struct {
	method      string
	m           int
	rho         float64
	mean, sd    float64
	n, diverged int
	passes      float64 // sample-passes per step / B
	serial      float64
	secs        float64
}

// summarise groups runs by (method, ρ) and returns the per-ρ statistics in method order.
func summarise(ms []method, res []run, batch int) []summary {
	var out []summary
	for _, m := range ms {
		byRho := map[float64][]run{}
		var keys []float64
		for _, r := range res {
			if r.method != m.name {
				continue
			}
			if _, ok := byRho[r.rho]; !ok {
				keys = append(keys, r.rho)
			}
			byRho[r.rho] = append(byRho[r.rho], r)
		}
		sort.Float64s(keys)
		for _, rho := range keys {
			rs := byRho[rho]
			s := summary{method: m.name, m: m.m, rho: rho}
			var vals []float64
			for _, r := range rs {
				s.secs += r.secs / float64(len(rs))
				if math.IsNaN(r.metric) || r.err != nil {
					s.diverged++
					continue
				}
				vals = append(vals, r.metric)
				s.passes = float64(r.cost.BackwardSamples) / float64(batch)
				s.serial = float64(r.cost.Serial)
			}
			s.n = len(vals)
			s.mean, s.sd = meanSD(vals)
			if s.diverged > 0 {
				s.mean = math.NaN()
			}
			out = append(out, s)
		}
	}
	return out
}

func meanSD(v []float64) (float64, float64) {
	if len(v) == 0 {
		return math.NaN(), math.NaN()
	}
	var m float64
	for _, x := range v {
		m += x
	}
	m /= float64(len(v))
	if len(v) == 1 {
		return m, 0
	}
	var s float64
	for _, x := range v {
		s += (x - m) * (x - m)
	}
	return m, math.Sqrt(s / float64(len(v)-1))
}

// best returns, per method, the summary with the best mean (lower if lowerBetter);
// runs with a diverged seed are excluded.
func best(ss []summary, lowerBetter bool) []summary {
	var out []summary
	idx := map[string]int{}
	for _, s := range ss {
		if math.IsNaN(s.mean) {
			continue
		}
		i, ok := idx[s.method]
		if !ok {
			idx[s.method] = len(out)
			out = append(out, s)
			continue
		}
		if (lowerBetter && s.mean < out[i].mean) || (!lowerBetter && s.mean > out[i].mean) {
			out[i] = s
		}
	}
	return out
}

// at returns, per method, the summary at ρ = rho (methods without ρ: their only entry).
func at(ss []summary, ms []method, rho float64) []summary {
	var out []summary
	for _, m := range ms {
		for _, s := range ss {
			if s.method == m.name && (!m.rho || s.rho == rho) {
				out = append(out, s)
			}
		}
	}
	return out
}
