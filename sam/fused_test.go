package sam

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/sdeml/sdeml/nn"
)

// noFused hides DiagNet's optional LossGradNorms, forcing LossGrad + ExactNorm.Score.
type noFused struct{ *DiagNet }

func (noFused) LossGradNorms() {}

// noFusedNN hides nn.Supervised's LossGradNorms.
type noFusedNN struct{ *nn.Supervised }

func (noFusedNN) LossGradNorms() {}

// With exact scores, RW-SAM takes g_B and the scores from one LossGradNorms pass. DiagNet's
// fused gradient and norms are the same arithmetic as LossGrad and PerSampleGradNorms, so
// the step must be bit-identical to the two-pass fallback, on the serial (small p) and
// parallel (large p) engine paths, for single-sample and 2-sample units, the default and an
// explicit ExactNorm scorer, and GOMAXPROCS 1 and 2; the cost is one batch pass less.
func TestRWSAMFusedExactScores(t *testing.T) {
	for _, p := range []int{5, 10000} {
		obj, w := smallTask(32, 16, p)
		for _, unit := range []int{1, 2} {
			for _, explicit := range []bool{false, true} {
				name := fmt.Sprintf("p=%d unit=%d explicit=%v", p, unit, explicit)
				run := func(o nn.Objective, procs int) ([]float64, float64, Cost) {
					defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
					rec := &recorder{}
					opt := &RWSAM{Form: Corrections, Base: rec, Rho: 0.2, Draws: 3, Unit: unit, Seed: 6}
					if explicit {
						opt.Score = &ExactNorm{}
					}
					loss, err := opt.Step(w, o, seq(16))
					if err != nil {
						t.Fatal(err)
					}
					return rec.g, loss, opt.LastCost()
				}
				gf, lf, cf := run(obj, 1)
				g2, l2, _ := run(obj, 2)
				gs, ls, cs := run(noFused{obj}, 1)
				if !bitsEqual(gf, gs) || lf != ls {
					t.Errorf("%s: fused and two-pass steps differ by %g (loss %v vs %v)", name, dist(gf, gs), lf, ls)
				}
				if !bitsEqual(gf, g2) || lf != l2 {
					t.Errorf("%s: fused step differs between GOMAXPROCS 1 and 2", name)
				}
				want := cs
				want.Forward--
				want.Backward--
				want.ForwardSamples -= 16
				want.BackwardSamples -= 16
				want.Serial--
				want.Depth--
				if cf != want {
					t.Errorf("%s: fused cost %+v, want the two-pass cost %+v less one batch pass", name, cf, cs)
				}
			}
		}
	}
	// Scores that are not exact norms, or not needed (uniform q), leave the batch pass alone:
	// the cost is that of the objective without LossGradNorms.
	obj, w := smallTask(33, 16, 5)
	for _, mk := range []func() *RWSAM{
		func() *RWSAM {
			return &RWSAM{Form: Corrections, Unit: 1, Base: &recorder{}, Rho: 0.2, Draws: 3, Score: &Stale{}, Seed: 1}
		},
		func() *RWSAM {
			return &RWSAM{Form: Corrections, Unit: 1, Base: &recorder{}, Rho: 0.2, Draws: 3, Score: &FiniteDiff{Seed: 1}, Seed: 1}
		},
		func() *RWSAM {
			return &RWSAM{Form: Corrections, Unit: 1, Base: &recorder{}, Rho: 0.2, Draws: 3, Temperature: math.Inf(1), Seed: 1}
		},
	} {
		a, b := mk(), mk()
		if _, err := a.Step(w, obj, seq(16)); err != nil {
			t.Fatal(err)
		}
		if _, err := b.Step(w, noFused{obj}, seq(16)); err != nil {
			t.Fatal(err)
		}
		if a.LastCost() != b.LastCost() {
			t.Errorf("%T T=%v: cost %+v with LossGradNorms, %+v without", a.Score, a.Temperature, a.LastCost(), b.LastCost())
		}
	}
}

// On nn.Supervised (dense and masked MLP) the fused step gets g_B with LossGrad's bits and
// norms equal to PerSampleGradNorms' up to rounding (nn tests them to 1e-12 relative), so the
// Gibbs probabilities, importance weights and direction agree with the two-pass fallback to
// ~1e-14 relative: 1e-11 leaves a wide margin, while a wrong score (O(1) relative) moves q
// and d by O(0.1) or more. The cost is one batch pass less.
func TestRWSAMFusedSupervised(t *testing.T) {
	for _, masked := range []bool{false, true} {
		net, err := nn.NewMLP([]int{5, 12, 3}, nn.Tanh, nn.Identity)
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(34, 1))
		if masked {
			net.Mask = make([]bool, net.NumParams())
			for i := range net.Mask {
				net.Mask[i] = rng.IntN(3) > 0
			}
		}
		x := make([]float64, 24*5)
		for i := range x {
			x[i] = rng.NormFloat64()
		}
		lab := make([]int, 24)
		for i := range lab {
			lab[i] = rng.IntN(3)
		}
		obj, err := nn.NewSupervised(net, &nn.Dataset{X: mat.NewDense(24, 5, x), Labels: lab}, nn.SoftmaxCE{})
		if err != nil {
			t.Fatal(err)
		}
		w := make([]float64, net.NumParams())
		net.Init(w, nn.He, rand.NewPCG(34, 2))
		run := func(o nn.Objective) (*RWSAM, []float64) {
			rec := &recorder{}
			opt := &RWSAM{Form: Corrections, Base: rec, Rho: 0.1, Draws: 4, Unit: 2, Temperature: 0.5, Seed: 7}
			if _, err := opt.Step(w, o, seq(24)); err != nil {
				t.Fatal(err)
			}
			return opt, rec.g
		}
		of, gf := run(obj)
		os, gs := run(noFusedNN{obj})
		for i := range of.draws {
			if of.draws[i] != os.draws[i] {
				t.Fatalf("mask=%v: draws %v fused, %v two-pass", masked, of.draws, os.draws)
			}
		}
		for j := range of.q {
			if d := of.q[j] - os.q[j]; d > 1e-11*os.q[j] || -d > 1e-11*os.q[j] {
				t.Errorf("mask=%v: q[%d] = %v fused, %v two-pass", masked, j, of.q[j], os.q[j])
			}
		}
		if e := dist(gf, gs); e > 1e-11*norm(gs) {
			t.Errorf("mask=%v: ‖d_fused − d_two-pass‖ = %g, ‖d‖ = %g", masked, e, norm(gs))
		}
		cf, cs := of.LastCost(), os.LastCost()
		if cf.Backward != cs.Backward-1 || cf.BackwardSamples != cs.BackwardSamples-24 || cf.Serial != cs.Serial-1 {
			t.Errorf("mask=%v: fused cost %+v, two-pass %+v: want one batch pass less", masked, cf, cs)
		}
	}
}
