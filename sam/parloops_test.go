package sam

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
)

// TestUpdateSplit checks that SGD.Update and Adam.Update, whose loops run in blocks over
// the parameters (parloops.go), give the same bits for GOMAXPROCS 1, 2 and 3 (1: one
// serial block) on a vector long enough to be split, for plain, heavy-ball and Nesterov
// SGD with weight decay and for Adam with and without weight decay, over three updates
// (momentum and moment state carried).
func TestUpdateSplit(t *testing.T) {
	const n = 5*parBlock + 123
	rng := rand.New(rand.NewPCG(3, 4))
	w0, gs := make([]float64, n), make([][]float64, 3)
	for i := range w0 {
		w0[i] = rng.NormFloat64()
	}
	for k := range gs {
		gs[k] = make([]float64, n)
		for i := range gs[k] {
			gs[k][i] = rng.NormFloat64()
		}
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for k, newUpdater := range []func() Updater{
		func() Updater { return &SGD{LR: 0.1} },
		func() Updater { return &SGD{LR: 0.1, Momentum: 0.9, WeightDecay: 1e-3} },
		func() Updater { return &SGD{LR: 0.1, Momentum: 0.9, Nesterov: true, DecoupledWD: 1e-2} },
		func() Updater { return &Adam{LR: 1e-2} },
		func() Updater { return &Adam{LR: 1e-2, WeightDecay: 1e-3, DecoupledWD: 1e-2} },
	} {
		var want []float64
		for _, procs := range []int{1, 2, 3} {
			runtime.GOMAXPROCS(procs)
			u := newUpdater()
			w := append([]float64(nil), w0...)
			for _, g := range gs {
				u.Update(w, g)
			}
			if want == nil {
				want = w
				continue
			}
			for i := range w {
				if math.Float64bits(w[i]) != math.Float64bits(want[i]) {
					t.Fatalf("updater %d, GOMAXPROCS=%d: w[%d] = %v, want %v", k, procs, i, w[i], want[i])
				}
			}
		}
	}
}

// TestFirstNonFiniteSplit checks firstNonFinite, whose sums run in blocks, for NaN, +Inf
// and -Inf at the first, a middle and the last entry of every block boundary region, and
// on finite vectors (also one whose total would overflow: every block sum stays finite or
// the scan clears it), at GOMAXPROCS 1 and 2.
func TestFirstNonFiniteSplit(t *testing.T) {
	const n = 4*parBlock + 7
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, procs := range []int{1, 2} {
		runtime.GOMAXPROCS(procs)
		x := make([]float64, n)
		for i := range x {
			x[i] = float64(i%5) - 2
		}
		if got := firstNonFinite(x); got != -1 {
			t.Fatalf("GOMAXPROCS=%d: finite vector: %d, want -1", procs, got)
		}
		for i := range x {
			x[i] = math.MaxFloat64 / 2
		}
		if got := firstNonFinite(x); got != -1 {
			t.Fatalf("GOMAXPROCS=%d: large finite vector: %d, want -1", procs, got)
		}
		clear(x)
		for _, at := range []int{0, parBlock - 1, parBlock, 2*parBlock + 5, n - 1} {
			for _, bad := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
				x[at] = bad
				if got := firstNonFinite(x); got != at {
					t.Fatalf("GOMAXPROCS=%d: %v at %d: got %d", procs, bad, at, got)
				}
				x[at] = 0
			}
		}
	}
}
