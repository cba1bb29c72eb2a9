package meanfield

import (
	"math"
	"math/rand/v2"
	"sort"
	"testing"

	"gonum.org/v1/gonum/stat"
)

func TestWasserstein1DAgainstGonum(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	for trial := 0; trial < 50; trial++ {
		n, m := 1+r.IntN(30), 1+r.IntN(30)
		x, y := make([]float64, n), make([]float64, m)
		wx, wy := make([]float64, n), make([]float64, m)
		for i := range x {
			x[i] = r.NormFloat64()
			wx[i] = r.Float64()
		}
		for i := range y {
			y[i] = 0.5 + 2*r.NormFloat64()
			wy[i] = r.Float64()
		}
		if trial%2 == 0 {
			wx, wy = nil, nil
		}
		got, err := Wasserstein1D(x, wx, y, wy, 1)
		if err != nil {
			t.Fatal(err)
		}
		want := stat.WassersteinDistance(append([]float64(nil), x...), append([]float64(nil), y...), cp(wx), cp(wy))
		// Two exact O(n log n) algorithms (quantile vs CDF integration) differ only by
		// rounding of O(n) sums.
		if math.Abs(got-want) > 1e-12*(1+want) {
			t.Fatalf("trial %d: W1 = %v, gonum %v", trial, got, want)
		}
	}
}

func cp(x []float64) []float64 {
	if x == nil {
		return nil
	}
	return append([]float64(nil), x...)
}

func TestWasserstein1DSorted(t *testing.T) {
	r := rand.New(rand.NewPCG(23, 24))
	x, y := make([]float64, 101), make([]float64, 101)
	for i := range x {
		x[i], y[i] = r.ExpFloat64(), r.NormFloat64()
	}
	got, _ := Wasserstein1D(x, nil, y, nil, 2)
	xs, ys := cp(x), cp(y)
	sort.Float64s(xs)
	sort.Float64s(ys)
	var s float64
	for i := range xs {
		s += (xs[i] - ys[i]) * (xs[i] - ys[i])
	}
	if want := math.Sqrt(s / 101); math.Abs(got-want) > 1e-13 {
		t.Errorf("W2 = %v, sorted formula %v", got, want)
	}
	// A shift by c moves every quantile by c: W_p = |c| for any p.
	for i := range y {
		y[i] = x[i] - 0.7
	}
	for _, p := range []float64{1, 1.5, 3} {
		if got, _ := Wasserstein1D(x, nil, y, nil, p); math.Abs(got-0.7) > 1e-13 {
			t.Errorf("W_%v of a shift = %v, want 0.7", p, got)
		}
	}
	if _, err := Wasserstein1D(nil, nil, y, nil, 1); err == nil {
		t.Error("empty sample: no error")
	}
	if _, err := Wasserstein1D(x, nil, y, nil, 0.5); err == nil {
		t.Error("p = 0.5: no error")
	}
}

func TestSlicedW(t *testing.T) {
	r := rand.New(rand.NewPCG(25, 26))
	// In one dimension every direction is ±1, so SW_p = W_p exactly.
	a := randomParticles(t, 50, 1, 1)
	b := randomParticles(t, 70, 1, 2)
	sw, err := SlicedW(a, b, 2, 5, rand.NewPCG(1, 1))
	if err != nil {
		t.Fatal(err)
	}
	w, _ := Wasserstein1D(a.W, nil, b.W, nil, 2)
	if math.Abs(sw-w) > 1e-13 {
		t.Errorf("1-D SW2 = %v, W2 = %v", sw, w)
	}
	// A cloud shifted by c in D = 3: each projection is shifted by ⟨θ, c⟩, so
	// SW_2² = E⟨θ, c⟩² = |c|²/3. ⟨θ, c⟩²/|c|² ~ Beta(1/2, 1) has standard deviation
	// √(2·2/(9·5)) = 0.298, so L = 4000 directions give a standard error 0.0047 on the
	// ratio SW_2²/|c|²; the tolerance is 5 of them.
	c := []float64{0.3, -1.2, 0.5}
	a = randomParticles(t, 200, 3, 3)
	b = a.Clone()
	for k := range b.N {
		axpy(1, c, b.Row(k))
	}
	sw, err = SlicedW(a, b, 2, 4000, rand.NewPCG(r.Uint64(), 1))
	if err != nil {
		t.Fatal(err)
	}
	c2 := dot(c, c)
	if got := sw * sw / c2; math.Abs(got-1.0/3) > 5*0.0047 {
		t.Errorf("SW2²/|c|² = %v, want 1/3", got)
	}
}

func TestMarginalW1AndEmpiricalRate(t *testing.T) {
	// Weighted particles: Gauss–Hermite nodes represent N(0,1); the marginal W1 between
	// two identical systems is 0, and between a system and its shift is the shift.
	gh, err := GaussHermiteParticles(20, []float64{0, 1}, []float64{1, 2})
	if err != nil {
		t.Fatal(err)
	}
	sh := gh.Clone()
	for k := range sh.N {
		sh.Row(k)[1] += 0.25
	}
	if w, _ := MarginalW1(gh, sh, 1); math.Abs(w-0.25) > 1e-12 {
		t.Errorf("MarginalW1 of a shift = %v", w)
	}
	if w, _ := MarginalW1(gh, sh, 0); w > 1e-12 {
		t.Errorf("MarginalW1 of an unshifted coordinate = %v", w)
	}
	// The iid empirical W1 rate in 1-D: E W1(μ^N, U(0,1)) ∝ N^{−1/2}. The law is
	// represented by 2^16 midpoints. With 100 replicates the relative standard error of
	// each mean is about 5%, the slope's about 0.016; ±0.1 is six of them.
	const L = 1 << 16
	ref := make([]float64, L)
	for i := range ref {
		ref[i] = (float64(i) + 0.5) / L
	}
	Ns := []float64{64, 256, 1024, 4096}
	errs := make([][]float64, len(Ns))
	r := rand.New(rand.NewPCG(31, 32))
	for i, n := range Ns {
		for range 100 {
			x := make([]float64, int(n))
			for j := range x {
				x[j] = r.Float64()
			}
			w, _ := Wasserstein1D(x, nil, ref, nil, 1)
			errs[i] = append(errs[i], w)
		}
	}
	fit, err := LogLogSlope(Ns, errs, 0.95, 500, rand.NewPCG(1, 2))
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(fit.Slope+0.5) > 0.1 {
		t.Errorf("iid W1 slope %v, want -0.5", fit.Slope)
	}
}

func TestLogLogSlopeExact(t *testing.T) {
	// Exact power law e = 3 N^{−0.7} with multiplicative replicate noise that averages to
	// 1 at every N (symmetric pairs 1 ± 0.1): the fit is exact and every bootstrap
	// resample stays within the spread of the noise.
	ns := []float64{10, 20, 40, 80, 160}
	errs := make([][]float64, len(ns))
	for i, n := range ns {
		e := 3 * math.Pow(n, -0.7)
		errs[i] = []float64{0.9 * e, 1.1 * e}
	}
	fit, err := LogLogSlope(ns, errs, 0.9, 300, rand.NewPCG(1, 1))
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(fit.Slope+0.7) > 1e-12 || math.Abs(fit.Intercept-math.Log(3)) > 1e-12 {
		t.Errorf("fit %+v, want slope -0.7, intercept log 3", fit)
	}
	if !(fit.Lo <= fit.Slope && fit.Slope <= fit.Hi) || fit.Hi-fit.Lo > 0.2 {
		t.Errorf("CI [%v, %v] around %v", fit.Lo, fit.Hi, fit.Slope)
	}
	if _, err := LogLogSlope(ns[:1], errs[:1], 0.9, 10, rand.NewPCG(1, 1)); err == nil {
		t.Error("one size: no error")
	}
	if _, err := LogLogSlope(ns, errs, 1.5, 10, rand.NewPCG(1, 1)); err == nil {
		t.Error("level 1.5: no error")
	}
}

func TestFieldMetrics(t *testing.T) {
	pts, _ := NewPoints(1, 1, []float64{0, 1, 2}, []float64{0, 0, 0}, []float64{0.5, 0.25, 0.25})
	f := []float64{1, 2, 3}
	g := []float64{1, 0, 5}
	// Σ π (f−g)² = 0.25·4 + 0.25·4 = 2.
	if v := FieldL2(f, g, pts); math.Abs(v-math.Sqrt2) > 1e-15 {
		t.Errorf("FieldL2 = %v", v)
	}
	// Mean of {f, g} = {1, 1, 4}; against zero: 0.5·1 + 0.25·1 + 0.25·4 = 1.75.
	if v := WeakBias([][]float64{f, g}, []float64{0, 0, 0}, pts); math.Abs(v-1.75) > 1e-15 {
		t.Errorf("WeakBias = %v", v)
	}
	// Unbiased variance of two values a, b is (a−b)²/2: 0.25·2 + 0.25·2 = 1.
	if v := AcrossRunVariance([][]float64{f, g}, pts); math.Abs(v-1) > 1e-15 {
		t.Errorf("AcrossRunVariance = %v", v)
	}
	a := &Particles{N: 2, D: 2, W: []float64{0, 0, 1, 1}}
	b := &Particles{N: 2, D: 2, W: []float64{3, 4, 1, 1}}
	c, _ := CouplingError(a, b)
	if c.Mean != 2.5 || math.Abs(c.RMS-math.Sqrt(12.5)) > 1e-15 || c.Max != 5 {
		t.Errorf("Coupling %+v", c)
	}
	var sc SupCoupling
	sc.Observe(a, b)
	sc.Observe(a, a)
	if sc.Sup != c {
		t.Errorf("SupCoupling %+v, want %+v", sc.Sup, c)
	}
}

func TestQuadratures(t *testing.T) {
	// Gauss–Legendre on [−1, 1] with probability weights integrates polynomials of degree
	// ≤ 63 exactly: E x^k = 1/(k+1) for even k under U[−1, 1]; and E sin²(πx) = 1/2.
	pts, err := Quadrature1D(32, -1, 1, func(x float64) float64 { return math.Sin(math.Pi * x) })
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []int{0, 2, 10, 30} {
		var s float64
		for q := range pts.Len() {
			s += pts.W(q) * math.Pow(pts.X[q], float64(k))
		}
		if math.Abs(s-1/float64(k+1)) > 1e-14 {
			t.Errorf("E x^%d = %v, want %v", k, s, 1/float64(k+1))
		}
	}
	var s float64
	for q := range pts.Len() {
		s += pts.W(q) * pts.Y[q] * pts.Y[q]
	}
	if math.Abs(s-0.5) > 1e-14 {
		t.Errorf("E sin²(πx) = %v", s)
	}
	// Tensor Gauss–Hermite with m nodes integrates x^j exactly for j ≤ 2m−1 per
	// coordinate: E[(x−μ)²] = s², E[(x−μ)⁴] = 3s⁴, and products factorise.
	gh, err := GaussHermiteParticles(6, []float64{0.5, -1, 2}, []float64{1, 0.5, 2})
	if err != nil {
		t.Fatal(err)
	}
	var s0, s2, s4, sx float64
	for k := range gh.N {
		w := gh.Row(k)
		om := gh.Omega(k)
		s0 += om
		s2 += om * (w[2] - 2) * (w[2] - 2)
		s4 += om * math.Pow(w[1]+1, 4)
		sx += om * (w[0] - 0.5) * (w[0] - 0.5) * (w[2] - 2) * (w[2] - 2)
	}
	// Moment identities of orders ≤ 11 are exact up to rounding of 216 terms.
	for _, c := range []struct{ got, want float64 }{{s0, 1}, {s2, 4}, {s4, 3 * 0.0625}, {sx, 4}} {
		if math.Abs(c.got-c.want) > 1e-12*(1+c.want) {
			t.Errorf("Gauss–Hermite moment %v, want %v", c.got, c.want)
		}
	}
}

func TestInitAndSampler(t *testing.T) {
	u := ReLUUnit{P: 16, K: 3}
	ps, _ := NewParticles(400, u.Dim())
	if err := ps.InitTorchDefault(u, rand.NewPCG(1, 2)); err != nil {
		t.Fatal(err)
	}
	var ma, mu float64
	for k := range ps.N {
		for j, v := range ps.Row(k) {
			if j < u.P {
				mu = max(mu, math.Abs(v))
			} else {
				ma = max(ma, math.Abs(v))
			}
		}
	}
	// u ~ U(±1/4) (6400 draws), a ~ U(±1/20) (1200 draws): the maxima lie within the
	// bounds, and above 80% of them except with probability 0.8^1200 < 1e-100.
	if mu > 0.25 || ma > 0.05 || ma < 0.04 || mu < 0.2 {
		t.Errorf("torch init ranges: |u| ≤ %v (bound 0.25), |a| ≤ %v (bound 0.05)", mu, ma)
	}
	if err := ps.InitTorchDefault(ReLUUnit{P: 3, K: 3}, rand.NewPCG(1, 2)); err == nil {
		t.Error("InitTorchDefault with wrong unit: no error")
	}
	// A weighted dataset sampler draws q with probability π_q: counts over 1e5 draws
	// are binomial, checked to 5 standard deviations.
	pts, _ := NewPoints(1, 1, []float64{0, 1, 2}, []float64{0, 1, 2}, []float64{0.5, 0.3, 0.2})
	s, _ := NewDatasetSampler(pts)
	r := rand.New(rand.NewPCG(3, 4))
	cnt := make([]float64, 3)
	x, y := make([]float64, 1), make([]float64, 1)
	const S = 100000
	for range S {
		s.Sample(x, y, r)
		if x[0] != y[0] {
			t.Fatal("sampler mixed x and y")
		}
		cnt[int(x[0])]++
	}
	for q, c := range cnt {
		p := pts.W(q)
		if math.Abs(c-S*p) > 5*math.Sqrt(S*p*(1-p)) {
			t.Errorf("point %d drawn %v times, expected %v", q, c, S*p)
		}
	}
}

func TestExactW2(t *testing.T) {
	// In 1-D the optimal assignment is the monotone one: ExactW2 = Wasserstein1D(p = 2).
	a := randomParticles(t, 60, 1, 1)
	b := randomParticles(t, 60, 1, 2)
	for k := range b.W {
		b.W[k] = b.W[k]*b.W[k] - 0.3
	}
	w, err := ExactW2(a, b)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := Wasserstein1D(a.W, nil, b.W, nil, 2)
	// The assignment total is a sum of 60 squares: rounding 1e-14 relative.
	if math.Abs(w-want) > 1e-12 {
		t.Errorf("1-D ExactW2 = %v, sorted W2 = %v", w, want)
	}
	// A translation by c: the identity coupling is optimal, W2 = |c|.
	a = randomParticles(t, 80, 3, 3)
	b = a.Clone()
	c := []float64{0.2, -0.1, 0.4}
	for k := range b.N {
		axpy(1, c, b.Row(k))
	}
	if w, _ := ExactW2(a, b); math.Abs(w-math.Sqrt(dot(c, c))) > 1e-12 {
		t.Errorf("W2 of a translation = %v, want %v", w, math.Sqrt(dot(c, c)))
	}
	// Sliced W2 never exceeds W2: projections onto unit vectors are 1-Lipschitz, so
	// W_2²(θ#a, θ#b) ≤ W_2²(a, b) for every θ.
	b = randomParticles(t, 80, 3, 4)
	w, _ = ExactW2(a, b)
	sw, _ := SlicedW(a, b, 2, 200, rand.NewPCG(1, 1))
	if sw > w+1e-12 {
		t.Errorf("SW2 = %v > W2 = %v", sw, w)
	}
	if _, err := ExactW2(a, randomParticles(t, 81, 3, 5)); err == nil {
		t.Error("unequal sizes: no error")
	}
}
