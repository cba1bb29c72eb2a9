package reflected

import (
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"

	"github.com/sdeml/sdeml/sam"
)

// TestEMAClosedForm feeds the iterates w_j = j·a (j = 0, 1, …) to the average and compares
// with the closed form. For decay β with m = β/(1−β) an integer, updates j ≤ m average with
// βⱼ = j/(j+1) (the running mean, j/2), and for j > m the recursion e_j = β e_{j−1} + (1−β) j
// has the particular solution j − m, so e_j = j − m + (m/2)·β^{j−m}.
func TestEMAClosedForm(t *testing.T) {
	a := []float64{1, -2.5, 0, 1e3}
	mask := []bool{true, true, true, false}
	for _, c := range []struct {
		decay float64
		m     int
	}{{0.5, 1}, {0.75, 3}, {0.9, 9}} {
		e := &ema{decay: c.decay}
		w := make([]float64, len(a))
		for j := 0; j < 300; j++ {
			for i := range w {
				w[i] = float64(j) * a[i]
			}
			e.update(w, mask)
			want := float64(j) / 2
			if j > c.m {
				want = float64(j-c.m) + float64(c.m)/2*math.Pow(c.decay, float64(j-c.m))
			}
			for i, v := range e.avg {
				exp := want * a[i]
				if !mask[i] {
					exp = 0
				}
				// The recursion contracts rounding errors (βⱼ < 1): a few ulp of the
				// largest value (j·|a| ≤ 300·2.5) per step, bounded by 1e-12 relative to it.
				if math.Abs(v-exp) > 1e-12*max(1, float64(j)*math.Abs(a[i])) {
					t.Fatalf("decay %v, update %d, coordinate %d: avg %v, closed form %v", c.decay, j, i, v, exp)
				}
			}
			if !mask[3] && e.avg[3] != 0 {
				t.Fatalf("masked coordinate = %v, want exactly 0", e.avg[3])
			}
		}
	}
}

// emaRun trains a small net with the given EMA decay and records every iterate via After.
func emaRun(t *testing.T, s TrainSettings) (w []float64, iters [][]float64, res TrainResult, net *ScoreNet) {
	t.Helper()
	_, data := axisData(t, 2, 200, 0.5, 4)
	net, err := NewScoreNet(2, []int{16, 16}, TimeEmbedding{Freqs: 2}, rand.NewPCG(5, 5))
	if err != nil {
		t.Fatal(err)
	}
	s.After = func(_ int, w []float64) { iters = append(iters, slices.Clone(w)) }
	res, err = Train(net, data, &sam.Adam{LR: 3e-3}, &s)
	if err != nil {
		t.Fatal(err)
	}
	return net.W, iters, res, net
}

// TestTrainEMA checks Train's average against the weights written out directly,
// avg_K = Σⱼ (1 − βⱼ) Πᵢ₌ⱼ₊₁..K βᵢ · w_j, computed from the recorded iterates, and that
// averaging does not change the optimizer trajectory: the last iterate of an EMA run equals
// the result of the same run with EMA = EMAOff bit for bit, and so do the tail losses.
func TestTrainEMA(t *testing.T) {
	const steps, decay = 60, 0.9
	base := TrainSettings{Steps: steps, Batch: 32, Seed: 3, EMA: EMAOff}
	plain, _, res0, _ := emaRun(t, base)
	withEMA := base
	withEMA.EMA = decay
	got, iters, res, _ := emaRun(t, withEMA)
	if !slices.Equal(iters[steps-1], plain) {
		t.Error("EMA changed the optimizer trajectory: last iterate differs from the EMA = 0 run")
	}
	if res.Loss != res0.Loss || res0.LastLoss != 0 || res0.EMALoss != 0 {
		t.Errorf("losses: EMA run tail %v, plain %v; plain LastLoss %v EMALoss %v (want 0)", res.Loss, res0.Loss, res0.LastLoss, res0.EMALoss)
	}
	beta := func(j int) float64 { return min(decay, float64(j)/float64(j+1)) }
	for i := range got {
		var want float64
		for j := range steps {
			c := 1 - beta(j)
			for k := j + 1; k < steps; k++ {
				c *= beta(k)
			}
			want += c * iters[j][i]
		}
		// Both sums have 60 terms of size ≤ max|w|; rounding ≤ 60·2⁻⁵³ relative ≈ 7e-15.
		if math.Abs(got[i]-want) > 1e-12*max(1, math.Abs(want)) {
			t.Fatalf("W[%d] = %v, direct weighted sum %v", i, got[i], want)
		}
	}
	if !(res.LastLoss > 0 && res.EMALoss > 0) {
		t.Errorf("LastLoss %v, EMALoss %v: want both > 0", res.LastLoss, res.EMALoss)
	}
	t.Logf("DSM loss on all points: last iterate %.5f, EMA %.5f", res.LastLoss, res.EMALoss)
}

// TestTrainEMASparse checks that with pruning and a bound the averaged network stays in
// Φ(L, W, S, B): pruned parameters are exactly 0, at most S are nonzero, all lie in [−B, B].
func TestTrainEMASparse(t *testing.T) {
	const S, B = 150, 0.8
	w, iters, _, net := emaRun(t, TrainSettings{Steps: 200, Batch: 32, Sparsity: S, Bound: B, EMA: 0.99})
	if nz := net.Net.NonZero(w); nz > S {
		t.Errorf("NonZero = %d > S = %d", nz, S)
	}
	for i, v := range w {
		if !net.Net.Mask[i] && v != 0 {
			t.Fatalf("pruned W[%d] = %v, want exactly 0", i, v)
		}
		if math.Abs(v) > B {
			t.Fatalf("|W[%d]| = %v > B = %v", i, v, B)
		}
	}
	if slices.Equal(w, iters[len(iters)-1]) {
		t.Error("EMA network equals the last iterate")
	}
}

// TestTrainEMADeterministic checks bit-identical averaged parameters for GOMAXPROCS 1 and 2.
func TestTrainEMADeterministic(t *testing.T) {
	_, data := axisData(t, 3, 300, 0.5, 4)
	run := func(procs int) ([]float64, TrainResult) {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		net, _ := NewScoreNet(3, []int{64, 64}, TimeEmbedding{Freqs: 2}, rand.NewPCG(5, 5))
		res, err := Train(net, data, &sam.Adam{}, &TrainSettings{Steps: 30, Batch: 256, Seed: 2, EMA: 0.95})
		if err != nil {
			t.Fatal(err)
		}
		return net.W, res
	}
	w1, r1 := run(1)
	w2, r2 := run(2)
	if !slices.Equal(w1, w2) || r1.EMALoss != r2.EMALoss || r1.LastLoss != r2.LastLoss {
		t.Error("GOMAXPROCS 1 and 2 give different averaged parameters or losses")
	}
}
