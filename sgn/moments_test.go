package sgn

import (
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// naiveMoments is the textbook two-pass computation, the reference for Moments.
func naiveMoments(g *mat.Dense) (mean []float64, trace float64) {
	n, d := g.Dims()
	mean = make([]float64, d)
	for i := 0; i < n; i++ {
		floats.Add(mean, g.RawRowView(i))
	}
	floats.Scale(1/float64(n), mean)
	for i := 0; i < n; i++ {
		for j, v := range g.RawRowView(i) {
			trace += (v - mean[j]) * (v - mean[j])
		}
	}
	return mean, trace / float64(n)
}

func TestMomentsMatchTwoPassAndChunks(t *testing.T) {
	g := randDense(37, 11, 3)
	// Shift the rows so that ‖ḡ‖² ≫ tr Σ, which the norm formula handles worst.
	for i := 0; i < 37; i++ {
		floats.AddConst(5, g.RawRowView(i))
	}
	mean, tr := naiveMoments(g)
	mo, err := ComputeMoments(g)
	if err != nil {
		t.Fatal(err)
	}
	// 1e-12: both are sums of 37·11 O(25) terms in double precision.
	if !floats.EqualApprox(mo.Mean, mean, 1e-12) || !relClose(mo.TraceCov(), tr, 1e-12) {
		t.Fatalf("moments: trace %v vs %v", mo.TraceCov(), tr)
	}
	if !relClose(mo.TraceCovUnbiased(), tr*37/36, 1e-12) {
		t.Fatalf("unbiased trace %v vs %v", mo.TraceCovUnbiased(), tr*37/36)
	}
	// Chunks of uneven size, merged by Chan's update, give the same moments.
	acc := NewAccumulator(11)
	for _, c := range [][2]int{{0, 5}, {5, 6}, {6, 30}, {30, 37}} {
		if err := acc.Add(g.Slice(c[0], c[1], 0, 11)); err != nil {
			t.Fatal(err)
		}
	}
	mc, err := acc.Moments()
	if err != nil {
		t.Fatal(err)
	}
	if !floats.EqualApprox(mc.Mean, mean, 1e-12) || !relClose(mc.TraceCov(), tr, 1e-12) {
		t.Fatalf("chunked: trace %v vs %v", mc.TraceCov(), tr)
	}
	// The norm formula (1/n)Σ‖gᵢ‖² − ‖ḡ‖² agrees up to its cancellation error
	// (≈ 1e-16·‖ḡ‖²/tr Σ ≈ 1e-14 relative here).
	var msq float64
	for i := 0; i < 37; i++ {
		msq += floats.Dot(g.RawRowView(i), g.RawRowView(i)) / 37
	}
	tn, err := TraceCovFromNorms(msq, mean, 37, false)
	if err != nil || !relClose(tn, tr, 1e-11) {
		t.Fatalf("TraceCovFromNorms = %v, %v; want %v", tn, err, tr)
	}
	// NoiseScale is tr Σ/‖ḡ‖² by definition.
	if !relClose(mo.NoiseScale(), tr/floats.Dot(mean, mean), 1e-12) {
		t.Fatal("NoiseScale")
	}
}

// psg is a PerSampleGrader that serves rows of a fixed matrix.
type psg struct{ g *mat.Dense }

func (p psg) Dim() int { _, d := p.g.Dims(); return d }
func (p psg) PerSampleGrads(dst *mat.Dense, w []float64, idx []int) {
	for k, i := range idx {
		dst.SetRow(k, p.g.RawRowView(i))
	}
}

func TestStreamMoments(t *testing.T) {
	g := randDense(50, 7, 4)
	idx := []int{3, 1, 4, 15, 9, 26, 5, 35, 8, 49, 7, 0}
	sub := mat.NewDense(len(idx), 7, nil)
	for k, i := range idx {
		sub.SetRow(k, g.RawRowView(i))
	}
	want, _ := ComputeMoments(sub)
	got, err := StreamMoments(psg{g}, make([]float64, 7), idx, 5)
	if err != nil {
		t.Fatal(err)
	}
	// 1e-13: same arithmetic up to the order of the chunk merges.
	if !relClose(got.TraceCov(), want.TraceCov(), 1e-13) || !floats.EqualApprox(got.Mean, want.Mean, 1e-13) {
		t.Fatalf("StreamMoments trace %v, want %v", got.TraceCov(), want.TraceCov())
	}
}

// subsets calls f with every size-m subset of {0..n−1}.
func subsets(n, m int, f func([]int)) {
	idx := make([]int, m)
	var rec func(start, k int)
	rec = func(start, k int) {
		if k == m {
			f(idx)
			return
		}
		for i := start; i <= n-(m-k); i++ {
			idx[k] = i
			rec(i+1, k+1)
		}
	}
	rec(0, 0)
}

// exactMicro enumerates every size-m subset and returns E‖∇f_γ‖² and E‖∇f_γ‖.
func exactMicro(g *mat.Dense, m int) (sq, norm float64) {
	n, d := g.Dims()
	v := make([]float64, d)
	var cnt float64
	subsets(n, m, func(idx []int) {
		for j := range v {
			v[j] = 0
		}
		for _, i := range idx {
			floats.AddScaled(v, 1/float64(m), g.RawRowView(i))
		}
		s := floats.Dot(v, v)
		sq += s
		norm += math.Sqrt(s)
		cnt++
	})
	return sq / cnt, norm / cnt
}

func TestFinitePopulationIdentityExhaustive(t *testing.T) {
	g := randDense(9, 4, 5)
	for i := 0; i < 9; i++ {
		floats.AddConst(0.3, g.RawRowView(i))
	}
	mo, _ := ComputeMoments(g)
	for m := 1; m <= 9; m++ {
		sq, norm := exactMicro(g, m)
		got, err := mo.ExpectedSqNorm(m)
		if err != nil {
			t.Fatal(err)
		}
		// The identity is exact; 1e-12 covers rounding in sums of ≤ 126 subsets.
		if !relClose(got, sq, 1e-12) {
			t.Errorf("m=%d: ‖ḡ‖²+c_m trΣ = %v, enumeration %v", m, got, sq)
		}
		ub, _ := mo.SqrtExpectedSqNorm(m)
		if norm > ub*(1+1e-12) {
			t.Errorf("m=%d: Jensen violated: E‖g_γ‖ = %v > %v", m, norm, ub)
		}
		if m == 9 && !relClose(norm, math.Sqrt(mo.MeanSqNorm()), 1e-12) {
			t.Errorf("m=n: E‖g_γ‖ = %v, want ‖ḡ‖ = %v", norm, math.Sqrt(mo.MeanSqNorm()))
		}
	}
}

func TestMicroBatchNormsMonteCarlo(t *testing.T) {
	g := randDense(12, 5, 6)
	for _, m := range []int{1, 3, 6} {
		sq, norm := exactMicro(g, m)
		var st MicroBatchStats
		var err error
		withProcs(2, func() { st, err = MicroBatchNorms(g, m, 20000, 7) })
		if err != nil {
			t.Fatal(err)
		}
		// 5 standard errors: a correct sampler fails with probability < 6e-7 per check
		// (normal approximation; 20000 draws).
		if math.Abs(st.MeanSqNorm-sq) > 5*st.SqNormStdErr || math.Abs(st.MeanNorm-norm) > 5*st.NormStdErr {
			t.Errorf("m=%d: MC (%v±%v, %v±%v), exact (%v, %v)", m, st.MeanSqNorm, st.SqNormStdErr, st.MeanNorm, st.NormStdErr, sq, norm)
		}
		var one MicroBatchStats
		withProcs(1, func() { one, _ = MicroBatchNorms(g, m, 20000, 7) })
		if one != st {
			t.Errorf("m=%d: GOMAXPROCS 1 and 2 differ: %+v vs %+v", m, one, st)
		}
	}
}

// rowGrader is a BatchGrader whose per-sample gradients are the rows of g.
type rowGrader struct{ g *mat.Dense }

func (r rowGrader) Dim() int { _, d := r.g.Dims(); return d }
func (r rowGrader) LossGrad(grad, w []float64, idx []int) float64 {
	for j := range grad {
		grad[j] = 0
	}
	for _, i := range idx {
		floats.AddScaled(grad, 1/float64(len(idx)), r.g.RawRowView(i))
	}
	return 0
}

func TestMicroBatchNormsGradMatchesMatrix(t *testing.T) {
	g := randDense(15, 6, 8)
	pool := make([]int, 15)
	for i := range pool {
		pool[i] = i
	}
	a, err := MicroBatchNorms(g, 4, 300, 9)
	if err != nil {
		t.Fatal(err)
	}
	b, err := MicroBatchNormsGrad(rowGrader{g}, make([]float64, 6), pool, 4, 300, 9)
	if err != nil {
		t.Fatal(err)
	}
	// Same subsets, same sums up to the order of additions: 1e-13.
	if !relClose(a.MeanSqNorm, b.MeanSqNorm, 1e-13) || !relClose(a.MeanNorm, b.MeanNorm, 1e-13) {
		t.Fatalf("matrix %+v vs objective %+v", a, b)
	}
}

func TestTwoBatchEstimateInvertsIdentity(t *testing.T) {
	gsq, tr := 0.7, 3.1
	for _, n := range []int{0, 500} {
		c := func(b int) float64 {
			if n == 0 {
				return 1 / float64(b)
			}
			v, _ := FinitePopulationFactor(n, b)
			return v
		}
		s, b := gsq+c(16)*tr, gsq+c(256)*tr
		g2, t2, err := TwoBatchEstimate(16, 256, s, b, n)
		if err != nil {
			t.Fatal(err)
		}
		// Exact inversion of a 2×2 system: rounding only.
		if !relClose(g2, gsq, 1e-12) || !relClose(t2, tr, 1e-12) {
			t.Errorf("n=%d: got (%v, %v), want (%v, %v)", n, g2, t2, gsq, tr)
		}
	}
}

func TestMomentErrors(t *testing.T) {
	nanG := randDense(5, 3, 1)
	nanG.Set(2, 1, math.NaN())
	cases := []struct {
		name, want string
		err        error
	}{
		{"one sample", "need at least 2", func() error { _, e := ComputeMoments(randDense(1, 3, 1)); return e }()},
		{"NaN gradient", "row 2, coordinate 1", func() error { _, e := ComputeMoments(nanG); return e }()},
		{"m > n", "m = 6", func() error { _, e := FinitePopulationFactor(5, 6); return e }()},
		{"m = 0", "m = 0", func() error { _, e := FinitePopulationFactor(5, 0); return e }()},
		{"n = 1", "n = 1", func() error { _, e := FinitePopulationFactor(1, 1); return e }()},
		{"micro m > n", "m = 9", func() error { _, e := MicroBatchNorms(randDense(5, 2, 1), 9, 10, 1); return e }()},
		{"micro NaN", "row 2", func() error { _, e := MicroBatchNorms(nanG, 2, 10, 1); return e }()},
		{"micro reps", "reps = 1", func() error { _, e := MicroBatchNorms(randDense(5, 2, 1), 2, 1, 1); return e }()},
		{"two batch order", "bSmall = 8", func() error { _, _, e := TwoBatchEstimate(8, 8, 1, 1, 0); return e }()},
		{"two batch NaN", "NaN", func() error { _, _, e := TwoBatchEstimate(2, 8, math.NaN(), 1, 0); return e }()},
		{"stream short", "len(idx) = 1", func() error { _, e := StreamMoments(psg{nanG}, nil, []int{0}, 0); return e }()},
	}
	for _, c := range cases {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("%s: error %v, want it to mention %q", c.name, c.err, c.want)
		}
	}
	mustPanic(t, "Accumulator.Add columns", func() { NewAccumulator(4).Add(randDense(3, 3, 1)) })
	mustPanic(t, "CenterRows shape", func() { CenterRows(randDense(3, 3, 1), randDense(3, 4, 1), nil) })
}

func TestTwoBatchEstimateFromMonteCarlo(t *testing.T) {
	// End to end: squared norms of random minibatch gradients at two sizes, estimated by
	// MicroBatchNorms, recover ‖ḡ‖² and tr Σ through TwoBatchEstimate with the finite
	// population n.
	g := randDense(64, 10, 17)
	for i := 0; i < 64; i++ {
		floats.AddConst(0.4, g.RawRowView(i))
	}
	mo, _ := ComputeMoments(g)
	s, _ := MicroBatchNorms(g, 4, 20000, 1)
	b, _ := MicroBatchNorms(g, 32, 20000, 2)
	g2, tr, err := TwoBatchEstimate(4, 32, s.MeanSqNorm, b.MeanSqNorm, 64)
	if err != nil {
		t.Fatal(err)
	}
	cs, _ := FinitePopulationFactor(64, 4)
	cb, _ := FinitePopulationFactor(64, 32)
	// Standard errors propagated through the 2×2 inversion (independent estimates);
	// 5 SE fails with probability < 1e-6 for a correct implementation.
	seTr := math.Hypot(s.SqNormStdErr, b.SqNormStdErr) / (cs - cb)
	seG := math.Hypot(cs*b.SqNormStdErr, cb*s.SqNormStdErr) / (cs - cb)
	if math.Abs(tr-mo.TraceCov()) > 5*seTr || math.Abs(g2-mo.MeanSqNorm()) > 5*seG {
		t.Errorf("two-batch: tr Σ %v ± %v (exact %v), ‖ḡ‖² %v ± %v (exact %v)", tr, seTr, mo.TraceCov(), g2, seG, mo.MeanSqNorm())
	}
}
