package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"time"

	"github.com/sdeml/sdeml/sam"
)

// Target A of docs/derivations/sam.md §5: A&F's stochastic diagonal linear network, n = 40,
// p = 100, sparsity 5, batch 20 drawn without replacement each step, SGD step 0.1,
// u₀ = 0.1·1, v₀ = 0, USAM perturbations (ε = ρ g), test loss on 1000 fresh samples.
const (
	dnN, dnTest, dnP, dnR, dnB = 40, 1000, 100, 5, 20
	dnLR, dnAlpha              = 0.1, 0.1
)

func diagMethods() []method {
	usam := func(m int) func(float64, uint64) sam.Optimizer {
		return func(rho float64, _ uint64) sam.Optimizer {
			return &sam.SAM{Base: &sam.SGD{LR: dnLR}, Rho: rho, Micro: m, Norm: sam.Unnormalized}
		}
	}
	rwu := func(k, unit int, temp float64, score func(uint64) sam.Scorer) func(float64, uint64) sam.Optimizer {
		return func(rho float64, seed uint64) sam.Optimizer {
			return &sam.RWSAM{Form: sam.Corrections, Base: &sam.SGD{LR: dnLR}, Rho: rho, Norm: sam.Unnormalized, Temperature: temp,
				Draws: k, Unit: unit, Score: score(seed), Seed: seed}
		}
	}
	rw := func(k int, temp float64, score func(uint64) sam.Scorer) func(float64, uint64) sam.Optimizer {
		return rwu(k, 1, temp, score)
	}
	exact := func(uint64) sam.Scorer { return &sam.ExactNorm{} }
	return []method{
		{"SGD", 0, false, func(float64, uint64) sam.Optimizer { return &sam.SGD{LR: dnLR} }},
		{"n-SAM", 0, true, func(rho float64, _ uint64) sam.Optimizer {
			return &sam.NSAM{Base: &sam.SGD{LR: dnLR}, Rho: rho, Norm: sam.Unnormalized}
		}},
		{"SAM (m=20)", 20, true, usam(0)},
		{"m-SAM m=10", 10, true, usam(10)},
		{"m-SAM m=5", 5, true, usam(5)},
		{"m-SAM m=2", 2, true, usam(2)},
		{"m-SAM m=1", 1, true, usam(1)},
		{"RW-SAM k=1", 0, true, rw(1, 1, exact)},
		{"RW-SAM k=4", 0, true, rw(4, 1, exact)},
		{"RW-SAM k=4 T=∞", 0, true, rw(4, math.Inf(1), exact)},
		{"RW-SAM k=4 stale", 0, true, rw(4, 1, func(uint64) sam.Scorer { return &sam.Stale{} })},
		{"RW-SAM k=4 fd", 0, true, rw(4, 1, func(s uint64) sam.Scorer { return &sam.FiniteDiff{Dirs: 2, Seed: s} })},
		{"RW-SAM k=4 u=2", 0, true, rwu(4, 2, 1, exact)},
		{"RW-SAM Gibbs", 0, true, func(rho float64, seed uint64) sam.Optimizer {
			return &sam.RWSAM{Form: sam.GibbsAscent, Base: &sam.SGD{LR: dnLR}, Rho: rho, Norm: sam.Unnormalized, Seed: seed}
		}},
		{"RW-SAM (zero value, m=4)", 0, true, func(rho float64, seed uint64) sam.Optimizer {
			return &sam.RWSAM{Base: &sam.SGD{LR: dnLR}, Rho: rho, Norm: sam.Unnormalized, Seed: seed}
		}},
		{"RW-SAM EquivM=1", 0, true, func(rho float64, seed uint64) sam.Optimizer {
			return &sam.RWSAM{Base: &sam.SGD{LR: dnLR}, Rho: rho, Norm: sam.Unnormalized, EquivM: 1, Seed: seed}
		}},
	}
}

func runDiagNet(dir string, seeds, steps int, rhos []float64) error {
	start := time.Now()
	ms := keep(diagMethods())
	tasks := make([]*sam.DiagNetTask, seeds)
	for s := range tasks {
		t, err := sam.NewDiagNetTask(rand.NewPCG(uint64(s), 0xd1a9), dnN, dnTest, dnP, dnR)
		if err != nil {
			return err
		}
		tasks[s] = t
	}
	js := jobs(ms, rhos, seeds)
	fmt.Fprintf(os.Stderr, "diagnet: %d runs of %d steps\n", len(js), steps)
	res, st, err := runAll(fmt.Sprintf("msharpness diagnet steps=%d", steps), js, func(j job) run {
		t := tasks[j.seed]
		w := t.Init(dnAlpha)
		opt := j.m.mk(j.rho, uint64(j.seed))
		r := run{method: j.m.name, rho: j.rho, seed: j.seed}
		// The batch sequence depends on the seed only: every method sees the same batches.
		rng := rand.New(rand.NewPCG(uint64(j.seed), 0xba7c4))
		perm := make([]int, dnN)
		for i := range perm {
			perm[i] = i
		}
		for k := 0; k < steps; k++ {
			for i := range dnB {
				q := i + rng.IntN(dnN-i)
				perm[i], perm[q] = perm[q], perm[i]
			}
			if _, err := opt.Step(w, t.Train, perm[:dnB]); err != nil {
				r.err, r.metric, r.loss = err, math.NaN(), math.NaN()
				return r
			}
		}
		if c, ok := opt.(sam.Coster); ok {
			r.cost = c.LastCost()
		}
		r.train = t.Train.LossGrad(nil, w, seq(dnN))
		r.loss = t.Test.LossGrad(nil, w, seq(dnTest))
		r.metric = r.loss
		return r
	})
	if err != nil {
		return err
	}
	all := summarise(ms, res, dnB)
	bst := best(all, true)
	printTable(os.Stdout, st.title(fmt.Sprintf("diagnet: n=%d p=%d r=%d B=%d lr=%g α=%g, %d steps, USAM ascent, %d seeds; best mean test loss over ρ ∈ %v",
		dnN, dnP, dnR, dnB, dnLR, dnAlpha, steps, seeds, rhos)), "test loss", bst)
	if err := writeRuns(outPath(dir, "runs.csv"), res); err != nil {
		return err
	}
	if err := writeSummary(outPath(dir, "summary.csv"), map[string][]summary{"all": all, "best": bst}); err != nil {
		return err
	}
	err = plotVsM(outPath(dir, "test_loss_vs_m.png"), "Stochastic diagonal net: best test loss over ρ (mean of seeds)",
		"test loss", true, map[string][]summary{"best ρ": bst}, []string{"best ρ"}, []int{1, 2, 5, 10, 20})
	fmt.Printf("\nwrote %s/{runs.csv,summary.csv,test_loss_vs_m.png} in %.1fs\n", dir, time.Since(start).Seconds())
	if err != nil {
		return err
	}
	return st.err
}

func seq(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}
