package reflected

import (
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"

	"github.com/sdeml/sdeml/sam"
)

// axisData draws n points of the axis-aligned target Uniform[0,1]^(D−1) × δ_c.
func axisData(t *testing.T, D, n int, c float64, seed uint64) (*Subspace, []float64) {
	t.Helper()
	pt := []float64{c}
	target, err := AxisAligned(D, pt)
	if err != nil {
		t.Fatal(err)
	}
	x := make([]float64, n*D)
	target.Sample(x, rand.NewPCG(seed, 1))
	return target, x
}

// TestDSMGradient checks LossGrad's gradient against central differences of LossGrad itself
// (same Round, hence the same noise draws).
func TestDSMGradient(t *testing.T) {
	const D = 3
	_, data := axisData(t, D, 50, 0.3, 1)
	net, err := NewScoreNet(D, []int{8, 8}, TimeEmbedding{Freqs: 2}, rand.NewPCG(2, 2))
	if err != nil {
		t.Fatal(err)
	}
	// Larger last-layer weights so that the residual is not dominated by the target.
	for i := range net.W {
		net.W[i] *= 1.5
	}
	obj, err := NewDSM(net, data, 1e-3, 1, 7)
	if err != nil {
		t.Fatal(err)
	}
	obj.Round = 4
	idx := []int{0, 3, 3, 17, 49}
	grad := make([]float64, obj.Dim())
	obj.LossGrad(grad, net.W, idx)
	w := append([]float64(nil), net.W...)
	const h = 1e-6
	var worst float64
	for j := 0; j < len(w); j += 7 {
		old := w[j]
		w[j] = old + h
		fp := obj.LossGrad(nil, w, idx)
		w[j] = old - h
		fm := obj.LossGrad(nil, w, idx)
		w[j] = old
		fd := (fp - fm) / (2 * h)
		worst = max(worst, math.Abs(fd-grad[j])/max(1, math.Abs(grad[j])))
	}
	// 1e-6: central differences with h = 1e-6 have truncation error O(h²·f''') ~ 1e-12 and
	// rounding error ~ 1e-16·|f|/h ~ 1e-10 on this O(1) loss, except where a ReLU kink lies
	// within h, which is rare at 1e-6 but bounded by the kink's jump; 1e-6 leaves room for it.
	t.Logf("worst relative gradient error %.3g", worst)
	if worst > 1e-6 {
		t.Errorf("gradient vs central differences: worst relative error %.3g", worst)
	}
	losses := make([]float64, len(idx))
	obj.Losses(losses, net.W, idx)
	var mean float64
	for _, l := range losses {
		mean += l / float64(len(idx))
	}
	if l := obj.LossGrad(nil, net.W, idx); math.Abs(l-mean) > 1e-12*max(1, l) {
		t.Errorf("mean of Losses %v != LossGrad %v", mean, l)
	}
}

// TestDSMTargetMean runs §8.8 check 11: for X₀ ~ Uniform([0,1]^D), which is stationary, the
// marginal score is 0, so the DSM targets average to 0 and the zero network is the exact
// minimiser; its loss equals E‖√t ∇log q_t(X_t|X₀)‖².
func TestDSMTargetMean(t *testing.T) {
	const D, n = 2, 20000
	data := make([]float64, n*D)
	rnd := rand.New(rand.NewPCG(3, 3))
	for i := range data {
		data[i] = rnd.Float64()
	}
	net, _ := NewScoreNet(D, []int{4}, TimeEmbedding{}, rand.NewPCG(1, 1))
	obj, _ := NewDSM(net, data, 1e-3, 2, 11)
	sc := obj.forward(make([]float64, obj.Dim()), seq(n))
	var sum, sq float64
	for _, v := range sc.target[:n*D] {
		sum += v
		sq += v * v
	}
	net.release(sc)
	mean := sum / (n * D)
	se := math.Sqrt(sq/(n*D)) / math.Sqrt(n*D)
	// 4.5 SE: two-sided normal tail 7e-6 (the targets √t·∂log q are independent across
	// points; the two coordinates of a point are independent given t).
	if math.Abs(mean) > 4.5*se {
		t.Errorf("mean DSM target %.4g, |mean| > 4.5 SE = %.3g", mean, 4.5*se)
	}
}

// exactDSMLoss returns the DSM loss of the score model m on obj's draws for idx:
// mean ‖√t·m(X_t, t) − √t·∇log q_t(X_t|X₀)‖².
func exactDSMLoss(obj *DSM, m ScoreModel, idx []int) float64 {
	D := obj.Net.Dim()
	in := obj.Net.Net.InDim()
	sc := obj.forward(make([]float64, obj.Dim()), idx)
	defer obj.Net.release(sc)
	x := make([]float64, D)
	s := make([]float64, D)
	var loss float64
	for k := range idx {
		for j := range x { // undo the input map x ↦ 2x − 1 and the embedding's ¼ log t
			x[j] = (sc.inBuf[k*in+j] + 1) / 2
		}
		t := math.Exp(4 * sc.inBuf[k*in+D])
		m.Score(s, x, []float64{t})
		for j := range s {
			r := math.Sqrt(t)*s[j] - sc.target[k*D+j]
			loss += r * r
		}
	}
	return loss / float64(len(idx))
}

func seq(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

// TestTrainSmoke runs §8.8 check 17 in a reduced form: on the axis-aligned target in D = 2,
// Adam on the DSM risk must bring the loss well below the zero network's, and the learned
// score must correlate with the exact score at t = 0.1.
func TestTrainSmoke(t *testing.T) {
	const D, n = 2, 1000
	target, data := axisData(t, D, n, 0.5, 4)
	net, err := NewScoreNet(D, []int{32, 32, 32}, TimeEmbedding{Freqs: 4}, rand.NewPCG(5, 5))
	if err != nil {
		t.Fatal(err)
	}
	obj, _ := NewDSM(net, data, 2e-4, 2, 99)
	all := seq(n)
	zero := obj.LossGrad(nil, make([]float64, obj.Dim()), all)
	res, err := Train(net, data, &sam.Adam{LR: 2e-3, Schedule: sam.Cosine{Total: 1500}}, &TrainSettings{Steps: 1500, Batch: 64, T1: 2, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	trained := obj.LossGrad(nil, net.W, all)
	exact, _ := NewAxisAlignedScore(target)
	best := exactDSMLoss(obj, exact, all)
	t.Logf("DSM loss: zero network %.4f, exact score %.4f, trained %.4f (train tail %.4f, %v)", zero, best, trained, res.Loss, res.Elapsed)
	// The exact score attains the least DSM risk; the rest (best) is the irreducible noise of
	// the targets. Require the network to remove at least half of the reducible part.
	if !(trained-best < 0.5*(zero-best)) {
		t.Errorf("trained loss %.4f: reducible part %.4f not below half of the zero network's %.4f", trained, trained-best, zero-best)
	}
	const m = 400
	x := make([]float64, m*D)
	for i := 0; i < m; i++ { // points of the law at t = 0.1
		x[2*i] = data[2*i]
		x[2*i+1] = Fold(0.5 + math.Sqrt(0.1)*rand.New(rand.NewPCG(uint64(i), 9)).NormFloat64())
	}
	ts := make([]float64, m)
	for i := range ts {
		ts[i] = 0.1
	}
	got, want := make([]float64, m*D), make([]float64, m*D)
	net.Score(got, x, ts)
	exact.Score(want, x, ts)
	var sxy, sxx, syy float64
	for i := 1; i < m*D; i += 2 {
		sxy += got[i] * want[i]
		sxx += got[i] * got[i]
		syy += want[i] * want[i]
	}
	corr := sxy / math.Sqrt(sxx*syy)
	t.Logf("normal-coordinate score correlation at t = 0.1: %.4f", corr)
	if corr < 0.9 {
		t.Errorf("correlation %.3f < 0.9", corr)
	}
}

// TestTrainSparse checks that Sparsity and Bound keep the trained network in Φ(L, W, S, B).
func TestTrainSparse(t *testing.T) {
	const D = 2
	_, data := axisData(t, D, 200, 0.5, 4)
	net, _ := NewScoreNet(D, []int{16, 16}, TimeEmbedding{Freqs: 2}, rand.NewPCG(5, 5))
	const S, B = 150, 0.8
	if _, err := Train(net, data, &sam.Adam{LR: 3e-3}, &TrainSettings{Steps: 200, Batch: 32, Sparsity: S, Bound: B}); err != nil {
		t.Fatal(err)
	}
	if nz := net.Net.NonZero(net.W); nz > S {
		t.Errorf("NonZero = %d > S = %d", nz, S)
	}
	for i, v := range net.W {
		if math.Abs(v) > B {
			t.Fatalf("|W[%d]| = %v > B = %v", i, v, B)
		}
	}
}

func TestTrainErrors(t *testing.T) {
	_, data := axisData(t, 2, 10, 0.5, 4)
	net, _ := NewScoreNet(2, []int{4}, TimeEmbedding{}, rand.NewPCG(5, 5))
	for _, s := range []*TrainSettings{{Batch: -1}, {Steps: -2}, {T0: -1}, {T0: 1, T1: 0.5}, {Sparsity: -1}, {Bound: -1}, {EMA: -0.1}, {EMA: 1}, {EMA: math.NaN()}} {
		if _, err := Train(net, data, &sam.Adam{}, s); err == nil {
			t.Errorf("%+v: no error", *s)
		}
	}
	if _, err := Train(net, nil, &sam.Adam{}, nil); err == nil {
		t.Error("empty data: no error")
	}
	if _, err := Train(net, []float64{0.5, 1.5}, &sam.Adam{}, nil); err == nil {
		t.Error("point outside the cube: no error")
	}
	if _, err := Train(net, data[:3], &sam.Adam{}, nil); err == nil {
		t.Error("ragged data: no error")
	}
	// A huge learning rate makes the loss blow up: Train must stop with an error.
	if _, err := Train(net, data, &sam.SGD{LR: 1e200}, &TrainSettings{Steps: 50}); err == nil {
		t.Error("diverging training: no error")
	}
}

// TestTrainDeterministic checks that training gives bit-identical parameters for
// GOMAXPROCS 1 and 2.
func TestTrainDeterministic(t *testing.T) {
	_, data := axisData(t, 3, 300, 0.5, 4)
	run := func(procs int) []float64 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		net, _ := NewScoreNet(3, []int{64, 64}, TimeEmbedding{Freqs: 2}, rand.NewPCG(5, 5))
		if _, err := Train(net, data, &sam.Adam{}, &TrainSettings{Steps: 30, Batch: 256, Seed: 2}); err != nil {
			t.Fatal(err)
		}
		return net.W
	}
	if !slices.Equal(run(1), run(2)) {
		t.Error("GOMAXPROCS 1 and 2 train different parameters")
	}
}
