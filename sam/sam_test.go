package sam

import (
	"math"
	"runtime"
	"strings"
	"testing"
)

// perturbationOf runs one step of opt on obj at w and returns ε = (second LossGrad point) − w.
func perturbationOf(t *testing.T, opt *SAM, obj *spy, w []float64, batch []int) []float64 {
	t.Helper()
	rec := &recorder{}
	opt.Base = rec
	if _, err := opt.Step(w, obj, batch); err != nil {
		t.Fatal(err)
	}
	if len(obj.pts) < 2 {
		t.Fatalf("%d LossGrad calls, want >= 2", len(obj.pts))
	}
	return sub(obj.pts[len(obj.pts)-1], w)
}

// ‖ε‖ = ρ for SAM, ρ‖g‖ for USAM (the ascent gradient g is ∇f at w on the batch).
func TestPerturbationNorm(t *testing.T) {
	obj, w := smallTask(1, 8, 5)
	g := make([]float64, len(w))
	obj.LossGrad(g, w, seq(8))
	for _, rho := range []float64{1e-3, 0.05, 0.7} {
		e := perturbationOf(t, &SAM{Rho: rho}, &spy{obj: obj}, w, seq(8))
		// ‖ε‖ = ρ‖g‖/(‖g‖+1e-12); differencing (w+ε)−w loses up to ulp(|w|) ≈ 1e-16 per coordinate.
		if got := norm(e); math.Abs(got-rho) > 1e-12*rho+1e-15 {
			t.Errorf("SAM rho=%v: ‖ε‖ = %v", rho, got)
		}
		e = perturbationOf(t, &SAM{Rho: rho, Norm: Unnormalized}, &spy{obj: obj}, w, seq(8))
		if got, want := norm(e), rho*norm(g); math.Abs(got-want) > 1e-12*want+1e-15 {
			t.Errorf("USAM rho=%v: ‖ε‖ = %v, want ρ‖g‖ = %v", rho, got, want)
		}
	}
}

// ASAM by hand: f = ½‖w‖² so g = w; w = (1, −2, 0.5), T = |w| + η.
// η = 0: Tg = (1, −4, 0.25), ‖Tg‖² = 17.0625, T²g = (1, −8, 0.125).
// η = 0.5 on coordinates {0, 2} only: t = (1.5, 1, 1), Tg = (1.5, −2, 0.5),
// ‖Tg‖² = 6.5, T²g = (2.25, −2, 0.5).
func TestASAMHand(t *testing.T) {
	w := []float64{1, -2, 0.5}
	const rho = 0.3
	cases := []struct {
		opt  *SAM
		t2g  []float64
		norm float64
	}{
		{&SAM{Rho: rho, Adaptive: true, Eps: -1}, []float64{1, -8, 0.125}, math.Sqrt(17.0625)},
		{&SAM{Rho: rho, Adaptive: true, Eta: 0.5, AdaptiveMask: []bool{true, false, true}, Eps: -1},
			[]float64{2.25, -2, 0.5}, math.Sqrt(6.5)},
	}
	for k, c := range cases {
		e := perturbationOf(t, c.opt, &spy{obj: &quad{a: []float64{1, 1, 1}}}, w, []int{0})
		for i := range e {
			want := rho * c.t2g[i] / c.norm
			if math.Abs(e[i]-want) > 1e-15 { // a few roundings of O(1) numbers
				t.Errorf("case %d: ε[%d] = %v, want %v", k, i, e[i], want)
			}
		}
	}
}

// Unified λ = 1 is SAM and λ = 0 is USAM bit for bit (1−1 = 0 and 0/x = 0 exactly).
func TestUnifiedLimits(t *testing.T) {
	obj, w := smallTask(2, 6, 4)
	for _, c := range []struct {
		lambda float64
		norm   Norm
	}{{1, Normalized}, {0, Unnormalized}} {
		a := perturbationOf(t, &SAM{Rho: 0.2, Norm: Unified, Lambda: c.lambda}, &spy{obj: obj}, w, seq(6))
		b := perturbationOf(t, &SAM{Rho: 0.2, Norm: c.norm}, &spy{obj: obj}, w, seq(6))
		if !bitsEqual(a, b) {
			t.Errorf("Unified λ=%v differs from %v", c.lambda, c.norm)
		}
	}
}

// samRef is the textbook SAM direction ∇f_γ(w + ρ g/(‖g‖+1e-12)), written out independently.
func samRef(obj *DiagNet, w []float64, rho float64, idx []int, usam bool) []float64 {
	g := make([]float64, len(w))
	obj.LossGrad(g, w, idx)
	c := rho
	if !usam {
		c = rho / (norm(g) + 1e-12)
	}
	wp := make([]float64, len(w))
	for i := range w {
		wp[i] = w[i] + c*g[i]
	}
	d := make([]float64, len(w))
	obj.LossGrad(d, wp, idx)
	return d
}

// m = B is SAM; m = 1 is the explicit per-sample loop; any m is the mean of SAM directions
// of consecutive micro-batches.
func TestMicroBatchIdentities(t *testing.T) {
	obj, w := smallTask(3, 12, 6)
	batch := []int{5, 2, 11, 0, 7, 3, 9, 1}
	for _, usam := range []bool{false, true} {
		nm := Normalized
		if usam {
			nm = Unnormalized
		}
		for _, m := range []int{0, 8, 4, 2, 1} {
			rec := &recorder{}
			opt := &SAM{Base: rec, Rho: 0.3, Micro: m, Norm: nm}
			if _, err := opt.Step(w, obj, batch); err != nil {
				t.Fatal(err)
			}
			mm := m
			if m == 0 {
				mm = len(batch)
			}
			want := make([]float64, len(w))
			for j := 0; j < len(batch); j += mm {
				d := samRef(obj, w, 0.3, batch[j:j+mm], usam)
				for i := range want {
					want[i] += d[i] / float64(len(batch)/mm)
				}
			}
			// Same arithmetic up to the order of the 1/K scaling: a few ulps of O(1) values.
			if e := dist(rec.g, want); e > 1e-14*(1+norm(want)) {
				t.Errorf("usam=%v m=%d: ‖d − ref‖ = %g", usam, m, e)
			}
		}
	}
}

// The parameters handed to the base updater are bit-identical to w before the step, and w
// is untouched by the ascent, for every variant.
func TestParametersRestored(t *testing.T) {
	obj, w := smallTask(4, 8, 5)
	w0 := append([]float64(nil), w...)
	for _, opt := range []*SAM{
		{Rho: 0.5}, {Rho: 0.5, Micro: 2}, {Rho: 0.5, Norm: Unnormalized, Micro: 1},
		{Rho: 0.5, Adaptive: true, Eta: 0.01}, {Rho: 0.5, AscentSteps: 3}, {Rho: 0.5, AscentWD: 0.1},
	} {
		rec := &recorder{}
		opt.Base = rec
		if _, err := opt.Step(w, obj, seq(8)); err != nil {
			t.Fatal(err)
		}
		if !bitsEqual(rec.w, w0) || !bitsEqual(w, w0) {
			t.Errorf("%+v: parameters changed by the ascent", *opt)
		}
	}
}

// m-SAM is bit-identical for GOMAXPROCS 1 and 2.
func TestMicroDeterministic(t *testing.T) {
	// p = 10000: 2p·K is far above serialWork and 2p above chunk, so GOMAXPROCS = 2 runs
	// the parallel rounds and the chunked reduction, GOMAXPROCS = 1 the serial loop.
	obj, w := smallTask(5, 64, 10000)
	run := func(procs int) []float64 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		rec := &recorder{}
		opt := &SAM{Base: rec, Rho: 0.2, Micro: 2}
		if _, err := opt.Step(w, obj, seq(64)); err != nil {
			t.Fatal(err)
		}
		return rec.g
	}
	if a, b := run(1), run(2); !bitsEqual(a, b) {
		t.Error("m-SAM differs between GOMAXPROCS 1 and 2")
	}
}

// SAM with fixed ρ on f = ½(λ₁w₁² + λ₂w₂²) with GD step η ends in a 2-cycle along the top
// eigenvector e₁: w₂ → 0 and w₁ → ±a with a = ηλ₁ρ/(2 − ηλ₁) (the fixed point of
// w₁ ↦ w₁ − ηλ₁(w₁ + ρ sign w₁) = −w₁).
func TestQuadraticOscillation(t *testing.T) {
	const l1, l2, eta, rho = 4.0, 1.0, 0.125, 0.1
	obj := &quad{a: []float64{l1, l2}}
	opt := &SAM{Base: &SGD{LR: eta}, Rho: rho}
	w := []float64{1, 1}
	for range 2000 {
		if _, err := opt.Step(w, obj, []int{0}); err != nil {
			t.Fatal(err)
		}
	}
	a := eta * l1 * rho / (2 - eta*l1)
	prev := w[0]
	if _, err := opt.Step(w, obj, []int{0}); err != nil {
		t.Fatal(err)
	}
	// w₂ contracts by ≤ (1 − ηλ₂) per step: 0.875^2000 ≈ 1e-116. The cycle is reached to
	// rounding; 1e-12 leaves room for the ε_num = 1e-12 in the normalisation.
	if math.Abs(w[1]) > 1e-12 || math.Abs(math.Abs(w[0])-a) > 1e-12 || prev*w[0] >= 0 {
		t.Errorf("w = %v (previous w₁ = %v), want a 2-cycle ±%v along e₁", w, prev, a)
	}
}

// Gradient clipping acts on the descent gradient only: the ascent still has ‖ε‖ = ρ.
func TestClipDescentOnly(t *testing.T) {
	obj, w := smallTask(6, 8, 5)
	sp := &spy{obj: obj}
	opt := &SAM{Rho: 0.4, ClipNorm: 1e-3}
	e := perturbationOf(t, opt, sp, w, seq(8))
	if math.Abs(norm(e)-0.4) > 1e-12 {
		t.Errorf("‖ε‖ = %v with clipping, want 0.4", norm(e))
	}
	if g := opt.Base.(*recorder).g; math.Abs(norm(g)-1e-3) > 1e-15 {
		t.Errorf("‖d‖ = %v, want the clip norm 1e-3", norm(g))
	}
}

// The zero-gradient guard: at a stationary point with Eps < 0 (no epsilon) SAM takes the
// plain gradient with a single pass and no NaN.
func TestZeroGradientGuard(t *testing.T) {
	opt := &SAM{Base: &SGD{}, Rho: 0.1, Eps: -1}
	w := []float64{0, 0}
	if _, err := opt.Step(w, &quad{a: []float64{1, 2}}, []int{0}); err != nil {
		t.Fatal(err)
	}
	if c := opt.LastCost(); c.Backward != 1 || w[0] != 0 || w[1] != 0 {
		t.Errorf("cost %+v, w %v: want one pass and w = 0", c, w)
	}
}

// Multi-step ascent stays on the ρ-sphere (projection) and costs one pass per step.
func TestMultiStepAscent(t *testing.T) {
	obj, w := smallTask(7, 8, 5)
	opt := &SAM{Rho: 0.3, AscentSteps: 3}
	e := perturbationOf(t, opt, &spy{obj: obj}, w, seq(8))
	if math.Abs(norm(e)-0.3) > 1e-12 {
		t.Errorf("‖ε‖ = %v, want ρ = 0.3", norm(e))
	}
	if c := opt.LastCost(); c.Backward != 4 || c.Serial != 4 {
		t.Errorf("cost %+v, want 4 passes", c)
	}
}

func TestCost(t *testing.T) {
	obj, w := smallTask(8, 16, 4)
	for _, c := range []struct {
		m, serial, depth int
	}{{0, 2, 2}, {4, 8, 2}, {1, 32, 2}} {
		opt := &SAM{Base: &recorder{}, Rho: 0.1, Micro: c.m}
		if _, err := opt.Step(w, obj, seq(16)); err != nil {
			t.Fatal(err)
		}
		got := opt.LastCost()
		if got.Serial != c.serial || got.Depth != c.depth || got.ForwardSamples != 32 || got.BackwardSamples != 32 {
			t.Errorf("m=%d: cost %+v", c.m, got)
		}
	}
}

func TestRemainder(t *testing.T) {
	obj, w := smallTask(9, 7, 4)
	if _, err := (&SAM{Base: &recorder{}, Rho: 0.1, Micro: 3}).Step(w, obj, seq(7)); err == nil ||
		!strings.Contains(err.Error(), "Micro = 3") {
		t.Errorf("non-dividing Micro: err = %v", err)
	}
	rec := &recorder{}
	if _, err := (&SAM{Base: rec, Rho: 0.1, Micro: 3, Remainder: RemainderPartial}).Step(w, obj, seq(7)); err != nil {
		t.Fatal(err)
	}
	want := make([]float64, len(w))
	for _, mb := range [][]int{{0, 1, 2}, {3, 4, 5}, {6}} {
		d := samRef(obj, w, 0.1, mb, false)
		for i := range want {
			want[i] += float64(len(mb)) / 7 * d[i]
		}
	}
	if e := dist(rec.g, want); e > 1e-14*(1+norm(want)) { // a few ulps
		t.Errorf("partial remainder: ‖d − ref‖ = %g", e)
	}
}

func TestBadInput(t *testing.T) {
	obj, w := smallTask(10, 4, 3)
	nan := append([]float64(nil), w...)
	nan[2] = math.NaN()
	cases := []struct {
		name  string
		opt   Optimizer
		w     []float64
		batch []int
		want  string
	}{
		{"rho<0", &SAM{Base: &SGD{}, Rho: -1}, w, seq(4), "Rho = -1"},
		{"m<0", &SAM{Base: &SGD{}, Rho: 0.1, Micro: -2}, w, seq(4), "Micro = -2"},
		{"nil base", &SAM{Rho: 0.1}, w, seq(4), "Base = nil"},
		{"empty batch", &SAM{Base: &SGD{}, Rho: 0.1}, w, nil, "empty"},
		{"NaN params", &SAM{Base: &SGD{}, Rho: 0.1}, nan, seq(4), "w[2] = NaN"},
		{"index", &SAM{Base: &SGD{}, Rho: 0.1}, w, []int{0, 9}, "batch[1] = 9"},
		{"lambda", &SAM{Base: &SGD{}, Rho: 0.1, Norm: Unified, Lambda: 2}, w, seq(4), "Lambda = 2"},
		{"bad base", &SAM{Base: &SGD{LR: -1}, Rho: 0.1}, w, seq(4), "LR = -1"},
		{"sgd NaN", &SGD{}, nan, seq(4), "w[2] = NaN"},
		{"nsam rho<0", &NSAM{Base: &SGD{}, Rho: -1}, w, seq(4), "Rho = -1"},
		{"nsam nil base", &NSAM{Rho: 0.1}, w, seq(4), "Base = nil"},
		{"nsam empty batch", &NSAM{Base: &SGD{}, Rho: 0.1}, w, nil, "empty"},
		{"nsam NaN params", &NSAM{Base: &SGD{}, Rho: 0.1}, nan, seq(4), "w[2] = NaN"},
		{"rwsam unit<0", &RWSAM{Base: &SGD{}, Rho: 0.1, Unit: -1}, w, seq(4), "Unit = -1"},
		{"rwsam empty batch", &RWSAM{Base: &SGD{}, Rho: 0.1}, w, nil, "empty"},
		{"rwsam NaN params", &RWSAM{Base: &SGD{}, Rho: 0.1}, nan, seq(4), "w[2] = NaN"},
	}
	for _, c := range cases {
		_, err := c.opt.Step(c.w, obj, c.batch)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want it to mention %q", c.name, err, c.want)
		}
	}
}

// A diverging run reports the non-finite loss instead of continuing.
func TestDivergenceError(t *testing.T) {
	opt := &SAM{Base: &SGD{LR: 10}, Rho: 0.1}
	w := []float64{1, 1}
	var err error
	for k := 0; k < 2000 && err == nil; k++ {
		_, err = opt.Step(w, &quad{a: []float64{3, 1}}, []int{0})
	}
	if err == nil || !strings.Contains(err.Error(), "not finite") {
		t.Errorf("err = %v, want a non-finite error", err)
	}
}
