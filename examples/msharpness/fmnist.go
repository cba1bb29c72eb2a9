package main

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"time"

	"github.com/sdeml/sdeml/internal/sweep"
	"github.com/sdeml/sdeml/nn"
	"github.com/sdeml/sdeml/nn/data"
	"github.com/sdeml/sdeml/sam"
	"github.com/sdeml/sdeml/sgn"
)

// The Fashion-MNIST study (task fmnist): a small CNN trained with SGD, n-SAM, SAM and m-SAM
// for m ∈ {64, 32, 16, 8, 4}, the SAM variants GSAM, WSAM, ESAM, LookSAM, F-SAM and SAM
// every 5 steps (fmnist_variants.go), and RW-SAM, over fixed seeds and a ρ grid. Data: the first
// `train` images of the Fashion-MNIST training file for training, the next `val` for the
// validation split on which ρ is chosen per method, the first `test` images of the test
// file for the reported numbers. Every run uses batch 128, SGD momentum 0.9, lr 0.05 with
// cosine decay and weight decay 5e-4 in the base step; SAM-type perturbations are
// normalised. One sweep unit is one (method, ρ, seed) training run.
type fmnistConfig struct {
	seeds              []uint64
	epochs, train, val int
	test, flat         int
	rhos               []float64
	sweep              sweep.Config
	ctx                context.Context
}

const fmB = 128

// fmnistNet is conv 1→16 3×3 pad 1 ReLU, maxpool 2, conv 16→32 3×3 pad 1 ReLU, maxpool 2,
// linear 7·7·32 → 10 (softmax cross-entropy on the logits): 4.8k conv and 15.7k linear
// parameters.
func fmnistNet() (*nn.Sequential, error) {
	return nn.NewSequential(nn.Shape{C: 1, H: 28, W: 28},
		nn.Conv2D{Out: 16, Kernel: 3, Stride: 1, Pad: 1, Act: nn.ReLU}, nn.MaxPool{Size: 2, Stride: 2},
		nn.Conv2D{Out: 32, Kernel: 3, Stride: 1, Pad: 1, Act: nn.ReLU}, nn.MaxPool{Size: 2, Stride: 2},
		nn.Flatten{}, nn.Dense{Out: 10})
}

// fmnistMethods lists the study's methods; total is the number of steps (for the cosine
// schedule), n the training-set size.
func fmnistMethods(total, n int) []method {
	base := func() sam.Updater {
		return &sam.SGD{LR: 0.05, Momentum: 0.9, WeightDecay: 5e-4, Schedule: sam.Cosine{Total: total}}
	}
	msam := func(m int) func(float64, uint64) sam.Optimizer {
		return func(rho float64, _ uint64) sam.Optimizer { return &sam.SAM{Base: base(), Rho: rho, Micro: m} }
	}
	ms := []method{
		{"SGD", 0, false, func(float64, uint64) sam.Optimizer { return base().(*sam.SGD) }},
		{"n-SAM", 0, true, func(rho float64, seed uint64) sam.Optimizer {
			return &sam.NSAM{Base: base(), Rho: rho, AscentBatch: min(4*fmB, n), Seed: seed}
		}},
		{"SAM (m=128)", fmB, true, msam(0)},
	}
	for _, m := range []int{64, 32, 16, 8, 4} {
		ms = append(ms, method{fmt.Sprintf("m-SAM m=%d", m), m, true, msam(m)})
	}
	ms = append(ms, fmnistVariants(base, total)...)
	ms = append(ms, method{"RW-SAM (zero value, m=4)", 0, true, func(rho float64, seed uint64) sam.Optimizer {
		return &sam.RWSAM{Base: base(), Rho: rho, Seed: seed}
	}}, method{"RW-SAM (EquivM=8)", 0, true, func(rho float64, seed uint64) sam.Optimizer {
		return &sam.RWSAM{Base: base(), Rho: rho, Seed: seed, EquivM: 8}
	}}, method{"RW-SAM (Gibbs)", 0, true, func(rho float64, seed uint64) sam.Optimizer {
		return &sam.RWSAM{Form: sam.GibbsAscent, Base: base(), Rho: rho, Seed: seed}
	}}, method{"RW-SAM (IS, k=4, u=16)", 0, true, func(rho float64, seed uint64) sam.Optimizer {
		return &sam.RWSAM{Form: sam.Corrections, Base: base(), Rho: rho, Draws: 4, Unit: 16, Seed: seed}
	}})
	return ms
}

// fmUnit is one training run's result, as stored in the sweep's unit file.
type fmUnit struct {
	Err       string      `json:"err,omitempty"` // training stopped (non-finite loss)
	ValAcc    sweep.Float `json:"val_acc"`       // validation accuracy, %
	ValLoss   sweep.Float `json:"val_loss"`
	TestAcc   sweep.Float `json:"test_acc"` // test accuracy, %
	TestLoss  sweep.Float `json:"test_loss"`
	TrainLoss sweep.Float `json:"train_loss"`
	LambdaMax sweep.Float `json:"lambda_max"` // the Hessian eigenvalue of largest magnitude at the end (λ_max at a minimum)
	TraceH    sweep.Float `json:"trace_h"`    // tr H at the end (Hutchinson)
	Passes    float64     `json:"passes"`     // backward sample-passes per step (mean over the run: LookSAM and IntervalSAM vary)
	Serial    float64     `json:"serial"`     // serial gradient passes per step (mean over the run)
	Steps     int         `json:"steps"`
	TrainSec  float64     `json:"train_sec"` // seconds in sam.Train (the evaluation excluded)
}

func (u fmUnit) ok() bool { return u.Err == "" && !math.IsNaN(float64(u.TestAcc)) }

type fmKey struct {
	m    method
	rho  float64
	seed uint64
}

func (k fmKey) String() string {
	return fmt.Sprintf("%s/rho=%g/seed=%d", keyName(k.m.name), k.rho, k.seed)
}

// keyName turns a method name into a file-name-safe key part.
func keyName(s string) string {
	r := strings.NewReplacer(" ", "_", "(", "", ")", "", "=", "", ",", "")
	return r.Replace(s)
}

func runFMNIST(dir string, c fmnistConfig) error {
	if c.train < fmB {
		return fmt.Errorf("-train = %d must be >= the batch size %d", c.train, fmB)
	}
	if c.val < 1 || c.test < 1 || c.flat < 1 {
		return fmt.Errorf("-val = %d, -test = %d, -flat = %d must be >= 1", c.val, c.test, c.flat)
	}
	if c.train+c.val > 60000 || c.test > 10000 {
		return fmt.Errorf("-train + -val = %d must be <= 60000 and -test = %d <= 10000", c.train+c.val, c.test)
	}
	all, test, err := data.LoadFashionMNISTSubset("", c.train+c.val, c.test)
	if err != nil {
		return err
	}
	train, val := all.Subset(seq(c.train)), all.Subset(seqFrom(c.train, c.val))
	net, err := fmnistNet()
	if err != nil {
		return err
	}
	objs := make([]*nn.SeqSupervised, 3)
	for i, d := range []*nn.Dataset{train, val, test} {
		if objs[i], err = nn.NewSeqSupervised(net, d, nn.SoftmaxCE{}); err != nil {
			return err
		}
	}
	obj, vobj, tobj := objs[0], objs[1], objs[2]
	steps := c.epochs * (c.train / fmB)
	ms := keep(fmnistMethods(steps, c.train))
	var keys []fmKey
	for _, s := range c.seeds {
		for _, m := range ms {
			rhos := c.rhos
			if !m.rho {
				rhos = []float64{0}
			}
			for _, r := range rhos {
				keys = append(keys, fmKey{m, r, s})
			}
		}
	}
	// v3: the curvature columns come from exact Hessian-vector products (v2 units hold
	// central differences), so resuming or merging v2 units is refused.
	plan := sweep.Plan{ID: fmt.Sprintf("msharpness/fmnist/v3 train=%d val=%d test=%d epochs=%d flat=%d batch=%d",
		c.train, c.val, c.test, c.epochs, c.flat, fmB), Concurrent: true}
	for _, k := range keys {
		plan.Keys = append(plan.Keys, k.String())
	}
	fmt.Fprintf(os.Stderr, "fmnist: CNN (%d params) on Fashion-MNIST: first %d training images, validation = the next %d, test = the first %d test images; batch %d, %d epochs (%d steps), seeds %v, ρ grid %v, %d runs\n",
		net.NumParams(), c.train, c.val, c.test, fmB, c.epochs, steps, c.seeds, c.rhos, len(keys))
	flatIdx := seq(c.flat)
	res, err := sweep.Run(c.ctx, c.sweep, plan, func(ctx context.Context, i int) (fmUnit, error) {
		return fmRun(ctx, keys[i], net, obj, vobj, tobj, c.epochs, flatIdx), nil
	})
	if err != nil {
		return err
	}
	rep := fmReport{cfg: c, ms: ms, keys: keys, res: res, steps: steps, params: net.NumParams()}
	if err := rep.write(dir); err != nil {
		return err
	}
	return res.Err()
}

// fmRun trains one unit and measures it. A training error (non-finite loss) is recorded in
// the unit, not returned, so one diverged ρ does not stop the sweep.
func fmRun(ctx context.Context, k fmKey, net *nn.Sequential, obj, vobj, tobj *nn.SeqSupervised, epochs int, flatIdx []int) fmUnit {
	w := make([]float64, net.NumParams())
	net.Init(w, nn.He, rand.NewPCG(k.seed, 1))
	opt := k.m.mk(k.rho, k.seed)
	u := fmUnit{Steps: epochs * (obj.Len() / fmB)}
	nan := sweep.Float(math.NaN())
	u.ValAcc, u.ValLoss, u.TestAcc, u.TestLoss, u.TrainLoss, u.LambdaMax, u.TraceH = nan, nan, nan, nan, nan, nan, nan
	t0 := time.Now()
	h, err := sam.Train(w, obj, opt, &sam.TrainSettings{Epochs: epochs, Batch: fmB, Seed: k.seed})
	u.TrainSec = time.Since(t0).Seconds()
	if err != nil {
		u.Err = err.Error()
		return u
	}
	if _, ok := opt.(sam.Coster); ok && h.Steps > 0 {
		u.Passes, u.Serial = float64(h.Cost.BackwardSamples)/float64(h.Steps), float64(h.Cost.Serial)/float64(h.Steps)
	} else { // a plain Updater step: one gradient over the batch
		u.Passes, u.Serial = fmB, 1
	}
	u.TrainLoss = sweep.Float(obj.LossGrad(nil, w, seq(obj.Len())))
	vi, ti := seq(vobj.Len()), seq(tobj.Len())
	u.ValLoss, u.ValAcc = sweep.Float(vobj.LossGrad(nil, w, vi)), sweep.Float(100*vobj.Accuracy(w, vi))
	u.TestLoss, u.TestAcc = sweep.Float(tobj.LossGrad(nil, w, ti)), sweep.Float(100*tobj.Accuracy(w, ti))
	u.LambdaMax, u.TraceH = flatness(obj, w, flatIdx, k.seed)
	return u
}

// flatness returns the eigenvalue of largest magnitude (λ_max when the Hessian is positive
// semidefinite, as at a minimum; early in training it may be a negative one) and the trace
// of the Hessian of the training loss over the samples idx at w: the eigenvalue by power
// iteration (sgn.TopEigen, 20 iterations, relative tolerance 1e-3) and tr H by Hutchinson's
// estimator (sgn.Hutchinson, 16 Rademacher probes); the Hessian-vector products are
// nn.HVP's (the exact R-operator of the CNN, SeqSupervised.HVP). Both are NaN if an
// estimate fails.
func flatness(obj nn.Objective, w []float64, idx []int, seed uint64) (lmax, tr sweep.Float) {
	hvp := func(dst, v []float64) { nn.HVP(dst, obj, w, v, idx) }
	lmax, tr = sweep.Float(math.NaN()), sweep.Float(math.NaN())
	if vals, _, _, err := sgn.TopEigen(hvp, obj.Dim(), 1, &sgn.PowerSettings{MaxIter: 20, Tol: 1e-3}, rand.NewPCG(seed, 2)); err == nil {
		lmax = sweep.Float(vals[0])
	}
	if h, err := sgn.Hutchinson(hvp, obj.Dim(), &sgn.HutchinsonSettings{MaxProbes: 16, MinProbes: 16}, seed<<8|3); err == nil {
		tr = sweep.Float(h.Trace.Value)
	}
	return lmax, tr
}

func seqFrom(a, n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = a + i
	}
	return s
}
