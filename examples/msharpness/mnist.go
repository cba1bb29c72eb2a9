package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"time"

	"github.com/sdeml/sdeml/nn"
	"github.com/sdeml/sdeml/nn/data"
	"github.com/sdeml/sdeml/sam"
)

// Target B of docs/derivations/sam.md §5: a 784-h-10 ReLU MLP on the first `train` MNIST training
// images, batch 128, SGD momentum 0.9, lr 0.05 with cosine decay, weight decay 5e-4 in the
// base step (not in the ascent), normalized (SAM-form) perturbations.
type mnistConfig struct {
	seeds, epochs, train, test, hidden int
	rhos                               []float64
	fixed                              float64
}

const mnB = 128

func mnistMethods(total, n int) []method {
	base := func() sam.Updater {
		return &sam.SGD{LR: 0.05, Momentum: 0.9, WeightDecay: 5e-4, Schedule: sam.Cosine{Total: total}}
	}
	msam := func(m int) func(float64, uint64) sam.Optimizer {
		return func(rho float64, _ uint64) sam.Optimizer { return &sam.SAM{Base: base(), Rho: rho, Micro: m} }
	}
	rw := func(unit int, temp float64) func(float64, uint64) sam.Optimizer {
		return func(rho float64, seed uint64) sam.Optimizer {
			return &sam.RWSAM{Form: sam.Corrections, Base: base(), Rho: rho, Draws: 4, Unit: unit, Temperature: temp, Seed: seed}
		}
	}
	return []method{
		{"SGD", 0, false, func(float64, uint64) sam.Optimizer { return base().(*sam.SGD) }},
		{"n-SAM", 0, true, func(rho float64, seed uint64) sam.Optimizer {
			return &sam.NSAM{Base: base(), Rho: rho, AscentBatch: min(1024, n), Seed: seed}
		}},
		{"SAM (m=128)", 128, true, msam(0)},
		{"m-SAM m=32", 32, true, msam(32)},
		{"m-SAM m=8", 8, true, msam(8)},
		{"m-SAM m=2", 2, true, msam(2)},
		{"RW-SAM k=4", 0, true, rw(1, 1)},
		{"RW-SAM k=4 T=∞", 0, true, rw(1, math.Inf(1))},
		{"RW-SAM k=4 u=8", 0, true, rw(8, 1)},
		{"RW-SAM Gibbs", 0, true, func(rho float64, seed uint64) sam.Optimizer {
			return &sam.RWSAM{Form: sam.GibbsAscent, Base: base(), Rho: rho, Seed: seed}
		}},
		{"RW-SAM (zero value, m=4)", 0, true, func(rho float64, seed uint64) sam.Optimizer {
			return &sam.RWSAM{Base: base(), Rho: rho, Seed: seed}
		}},
		{"RW-SAM (EquivM=8)", 0, true, func(rho float64, seed uint64) sam.Optimizer {
			return &sam.RWSAM{Base: base(), Rho: rho, Seed: seed, EquivM: 8}
		}},
	}
}

func runMNIST(dir string, c mnistConfig) error {
	start := time.Now()
	train, test, err := data.LoadMNISTSubset("", c.train, c.test)
	if err != nil {
		return err
	}
	net, err := nn.NewMLP([]int{784, c.hidden, 10}, nn.ReLU, nn.Identity)
	if err != nil {
		return err
	}
	obj, err := nn.NewSupervised(net, train, nn.SoftmaxCE{})
	if err != nil {
		return err
	}
	tobj, err := nn.NewSupervised(net, test, nn.SoftmaxCE{})
	if err != nil {
		return err
	}
	if c.train < mnB {
		return fmt.Errorf("-train = %d must be >= the batch size %d", c.train, mnB)
	}
	total := c.epochs * (obj.Len() / mnB)
	ms := keep(mnistMethods(total, obj.Len()))
	rhos := c.rhos
	hasFixed := false
	for _, r := range rhos {
		hasFixed = hasFixed || r == c.fixed
	}
	if !hasFixed {
		rhos = append(rhos, c.fixed)
	}
	js := jobs(ms, rhos, c.seeds)
	fmt.Fprintf(os.Stderr, "mnist: %d train / %d test images, 784-%d-10 MLP, %d epochs, %d runs\n", obj.Len(), tobj.Len(), c.hidden, c.epochs, len(js))
	testIdx := seq(tobj.Len())
	trainIdx := seq(obj.Len())
	res, st, err := runAll(fmt.Sprintf("msharpness mnist train=%d test=%d epochs=%d hidden=%d", c.train, c.test, c.epochs, c.hidden), js, func(j job) run {
		w := make([]float64, net.NumParams())
		net.Init(w, nn.He, rand.NewPCG(uint64(j.seed), 1))
		opt := j.m.mk(j.rho, uint64(j.seed))
		r := run{method: j.m.name, rho: j.rho, seed: j.seed}
		h, err := sam.Train(w, obj, opt, &sam.TrainSettings{Epochs: c.epochs, Batch: mnB, Seed: uint64(j.seed)})
		if err != nil {
			r.err, r.metric, r.loss = err, math.NaN(), math.NaN()
			return r
		}
		if cs, ok := opt.(sam.Coster); ok {
			r.cost = cs.LastCost()
		}
		_ = h
		r.train = obj.LossGrad(nil, w, trainIdx)
		r.loss = tobj.LossGrad(nil, w, testIdx)
		r.metric = 100 * tobj.Accuracy(w, testIdx)
		return r
	})
	if err != nil {
		return err
	}
	all := summarise(ms, res, mnB)
	bst := best(all, false)
	fix := at(all, ms, c.fixed)
	printTable(os.Stdout, st.title(fmt.Sprintf("mnist: 784-%d-10 MLP, %d train / %d test, batch %d, %d epochs, %d seeds; best ρ ∈ %v per method",
		c.hidden, obj.Len(), tobj.Len(), mnB, c.epochs, c.seeds, rhos)), "test acc %", bst)
	printTable(os.Stdout, st.title(fmt.Sprintf("mnist: same runs at fixed ρ = %g", c.fixed)), "test acc %", fix)
	if err := writeRuns(outPath(dir, "runs.csv"), res); err != nil {
		return err
	}
	if err := writeSummary(outPath(dir, "summary.csv"), map[string][]summary{"all": all, "best": bst, "fixed": fix}); err != nil {
		return err
	}
	err = plotVsM(outPath(dir, "test_acc_vs_m.png"), "MNIST MLP: test accuracy (mean of seeds)", "test accuracy (%)", false,
		map[string][]summary{"best ρ": bst, fmt.Sprintf("ρ=%g", c.fixed): fix}, []string{"best ρ", fmt.Sprintf("ρ=%g", c.fixed)}, []int{2, 8, 32, 128})
	fmt.Printf("\nwrote %s/{runs.csv,summary.csv,test_acc_vs_m.png} in %.1fs\n", dir, time.Since(start).Seconds())
	if err != nil {
		return err
	}
	return st.err
}
