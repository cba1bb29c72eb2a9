package reflected

import (
	"bytes"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/sdeml/sdeml/internal/parallel"
	"github.com/sdeml/sdeml/sam"
)

// boxData returns n points of CentredBox(D, d, 0.5).
func boxData(t *testing.T, D, d, n int, seed uint64) []float64 {
	t.Helper()
	target, err := CentredBox(D, d, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	x := make([]float64, n*D)
	target.Sample(x, rand.NewPCG(seed, 3))
	return x
}

// TestPrecondUnitTarget checks the calibration on fresh draws: at times across the range,
// E‖(∇log qₜ(Xₜ|X₀) − skip)/c_out‖²/D must be 1, and the mean square of the network's
// coordinate inputs c_in·(Xₜ − μ) must be of order one.
func TestPrecondUnitTarget(t *testing.T) {
	const D, d, n = 16, 2, 2000
	data := boxData(t, D, d, n, 1)
	T := MixingTime(D, 1e-3)
	p, err := NewPrecond(data, D, 2e-4, T, Reflected, 7)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []float64{2e-4, 1e-3, 0.01, 0.1, 0.5, T} {
		rnd := rand.New(rand.NewPCG(99, uint64(tt*1e6)))
		const k = 2000
		var tgt, in float64
		x := make([]float64, D)
		for j := 0; j < k; j++ {
			y := data[rnd.IntN(n)*D:][:D]
			for i, yi := range y {
				x[i] = Fold(yi + math.Sqrt(tt)*rnd.NormFloat64())
				r := (Score1D(x[i], yi, tt) - p.skip1(x[i], i, tt)) / p.COut(tt)
				tgt += r * r
			}
			in1 := make([]float64, D)
			p.input(in1, x, tt)
			for _, v := range in1 {
				in += v * v
			}
		}
		tgt /= k * D
		in /= k * D
		t.Logf("t = %-8.3g target mean square %.4f, input mean square %.3f, c_out %.4g", tt, tgt, in, p.COut(tt))
		// 32 000 coordinates here and ≥ 8192 in the calibration; the squared targets are
		// heavy-tailed near walls (relative s.d. of one term ≲ 3), so each mean has relative
		// error ≲ 3/√8192 = 3.3%: 15% is more than 4 joint standard errors. The grid
		// interpolation of log c_out between neighbours 0.25 apart in log t adds < 1%.
		if math.Abs(tgt-1) > 0.15 {
			t.Errorf("t = %v: target mean square %v, want 1 ± 0.15", tt, tgt)
		}
		// Input: vᵢ interpolates between σᵢ² + t and 1/12; the mean square of xᵢ − μᵢ lies
		// between the two ends of that interpolation, a factor ≤ 2 from vᵢ.
		if in < 0.5 || in > 2 {
			t.Errorf("t = %v: input mean square %v, want within [0.5, 2]", tt, in)
		}
	}
}

// TestPrecondSkipExactForPointMass checks that for data at one point y the skip term is the
// exact score ∂ log pₜ(x, y) (σ² = 0, up to rounding of the mean), so a network whose output is 0 is the exact score.
func TestPrecondSkipExactForPointMass(t *testing.T) {
	const D = 3
	y := []float64{0.2, 0.95, 0.5}
	data := slices.Concat(y, y, y)
	p, err := NewPrecond(data, D, 1e-3, 2, Reflected, 1)
	if err != nil {
		t.Fatal(err)
	}
	net := zeroNet(t, D)
	net.Pre = p
	x := []float64{0.1, 0.999, 0.7, 0.3, 0.9, 0.5}
	ts := []float64{1e-3, 0.3}
	got := make([]float64, 6)
	net.Score(got, x, ts)
	for r, tt := range ts {
		for i := 0; i < D; i++ {
			// The data mean of three equal values can be off by an ulp and the variance by
			// an ulp²; the score moves by ≲ 1e-15 relative: 1e-12 relative.
			if want := Score1D(x[r*D+i], y[i], tt); math.Abs(got[r*D+i]-want) > 1e-12*max(1, math.Abs(want)) {
				t.Errorf("t = %v, coordinate %d: score %v, exact %v", tt, i, got[r*D+i], want)
			}
		}
	}
}

// TestDSMPrecondTargets recomputes the preconditioned DSM per-sample loss of a zero-output
// network from the documented draw: t = LogNormal quantile of U, X = fold(y + √t Z), loss
// ‖(Score1D(X, y, t) − skip)/c_out‖² with weight 1 (WeightUnit) or t·c_out² (WeightT).
func TestDSMPrecondTargets(t *testing.T) {
	const D, n = 3, 20
	data := boxData(t, D, 2, n, 4)
	data[0], data[1] = 0, 1
	net := zeroNet(t, D)
	p, err := NewPrecond(data, D, 1e-3, 2, Reflected, 3)
	if err != nil {
		t.Fatal(err)
	}
	net.Pre = p
	ln := LogNormal{Mean: -3, Std: 2}
	for _, wt := range []Weighting{WeightUnit, WeightT} {
		obj, err := NewDSM(net, data, 1e-3, 2, 11)
		if err != nil {
			t.Fatal(err)
		}
		obj.Round, obj.Times, obj.Weighting = 3, ln, wt
		idx := []int{0, 5, 19}
		got := make([]float64, len(idx))
		obj.Losses(got, net.W, idx)
		for k, i := range idx {
			r := rand.New(parallel.Stream(11, 3*n+i))
			tt := ln.Quantile(r.Float64(), 1e-3, 2)
			var want float64
			for j := 0; j < D; j++ {
				y := data[i*D+j]
				x := Fold(y + math.Sqrt(tt)*r.NormFloat64())
				g := (Score1D(x, y, tt) - Score1D(x, p.Mean[j], tt+p.Var[j])) / p.COut(tt)
				want += g * g
			}
			if wt == WeightT {
				want *= tt * p.COut(tt) * p.COut(tt)
			}
			// Same operations up to the order of the final products: 1e-12 relative.
			if math.Abs(got[k]-want) > 1e-12*max(1, want) {
				t.Errorf("%v: loss of sample %d = %v, recomputed %v", wt, i, got[k], want)
			}
		}
	}
}

// TestDSMPrecondGradient checks the gradient of the preconditioned DSM risk (both weights,
// so that the per-row weights are exercised) against central differences.
func TestDSMPrecondGradient(t *testing.T) {
	const D = 3
	data := boxData(t, D, 2, 50, 1)
	net, err := NewScoreNet(D, []int{8, 8}, TimeEmbedding{Freqs: 2}, rand.NewPCG(2, 2))
	if err != nil {
		t.Fatal(err)
	}
	for i := range net.W {
		net.W[i] *= 1.5
	}
	if net.Pre, err = NewPrecond(data, D, 1e-3, 1, Reflected, 5); err != nil {
		t.Fatal(err)
	}
	for _, wt := range []Weighting{WeightUnit, WeightT} {
		obj, _ := NewDSM(net, data, 1e-3, 1, 7)
		obj.Round, obj.Times, obj.Weighting = 4, LogNormal{}, wt
		idx := []int{0, 3, 3, 17, 49}
		worst := worstGradError(obj, net.W, idx, 5)
		// Central differences, h = 1e-6: truncation O(h²) ~ 1e-12, rounding ~ 1e-16·|f|/h ~
		// 1e-9 for losses of order 10; 1e-6 leaves room (ReLU kinks are not crossed at
		// this h for generic weights).
		if worst > 1e-6 {
			t.Errorf("%v: worst relative gradient error %g", wt, worst)
		}
	}
}

// TestLogNormalQuantile checks the truncated log-normal inverse CDF against its CDF.
func TestLogNormalQuantile(t *testing.T) {
	for _, l := range []LogNormal{{}, {Mean: -1, Std: 0.5}, {Mean: -20, Std: 1}} {
		m, s := l.params()
		lo, hi := 2e-4, 1.7
		a, b := (math.Log(lo)-m)/s, (math.Log(hi)-m)/s
		for _, u := range []float64{0, 1e-9, 0.1, 0.5, 0.9, 1 - 1e-9} {
			tt := l.Quantile(u, lo, hi)
			if !(tt >= lo && tt <= hi) {
				t.Fatalf("%+v: Quantile(%v) = %v outside [%v, %v]", l, u, tt, lo, hi)
			}
			pa, pb := stdNormalCDF(a), stdNormalCDF(b)
			if pb-pa < 1e-6 {
				continue // mass far out in a tail: the clamp to [lo, hi] is what is tested
			}
			back := (stdNormalCDF((math.Log(tt)-m)/s) - pa) / (pb - pa)
			// Erfinv and Erfc are accurate to a few ulps; 1e-9 covers the conditioning
			// 1/(pb − pa) of the rescaling.
			if math.Abs(back-u) > 1e-9 {
				t.Errorf("%+v: CDF(Quantile(%v)) = %v", l, u, back)
			}
		}
	}
	for _, bad := range []LogNormal{{Std: -1}, {Mean: 1, Std: 0}, {Mean: math.NaN(), Std: 1}, {Std: math.Inf(1)}} {
		err := bad.Validate()
		if err == nil || !strings.Contains(err.Error(), "LogNormal.") {
			t.Errorf("%+v: error %v, want one naming the field", bad, err)
		}
	}
}

// TestTrainDefaultsUsed checks that Train with nil settings and a nil optimizer uses the
// documented recipe: the run is bit-identical to one with every default spelled out, the
// network gets a Precond, and the EMA is on.
func TestTrainDefaultsUsed(t *testing.T) {
	const D, steps = 2, 40
	_, data := axisData(t, D, 100, 0.5, 4)
	mk := func() *ScoreNet {
		net, _ := NewScoreNet(D, []int{8}, TimeEmbedding{Freqs: 1}, rand.NewPCG(5, 5))
		return net
	}
	a := mk()
	resA, err := Train(a, data, nil, &TrainSettings{Steps: steps})
	if err != nil {
		t.Fatal(err)
	}
	b := mk()
	explicit := &TrainSettings{Steps: steps, Batch: 128, T0: 2e-4, T1: MixingTime(D, 1e-3), Times: LogUniform{},
		Weighting: WeightT, Param: ParamPrecond, EMA: DefaultEMA(steps)}
	if _, err := Train(b, data, DefaultOptimizer(steps), explicit); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.W, b.W) {
		t.Error("defaults and the explicit recipe train different parameters")
	}
	if a.Pre == nil || resA.EMALoss == 0 {
		t.Errorf("Pre = %v, EMALoss = %v: want a Precond and the EMA on", a.Pre, resA.EMALoss)
	}
	// The plain earlier recipe is a different run.
	c := mk()
	if _, err := Train(c, data, DefaultOptimizer(steps), &TrainSettings{Steps: steps, Param: ParamPlain, EMA: EMAOff}); err != nil {
		t.Fatal(err)
	}
	if c.Pre != nil || slices.Equal(a.W, c.W) {
		t.Error("ParamPlain run has a Precond or equals the default run")
	}
}

// TestTrainRecipeErrors checks that bad recipe settings return errors naming the field.
func TestTrainRecipeErrors(t *testing.T) {
	_, data := axisData(t, 2, 10, 0.5, 4)
	net, _ := NewScoreNet(2, []int{4}, TimeEmbedding{}, rand.NewPCG(5, 5))
	for _, c := range []struct {
		s    TrainSettings
		want string
	}{
		{TrainSettings{Times: LogNormal{Std: -2}}, "LogNormal.Std = -2"},
		{TrainSettings{Times: LogNormal{Mean: math.NaN(), Std: 1}}, "LogNormal.Mean = NaN"},
		{TrainSettings{Weighting: 5}, "Weighting = 5"},
		{TrainSettings{Param: 9}, "Param = 9"},
		{TrainSettings{EMA: -0.5}, "EMA = -0.5"},
	} {
		_, err := Train(net, data, &sam.Adam{}, &c.s)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want one containing %q", c.s, err, c.want)
		}
	}
	pre, _ := NewScoreNet(2, []int{4}, TimeEmbedding{}, rand.NewPCG(5, 5))
	pre.Pre, _ = NewPrecond(data, 2, 1e-3, 1, Reflected, 1)
	if _, err := Train(pre, data, &sam.Adam{}, &TrainSettings{Param: ParamPlain}); err == nil || !strings.Contains(err.Error(), "Param = plain") {
		t.Errorf("plain with a Precond: %v", err)
	}
	if _, err := NewPrecond(data, 2, 1, 0.5, Reflected, 1); err == nil || !strings.Contains(err.Error(), "lo = 1") {
		t.Errorf("NewPrecond bad times: %v", err)
	}
}

// TestScoreNetPrecondPersist checks that Save and LoadScoreNet keep the preconditioning bit
// for bit, and that a corrupted preconditioning section is an error.
func TestScoreNetPrecondPersist(t *testing.T) {
	const D = 3
	data := boxData(t, D, 2, 30, 2)
	net, _ := NewScoreNet(D, []int{8}, TimeEmbedding{Freqs: 2}, rand.NewPCG(5, 5))
	net.Pre, _ = NewPrecond(data, D, 1e-3, 1, Reflected, 1)
	var buf bytes.Buffer
	if err := net.Save(&buf); err != nil {
		t.Fatal(err)
	}
	raw := slices.Clone(buf.Bytes())
	got, err := LoadScoreNet(&buf)
	if err != nil {
		t.Fatal(err)
	}
	x, ts := data[:2*D], []float64{1e-3, 0.4}
	s1, s2 := make([]float64, 2*D), make([]float64, 2*D)
	net.Score(s1, x, ts)
	got.Score(s2, x, ts)
	if !slices.Equal(s1, s2) {
		t.Errorf("loaded score %v, saved %v", s2, s1)
	}
	raw[40] ^= 1 // inside the pre section (header 24 bytes, pre magic + version 12)
	if _, err := LoadScoreNet(bytes.NewReader(raw)); err == nil {
		t.Error("corrupted preconditioning: no error")
	}
}

// TestPrecondFreePointMass checks the Free process's preconditioning: for data at one point
// y the Gaussian skip −(x − y)/t is the exact free score, so a zero-output network is exact,
// and every scheme of the Free sampler driven by it ends near y.
func TestPrecondFreePointMass(t *testing.T) {
	const D = 2
	y := []float64{0.3, 0.6}
	data := slices.Concat(y, y)
	p, err := NewPrecond(data, D, 1e-3, 2, Free, 1)
	if err != nil {
		t.Fatal(err)
	}
	net := zeroNet(t, D)
	net.Pre = p
	x := []float64{0.1, 0.9}
	got := make([]float64, D)
	net.Score(got, x, []float64{0.05})
	for i := range got {
		// mean of two equal values: exact up to an ulp, 1e-12 relative.
		if want := -(x[i] - y[i]) / 0.05; math.Abs(got[i]-want) > 1e-12*math.Abs(want) {
			t.Errorf("coordinate %d: score %v, free exact %v", i, got[i], want)
		}
	}
	for _, sc := range []Scheme{SchemeEM, SchemeHeun, SchemeODE} {
		gen := make([]float64, 200*D)
		s := &Sampler{T0: 1e-3, T: 2, Steps: 100, Scheme: sc, Process: Free, Final: FinalTweedie}
		if err := s.Sample(gen, net, 3); err != nil {
			t.Fatal(err)
		}
		var worst float64
		for i, v := range gen {
			worst = max(worst, math.Abs(v-y[i%D]))
		}
		// Tweedie's step for a point mass lands exactly on y up to rounding (Free: no
		// images), whatever the discretisation left at t₀: 1e-9.
		if worst > 1e-9 {
			t.Errorf("%v: max |x − y| = %g after Tweedie", sc, worst)
		}
	}
}
