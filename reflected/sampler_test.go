package reflected

import (
	"math"
	"runtime"
	"slices"
	"testing"

	"github.com/sdeml/sdeml/sde"
)

// ksUniform returns √n·sup|Fₙ(u) − u| for a sample of Uniform[0,1] candidates.
func ksUniform(u []float64) float64 {
	s := slices.Clone(u)
	slices.Sort(s)
	n := float64(len(s))
	var d float64
	for i, v := range s {
		d = max(d, math.Abs(float64(i+1)/n-v), math.Abs(v-float64(i)/n))
	}
	return math.Sqrt(n) * d
}

// ksCritical is the Kolmogorov critical value for p = 1e-5: Q_KS(λ) ≈ 2e^{−2λ²} = 1e-5 at
// λ = √(log(2e5)/2) ≈ 2.47; a correct sampler exceeds it with probability < 1e-5.
const ksCritical = 2.47

// TestSamplerExactAxisAligned runs the check of docs/derivations/reflected.md §10: with the exact score of
// Uniform[0,1] × δ_{0.5} in D = 2, the free coordinate stays exactly uniform (its score is 0,
// so it is a reflected BM started from its stationary law), and the fixed coordinate ends at
// distance E|x₂ − ½| = √t₀·√(2/π) (the law at t₀ is q_{t₀}(·|½), a Gaussian of variance t₀
// far from the walls).
func TestSamplerExactAxisAligned(t *testing.T) {
	target, err := AxisAligned(2, []float64{0.5})
	if err != nil {
		t.Fatal(err)
	}
	score, err := NewAxisAlignedScore(target)
	if err != nil {
		t.Fatal(err)
	}
	const m = 5000
	s := &Sampler{T0: 2e-3, T: 3, Steps: 300}
	x := make([]float64, 2*m)
	if err := s.Sample(x, score, 1); err != nil {
		t.Fatal(err)
	}
	u := make([]float64, m)
	var dev float64
	for i := 0; i < m; i++ {
		u[i] = x[2*i]
		dev += math.Abs(x[2*i+1] - 0.5)
	}
	dev /= m
	if ks := ksUniform(u); ks > ksCritical {
		t.Errorf("free coordinate: KS √n·D = %.3f > %.2f", ks, ksCritical)
	}
	want := math.Sqrt(2e-3) * math.Sqrt(2/math.Pi)
	t.Logf("KS %.3f, E|x₂ − ½| = %.5f (theory %.5f)", ksUniform(u), dev, want)
	// Tolerance 5%: the standard error of the mean of |N(0,t₀)| over m = 5000 is
	// √t₀·√(1−2/π)/√m = 1.1% of want, so 5% is 4.7 SE (two-sided p ≈ 3e-6); the
	// discretisation bias measured when this test was calibrated (0.0356 vs 0.0357) is 0.3%.
	if math.Abs(dev-want) > 0.05*want {
		t.Errorf("E|x₂ − ½| = %.5f, want %.5f ± 5%%", dev, want)
	}

	// Tweedie's step moves x₂ to x₂ + t₀·score = ½ + (x₂ − ½)(1 − t₀/t₀) up to the images'
	// contribution, which is below e^{−(1/2)²/(2t₀)} ≈ 1e-27 here: the normal error vanishes.
	s.Final = FinalTweedie
	if err := s.Sample(x, score, 1); err != nil {
		t.Fatal(err)
	}
	var devT float64
	for i := 0; i < m; i++ {
		devT = max(devT, math.Abs(x[2*i+1]-0.5))
	}
	t.Logf("Tweedie: max |x₂ − ½| = %.3g", devT)
	// 1e-12: the Tweedie step for a point mass is exact up to rounding of x + t₀·(½−x)/t₀.
	if devT > 1e-12 {
		t.Errorf("Tweedie: max |x₂ − ½| = %.3g, want ≤ 1e-12", devT)
	}
}

// TestSamplerDeterministic checks bit-identical output for GOMAXPROCS 1 and 2 and a seed
// dependence.
func TestSamplerDeterministic(t *testing.T) {
	target, _ := AxisAligned(3, []float64{0.2})
	score, _ := NewAxisAlignedScore(target)
	s := &Sampler{Steps: 20, Chunk: 7, Final: FinalTweedie}
	run := func(procs int, seed uint64) []float64 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		x := make([]float64, 3*100)
		if err := s.Sample(x, score, seed); err != nil {
			t.Fatal(err)
		}
		return x
	}
	a, b, c := run(1, 5), run(2, 5), run(2, 6)
	if !slices.Equal(a, b) {
		t.Error("GOMAXPROCS 1 and 2 give different samples")
	}
	if slices.Equal(a, c) {
		t.Error("seeds 5 and 6 give identical samples")
	}
	for _, v := range a {
		if !(v >= 0 && v <= 1) {
			t.Fatalf("sample %v outside [0,1]", v)
		}
	}
}

// TestSamplerMemorises runs §8.8 check 13: with the empirical score of n = 20 well separated
// training points, the reverse sampler reproduces the training set blurred by q_{t₀}, so the
// distance to the nearest training point is ‖√t₀·Z‖ with Z ~ N(0, I₂): mean √t₀·√(π/2).
func TestSamplerMemorises(t *testing.T) {
	const n, m, D = 20, 500, 2
	train := make([]float64, n*D)
	for i := 0; i < n; i++ { // a 5×4 grid with spacing ≥ 0.2 ≫ √t₀
		train[2*i] = 0.1 + 0.2*float64(i%5)
		train[2*i+1] = 0.15 + 0.23*float64(i/5)
	}
	score, err := NewEmpiricalScore(train, D)
	if err != nil {
		t.Fatal(err)
	}
	const t0 = 2e-5
	s := &Sampler{T0: t0, Steps: 300}
	x := make([]float64, m*D)
	if err := s.Sample(x, score, 3); err != nil {
		t.Fatal(err)
	}
	var mean float64
	for i := 0; i < m; i++ {
		best := math.Inf(1)
		for j := 0; j < n; j++ {
			best = min(best, math.Hypot(x[2*i]-train[2*j], x[2*i+1]-train[2*j+1]))
		}
		mean += best
	}
	mean /= m
	want := math.Sqrt(t0) * math.Sqrt(math.Pi/2)
	t.Logf("mean nearest-training distance %.5f (theory %.5f)", mean, want)
	// Tolerance 12%: ‖Z‖ has sd √(2−π/2) = 0.655 against mean 1.253, so the standard error
	// over m = 500 is 2.3% of want; 12% is > 5 SE and leaves ~ 2% for discretisation bias.
	if math.Abs(mean-want) > 0.12*want {
		t.Errorf("mean nearest-training distance %.5f, want %.5f ± 12%%", mean, want)
	}
}

func TestSamplerBadSettings(t *testing.T) {
	target, _ := AxisAligned(2, []float64{0.5})
	score, _ := NewAxisAlignedScore(target)
	x := make([]float64, 10)
	for _, s := range []*Sampler{{T0: -1}, {T0: 1, T: 0.5}, {Steps: -1}, {Final: 7}, {Chunk: -2}, {T: math.Inf(1)}} {
		if err := s.Sample(x, score, 1); err == nil {
			t.Errorf("%+v: no error", *s)
		}
	}
	if err := (&Sampler{}).Sample(make([]float64, 3), score, 1); err == nil {
		t.Error("len(dst) = 3 with D = 2: no error")
	}
}

// TestSamplerFinalMeanAndClamp checks FinalMean (last step without noise: a point mass's
// normal coordinate moves to ½ + (x − ½)·t₀/t₁ exactly, up to images below e^{-1/(8t)}) and
// the ClampBox domain (samples stay in the cube).
func TestSamplerFinalMeanAndClamp(t *testing.T) {
	target, _ := AxisAligned(2, []float64{0.5})
	score, _ := NewAxisAlignedScore(target)
	const m = 3000
	s := &Sampler{T0: 2e-3, T: 3, Steps: 300, Final: FinalMean}
	grid, _ := s.Grid(2)
	x := make([]float64, 2*m)
	if err := s.Sample(x, score, 2); err != nil {
		t.Fatal(err)
	}
	// Before the last (noise-free) step x₂ − ½ ~ N(0, t_{K−1}) approximately; the step
	// x ← x + h·(½ − x)/t_{K−1} scales it by t_K/t_{K−1}, so E|x₂ − ½| = √t_{K−1}·(t_K/t_{K−1})·√(2/π).
	tk1, tk := grid[len(grid)-2], grid[len(grid)-1]
	want := math.Sqrt(tk1) * tk / tk1 * math.Sqrt(2/math.Pi)
	var dev float64
	for i := 0; i < m; i++ {
		dev += math.Abs(x[2*i+1]-0.5) / m
	}
	t.Logf("FinalMean: E|x₂ − ½| = %.5f, want %.5f", dev, want)
	// 7%: the standard error over m = 3000 is 1.4% of want (see TestSamplerExactAxisAligned),
	// so 7% is 5 SE.
	if math.Abs(dev-want) > 0.07*want {
		t.Errorf("FinalMean: E|x₂ − ½| = %.5f, want %.5f ± 7%%", dev, want)
	}
	s = &Sampler{Steps: 50, Domain: sde.ClampBox{Lo: 0, Hi: 1}}
	if err := s.Sample(x, score, 2); err != nil {
		t.Fatal(err)
	}
	for _, v := range x {
		if v < 0 || v > 1 {
			t.Fatalf("ClampBox sample %v outside [0,1]", v)
		}
	}
}

// nanScore is a ScoreModel that returns NaN below time 0.5.
type nanScore struct{}

func (nanScore) Dim() int { return 2 }
func (nanScore) Score(dst, x, t []float64) {
	for i := range dst {
		dst[i] = 0
		if t[i/2] < 0.5 {
			dst[i] = math.NaN()
		}
	}
}

func TestSamplerNonFinite(t *testing.T) {
	err := (&Sampler{Steps: 20}).Sample(make([]float64, 2*10), nanScore{}, 1)
	if err == nil {
		t.Fatal("NaN score: no error")
	}
	t.Log(err)
}
