package sam

import (
	"fmt"
	"math"
	"runtime"
	"strings"
	"testing"

	"github.com/sdeml/sdeml/nn"
)

// n-SAM with the whole data as the batch (same order) is SAM bit for bit.
func TestNSAMFullBatchIsSAM(t *testing.T) {
	obj, w := smallTask(20, 10, 4)
	for _, nm := range []Norm{Normalized, Unnormalized} {
		a, b := &recorder{}, &recorder{}
		if _, err := (&NSAM{Base: a, Rho: 0.3, Norm: nm}).Step(w, obj, seq(10)); err != nil {
			t.Fatal(err)
		}
		if _, err := (&SAM{Base: b, Rho: 0.3, Norm: nm}).Step(w, obj, seq(10)); err != nil {
			t.Fatal(err)
		}
		if !bitsEqual(a.g, b.g) {
			t.Errorf("%v: n-SAM on the full batch differs from SAM", nm)
		}
	}
}

// n-SAM's perturbation is ρ∇f/‖∇f‖ from all n samples even when the batch is a subset, and
// the descent is on the batch.
func TestNSAMUsesFullGradient(t *testing.T) {
	obj, w := smallTask(21, 10, 4)
	g := make([]float64, len(w))
	obj.LossGrad(g, w, seq(10))
	sp := &spy{obj: obj}
	rec := &recorder{}
	if _, err := (&NSAM{Base: rec, Rho: 0.2}).Step(w, sp, []int{1, 4}); err != nil {
		t.Fatal(err)
	}
	e := sub(sp.pts[1], w)
	for i := range e {
		if want := 0.2 * g[i] / (norm(g) + 1e-12); math.Abs(e[i]-want) > 1e-15 { // ulp of |w| ≤ 2
			t.Errorf("ε[%d] = %v, want %v", i, e[i], want)
		}
	}
	d := make([]float64, len(w))
	obj.LossGrad(d, sp.pts[1], []int{1, 4})
	if !bitsEqual(d, rec.g) {
		t.Error("descent gradient is not ∇f_batch(w+ε)")
	}
	if _, err := (&NSAM{Base: rec, Rho: 0.2, AscentBatch: 11}).Step(w, obj, []int{1}); err == nil ||
		!strings.Contains(err.Error(), "AscentBatch = 11") {
		t.Errorf("AscentBatch > n: err = %v", err)
	}
}

// n-SAM with an independent ascent batch draws AscentBatch distinct indices per step from
// its seeded stream (reproducible), ascends on them and descends on the batch.
func TestNSAMAscentBatch(t *testing.T) {
	obj, w := smallTask(28, 10, 4)
	run := func() (*spy, []float64) {
		sp := &spy{obj: obj}
		rec := &recorder{}
		opt := &NSAM{Base: rec, Rho: 0.2, AscentBatch: 4, Seed: 5}
		for range 3 {
			if _, err := opt.Step(w, sp, []int{7, 2}); err != nil {
				t.Fatal(err)
			}
		}
		return sp, rec.g
	}
	sp, g1 := run()
	_, g2 := run()
	if !bitsEqual(g1, g2) {
		t.Error("n-SAM with a seed is not reproducible")
	}
	distinct := map[string]bool{}
	for k, idx := range sp.idxs {
		if k%2 == 1 {
			if len(idx) != 2 || idx[0] != 7 || idx[1] != 2 {
				t.Errorf("descent pass %d on %v, want the batch [7 2]", k/2, idx)
			}
			continue
		}
		seen := map[int]bool{}
		for _, i := range idx {
			if i < 0 || i >= 10 || seen[i] {
				t.Errorf("ascent sample %v: index out of range or repeated", idx)
			}
			seen[i] = true
		}
		if len(idx) != 4 {
			t.Errorf("ascent sample of %d indices, want 4", len(idx))
		}
		distinct[fmt.Sprint(idx)] = true
	}
	// Three draws of 4 of 10 indices coincide with probability < 1e-4 (1/210 per pair
	// as sets, ordered even less); a fixed seed makes this deterministic anyway.
	if len(distinct) < 2 {
		t.Errorf("ascent samples do not change between steps: %v", sp.idxs)
	}
}

// Uniform q with k = K draws without replacement is m-SAM with the same unit size: the
// estimator is g_B + (1/K)Σ_j c_j = (1/K)Σ_j d_j exactly, up to rounding.
func TestRWSAMWithoutReplacementIsMSAM(t *testing.T) {
	dn, w := smallTask(22, 16, 5)
	batch := []int{3, 9, 0, 14, 7, 1, 12, 5}
	for _, obj := range []interface {
		Dim() int
		Len() int
		LossGrad(g, w []float64, idx []int) float64
		Losses(dst, w []float64, idx []int)
	}{dn, noPSG{dn}} {
		for _, m := range []int{1, 2, 4} {
			for _, nm := range []Norm{Normalized, Unnormalized} {
				a, b := &recorder{}, &recorder{}
				rw := &RWSAM{Form: Corrections, Base: a, Rho: 0.3, Norm: nm, Temperature: math.Inf(1), WithoutReplacement: true,
					Draws: len(batch) / m, Unit: m, Seed: 7}
				if _, err := rw.Step(w, obj, batch); err != nil {
					t.Fatal(err)
				}
				if _, err := (&SAM{Base: b, Rho: 0.3, Norm: nm, Micro: m}).Step(w, obj, batch); err != nil {
					t.Fatal(err)
				}
				// g_B − (1/K)Σ g_j cancels only to rounding: a few ulps of the O(1) gradients.
				if e := dist(a.g, b.g); e > 1e-14*(1+norm(b.g)) {
					t.Errorf("%T m=%d %v: ‖RW-SAM − m-SAM‖ = %g", obj, m, nm, e)
				}
			}
		}
	}
}

// E[d] over the draws equals the m-SAM direction, shown by enumerating every ordered
// k-tuple of units with its probability Π q_{j_r} (Gibbs q from exact scores, T = 1 and 0.5).
func TestRWSAMUnbiasedEnumeration(t *testing.T) {
	dn, w := smallTask(23, 8, 4)
	batch := []int{6, 1, 4, 3}
	for _, c := range []struct {
		m, k  int
		temp  float64
		fused bool // g_B and scores from DiagNet.LossGradNorms, or LossGrad + ExactNorm.Score
	}{{1, 2, 1, true}, {1, 3, 0.5, true}, {2, 2, 1, true}, {1, 2, 1, false}, {2, 2, 1, false}} {
		var obj nn.Objective = dn
		if !c.fused {
			obj = noFused{dn}
		}
		units := len(batch) / c.m
		ref := &recorder{}
		if _, err := (&SAM{Base: ref, Rho: 0.4, Micro: c.m}).Step(w, obj, batch); err != nil {
			t.Fatal(err)
		}
		mean := make([]float64, len(w))
		tuple := make([]int, c.k)
		var total float64
		var rec func(r int)
		rec = func(r int) {
			if r == c.k {
				rr := &recorder{}
				opt := &RWSAM{Form: Corrections, Base: rr, Rho: 0.4, Temperature: c.temp, Draws: c.k, Unit: c.m, force: tuple}
				if _, err := opt.Step(w, obj, batch); err != nil {
					t.Fatal(err)
				}
				p := 1.0
				for _, j := range tuple {
					p *= opt.q[j]
				}
				total += p
				for i := range mean {
					mean[i] += p * rr.g[i]
				}
				return
			}
			for j := range units {
				tuple[r] = j
				rec(r + 1)
			}
		}
		rec(0)
		// Σ_tuples Π q = 1 up to rounding; weights 1/(kKq) ≤ ~10 here, so 1e-13 covers the
		// accumulated rounding of ≤ 64 terms.
		if math.Abs(total-1) > 1e-13 {
			t.Errorf("probabilities sum to %v", total)
		}
		if e := dist(mean, ref.g); e > 1e-13*(1+norm(ref.g)) {
			t.Errorf("m=%d k=%d T=%v fused=%v: ‖E[d] − d_mSAM‖ = %g", c.m, c.k, c.temp, c.fused, e)
		}
	}
}

// RW-SAM is bit-identical for GOMAXPROCS 1 and 2, and the parameters reach the base
// updater unchanged.
func TestRWSAMDeterministic(t *testing.T) {
	obj, w := smallTask(24, 64, 10000)
	w0 := append([]float64(nil), w...)
	run := func(procs int) []float64 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		rec := &recorder{}
		opt := &RWSAM{Form: Corrections, Unit: 1, Base: rec, Rho: 0.2, Draws: 8, Seed: 3}
		if _, err := opt.Step(w, obj, seq(64)); err != nil {
			t.Fatal(err)
		}
		if !bitsEqual(rec.w, w0) {
			t.Error("parameters changed by the ascent")
		}
		return rec.g
	}
	if a, b := run(1), run(2); !bitsEqual(a, b) {
		t.Error("RW-SAM differs between GOMAXPROCS 1 and 2")
	}
}

// hidden hides the optional PerSampleGradNorms method of an objective.
type hidden struct{ *DiagNet }

func (h hidden) PerSampleGradNorms() {}

// noPSG hides the optional PerSampleGrads method, forcing one ascent pass per draw.
type noPSG struct{ *DiagNet }

func (h noPSG) PerSampleGrads() {}

func TestScorers(t *testing.T) {
	obj, w := smallTask(25, 20, 6)
	batch := seq(20)
	exact := make([]float64, 20)
	obj.PerSampleGradNorms(exact, w, batch)
	// Independent reference: norm of the single-sample LossGrad gradient.
	g := make([]float64, len(w))
	for k, i := range batch {
		obj.LossGrad(g, w, []int{i})
		if math.Abs(norm(g)-exact[k]) > 1e-13*(1+exact[k]) { // two summation orders
			t.Fatalf("DiagNet.PerSampleGradNorms[%d] = %v, want %v", k, exact[k], norm(g))
		}
	}
	fb := make([]float64, 20)
	c, err := (&ExactNorm{}).Score(fb, w, hidden{obj}, batch)
	if err != nil {
		t.Fatal(err)
	}
	if c.Backward != 20 {
		t.Errorf("fallback cost %+v, want 20 single-sample passes", c)
	}
	for k := range fb {
		if math.Abs(fb[k]-exact[k]) > 1e-13*(1+exact[k]) {
			t.Errorf("fallback score[%d] = %v, want %v", k, fb[k], exact[k])
		}
	}
	// FiniteDiff with R = 400 directions: s²/‖g‖² ≈ χ²_R/R (less spread for directions on
	// the sphere in d = 12), whose Wilson–Hilferty tail gives P(outside [0.6, 1.4]) < 1e-6
	// per sample; 20 samples: < 1e-4. The forward difference adds O(h) = 1e-4 relative.
	fd := make([]float64, 20)
	c, err = (&FiniteDiff{Dirs: 400, Seed: 1}).Score(fd, w, obj, batch)
	if err != nil {
		t.Fatal(err)
	}
	if c.Backward != 0 || c.Forward != 401 {
		t.Errorf("FiniteDiff cost %+v, want 401 forward passes", c)
	}
	for k := range fd {
		if r := fd[k] * fd[k] / (exact[k] * exact[k]); r < 0.6 || r > 1.4 {
			t.Errorf("FiniteDiff s²/‖g‖² [%d] = %v", k, r)
		}
	}
}

// Stale remembers the ascent-gradient norms of drawn samples; before any draw all scores are
// equal (uniform q), and it costs no pass.
func TestStaleScorer(t *testing.T) {
	obj, w := smallTask(26, 8, 4)
	st := &Stale{}
	opt := &RWSAM{Form: Corrections, Unit: 1, Base: &recorder{}, Rho: 0.1, Draws: 3, Score: st, Seed: 2}
	if _, err := opt.Step(w, obj, seq(8)); err != nil {
		t.Fatal(err)
	}
	for _, q := range opt.q {
		if math.Abs(q-1.0/8) > 1e-15 {
			t.Fatalf("first-step q = %v, want uniform", opt.q)
		}
	}
	// One batch pass, one batched ascent pass over the k drawn samples, k descent passes.
	if c := opt.LastCost(); c.Backward != 1+1+3 || c.BackwardSamples != 8+3+3 {
		t.Errorf("cost %+v, want 1 + 1 + k passes", c)
	}
	// Without PerSampleGrads each draw takes its own ascent pass: 1 + 2k.
	opt = &RWSAM{Form: Corrections, Unit: 1, Base: &recorder{}, Rho: 0.1, Draws: 3, Score: &Stale{}, Seed: 2}
	if _, err := opt.Step(w, noPSG{obj}, seq(8)); err != nil {
		t.Fatal(err)
	}
	if c := opt.LastCost(); c.Backward != 1+2*3 {
		t.Errorf("fallback cost %+v, want 1 + 2k passes", c)
	}
	exact := make([]float64, 8)
	obj.PerSampleGradNorms(exact, w, seq(8))
	s := make([]float64, 8)
	st.Score(s, w, obj, seq(8))
	for _, j := range opt.draws {
		if math.Abs(s[j]-exact[j]) > 1e-13*(1+exact[j]) {
			t.Errorf("stale score of drawn sample %d = %v, want %v", j, s[j], exact[j])
		}
	}
}

func TestRWSAMBadInput(t *testing.T) {
	obj, w := smallTask(27, 8, 3)
	cases := []struct {
		opt  *RWSAM
		want string
	}{
		{&RWSAM{Form: Corrections, Unit: 1, Base: &SGD{}, Rho: 0.1, WithoutReplacement: true}, "WithoutReplacement needs Temperature = +Inf"},
		{&RWSAM{Form: Corrections, Base: &SGD{}, Rho: 0.1, Unit: 3}, "Unit = 3 does not divide"},
		{&RWSAM{Form: Corrections, Base: &SGD{}, Rho: 0.1}, "Unit = 0: Form = Corrections needs the unit size"},
		{&RWSAM{Form: Corrections, Unit: 1, Base: &SGD{}, Rho: 0.1, Draws: -1}, "Draws = -1"},
		{&RWSAM{Form: GibbsAscent, Base: &SGD{}, Rho: 0.1, Temperature: -2}, "Temperature = -2"},
		{&RWSAM{Form: Corrections, Unit: 1, Base: &SGD{}, Rho: 0.1, Temperature: -1}, "RWSAM.Temperature = -1 must be > 0"},
		{&RWSAM{Form: Corrections, Unit: 1, Base: &SGD{}, Rho: 0.1, Temperature: math.Inf(-1)}, "RWSAM.Temperature = -Inf must be > 0"},
		{&RWSAM{Form: Corrections, Unit: 1, Base: &SGD{}, Rho: 0.1, Temperature: math.NaN()}, "RWSAM.Temperature = NaN must be > 0"},
		{&RWSAM{Form: Corrections, Unit: 1, Base: &SGD{}, Rho: 0.1, Temperature: math.Inf(1), WithoutReplacement: true, Draws: 9}, "Draws = 9"},
		{&RWSAM{Form: 7, Base: &SGD{}, Rho: 0.1}, "Form = 7 is not VirtualMicro"},
		{&RWSAM{Form: GibbsAscent, Base: &SGD{}, Rho: 0.1, Draws: 4}, "Draws = 4 applies to Form = Corrections only"},
		{&RWSAM{Form: GibbsAscent, Base: &SGD{}, Rho: 0.1, Unit: 2}, "Unit = 2 applies to Form = Corrections only"},
		{&RWSAM{Form: GibbsAscent, Base: &SGD{}, Rho: 0.1, Temperature: math.Inf(1), WithoutReplacement: true}, "WithoutReplacement applies to Form = Corrections only"},
		{&RWSAM{Form: GibbsAscent, Base: &SGD{}, Rho: 0.1, Score: &Stale{}}, "*Stale needs Form = Corrections"},
		{&RWSAM{Rho: 0.1}, "Base = nil"},
		{&RWSAM{Base: &SGD{}, Rho: -0.1}, "Rho = -0.1"},
	}
	for _, c := range cases {
		if _, err := c.opt.Step(w, obj, seq(8)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: err = %v, want %q", *c.opt, err, c.want)
		}
	}
}

// The batched-ascent path (rows of PerSampleGrads, subtracted in the reduction) gives the
// same bits as one LossGrad pass per draw (DiagNet's rows are computed by the same
// arithmetic), on the serial (small p) and the parallel (large p) engine paths.
func TestRWSAMBatchedMatchesFallback(t *testing.T) {
	for _, p := range []int{5, 10000} {
		obj, w := smallTask(29, 16, p)
		for _, k := range []int{1, 3} {
			a, b := &recorder{}, &recorder{}
			if _, err := (&RWSAM{Form: Corrections, Unit: 1, Base: a, Rho: 0.2, Draws: k, Seed: 4}).Step(w, obj, seq(16)); err != nil {
				t.Fatal(err)
			}
			if _, err := (&RWSAM{Form: Corrections, Unit: 1, Base: b, Rho: 0.2, Draws: k, Seed: 4}).Step(w, noPSG{obj}, seq(16)); err != nil {
				t.Fatal(err)
			}
			if !bitsEqual(a.g, b.g) {
				t.Errorf("p=%d k=%d: batched and per-draw ascent differ by %g", p, k, dist(a.g, b.g))
			}
		}
	}
}

// badBatch wraps an objective and writes v into gradient entry at of every LossGrad over
// more than one sample (the batch gradient g_B), leaving the loss and single-sample
// gradients finite.
type badBatch struct {
	*DiagNet
	at int
	v  float64
}

func (b badBatch) LossGrad(g, w []float64, idx []int) float64 {
	f := b.DiagNet.LossGrad(g, w, idx)
	if g != nil && len(idx) > 1 {
		g[b.at] = b.v
	}
	return f
}

// g_B is checked only inside d = g_B + Σ corrections: a NaN or ±Inf in it still stops the
// step with an error naming the entry, before the base update, on the inline (small p) and
// parallel (large p) engine paths, with and without the batched ascent.
func TestRWSAMNonFiniteBatchGradient(t *testing.T) {
	for _, p := range []int{5, 10000} {
		obj, w := smallTask(31, 16, p)
		for _, v := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
			bb := badBatch{obj, 3, v}
			for _, o := range []interface {
				Dim() int
				Len() int
				LossGrad(g, w []float64, idx []int) float64
				Losses(dst, w []float64, idx []int)
			}{bb, badBatchNoPSG{bb}} {
				rec := &recorder{}
				st := &Stale{}
				_, err := (&RWSAM{Form: Corrections, Unit: 1, Base: rec, Rho: 0.2, Draws: 3, Seed: 5, Score: st}).Step(w, o, seq(16))
				if err == nil || !strings.Contains(err.Error(), "gradient[3]") {
					t.Errorf("p=%d v=%v %T: err = %v, want a non-finite gradient[3] error", p, v, o, err)
				}
				if rec.n != 0 {
					t.Errorf("p=%d v=%v: base update ran after a non-finite direction", p, v)
				}
				if st.cnt != 0 {
					t.Errorf("p=%d v=%v: Stale learned from a failed step", p, v)
				}
			}
		}
	}
}

// badBatchNoPSG is badBatch without the optional PerSampleGrads method.
type badBatchNoPSG struct{ badBatch }

func (badBatchNoPSG) PerSampleGrads() {}
