package reflected

import (
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"

	"github.com/sdeml/sdeml/internal/parallel"
)

// ksStat returns the one-sample Kolmogorov–Smirnov statistic of xs (sorted in place)
// against the continuous CDF cdf.
func ksStat(xs []float64, cdf func(float64) float64) float64 {
	slices.Sort(xs)
	n := float64(len(xs))
	var d float64
	for i, x := range xs {
		f := cdf(x)
		d = math.Max(d, math.Max(float64(i+1)/n-f, f-float64(i)/n))
	}
	return d
}

// ksLambda is the critical value of √n·D: the Kolmogorov limit law gives
// P(√n D > λ) ≤ 2e^{−2λ²} = 1.5e-6 at λ = 2.6, so each KS check below fails for a correct
// sampler with probability < 2e-6 (the finite-n law is within O(1/√n) of the limit).
const ksLambda = 2.6

// TestSample1DKS compares 20 000 Sample1D draws with CDF1D by a one-sample KS test at the
// (y, t) pairs at heat times s = 0.002, 0.05, 0.3, 2 (t = 2s; docs/derivations/reflected.md §1) plus
// tiny and huge t.
func TestSample1DKS(t *testing.T) {
	cases := [][2]float64{{0.1, 0.004}, {0.1, 0.1}, {0.9, 0.6}, {0.5, 4}, {0, 1e-6}, {1, 0.02}, {0.3, 1e4}}
	const n = 20000
	for ci, c := range cases {
		y, tt := c[0], c[1]
		src := rand.NewPCG(uint64(ci), 77)
		xs := make([]float64, n)
		for i := range xs {
			xs[i] = Sample1D(src, y, tt)
			if xs[i] < 0 || xs[i] > 1 {
				t.Fatalf("sample %v outside [0,1]", xs[i])
			}
		}
		var mean float64
		for _, x := range xs {
			mean += x
		}
		mean /= n
		d := ksStat(xs, func(x float64) float64 { return CDF1D(x, y, tt) })
		if d*math.Sqrt(n) > ksLambda {
			t.Errorf("y=%g t=%g: KS √n·D = %.3f > %.1f", y, tt, d*math.Sqrt(n), ksLambda)
		}
		// Sample mean within 5.5 standard errors (two-sided normal tail 4e-8); the
		// variance is bounded by E[(X − m)²] computed by quadrature of the kernel.
		m := Mean1D(y, tt)
		a, b := kernelSupport(y, tt)
		v := kernelIntegrate(func(x float64) float64 { return (x - m) * (x - m) * Density1D(x, y, tt) }, a, b, kernelPanel(tt))
		if se := math.Sqrt(v / n); math.Abs(mean-m) > 5.5*se {
			t.Errorf("y=%g t=%g: sample mean %v, Mean1D %v (SE %.2e)", y, tt, mean, m, se)
		}
	}
}

// TestSampleProductPIT checks the D-dimensional Sample: the probability-integral transforms
// CDF1D(Xᵢ | yᵢ) of all coordinates, pooled over 4000 draws of a 5-dimensional point, are
// Uniform(0,1) (KS), and the coordinates are uncorrelated (each empirical correlation of
// the transforms is within 5/√n of 0; |N(0,1)| > 5 has probability 6e-7).
func TestSampleProductPIT(t *testing.T) {
	y := []float64{0, 0.2, 0.5, 0.93, 1}
	const n, tt = 4000, 0.05
	src := rand.NewPCG(9, 9)
	x := make([]float64, len(y))
	u := make([][]float64, len(y))
	var pooled []float64
	for k := 0; k < n; k++ {
		Sample(x, src, y, tt)
		for i := range y {
			f := CDF1D(x[i], y[i], tt)
			u[i] = append(u[i], f)
			pooled = append(pooled, f)
		}
	}
	if d := ksStat(pooled, func(f float64) float64 { return f }); d*math.Sqrt(float64(len(pooled))) > ksLambda {
		t.Errorf("pooled PIT KS √n·D = %.3f", d*math.Sqrt(float64(len(pooled))))
	}
	for i := 0; i+1 < len(y); i++ {
		var c float64
		for k := 0; k < n; k++ {
			c += (u[i][k] - 0.5) * (u[i+1][k] - 0.5)
		}
		corr := c / n * 12 // Var(U) = 1/12
		if math.Abs(corr) > 5/math.Sqrt(n) {
			t.Errorf("coordinates %d,%d: correlation %v", i, i+1, corr)
		}
	}
}

// TestNoiseDatasetDeterministic checks that NoiseDataset gives the same bits for GOMAXPROCS 1
// and 2, that row i equals Sample from parallel stream (seed, i) (documented behaviour), and
// that a long time makes the data uniform (KS on all coordinates; t = 4 leaves
// |p − 1| ≤ 2e^{−2π²} < 6e-9, far below the KS resolution).
func TestNoiseDatasetDeterministic(t *testing.T) {
	const n, dim = 3000, 3
	data := make([]float64, n*dim)
	rng := kernelRand(1)
	for i := range data {
		data[i] = 0.5 + 0.1*rng.Float64()
	}
	a := make([]float64, len(data))
	b := make([]float64, len(data))
	old := runtime.GOMAXPROCS(1)
	if err := NoiseDataset(a, data, dim, 4, 42); err != nil {
		t.Fatal(err)
	}
	runtime.GOMAXPROCS(2)
	if err := NoiseDataset(b, data, dim, 4, 42); err != nil {
		t.Fatal(err)
	}
	runtime.GOMAXPROCS(old)
	if !slices.Equal(a, b) {
		t.Fatal("NoiseDataset depends on GOMAXPROCS")
	}
	row := make([]float64, dim)
	for _, i := range []int{0, 1, n - 1} {
		Sample(row, parallel.Stream(42, i), data[i*dim:(i+1)*dim], 4)
		if !slices.Equal(row, a[i*dim:(i+1)*dim]) {
			t.Errorf("row %d is not Sample from parallel.Stream(42, %d)", i, i)
		}
	}
	pooled := slices.Clone(a)
	if d := ksStat(pooled, func(x float64) float64 { return x }); d*math.Sqrt(float64(len(pooled))) > ksLambda {
		t.Errorf("noised data not uniform: KS √n·D = %.3f", d*math.Sqrt(float64(len(pooled))))
	}
}

func TestNoiseDatasetErrors(t *testing.T) {
	ok := []float64{0.1, 0.2, 0.3, 0.4}
	dst := make([]float64, 4)
	cases := []struct {
		name      string
		dst, data []float64
		dim       int
		t         float64
	}{
		{"t=0", dst, ok, 2, 0},
		{"t<0", dst, ok, 2, -1},
		{"t NaN", dst, ok, 2, math.NaN()},
		{"t Inf", dst, ok, 2, math.Inf(1)},
		{"dim 0", dst, ok, 0, 1},
		{"empty", dst[:0], nil, 2, 1},
		{"ragged", dst[:3], ok[:3], 2, 1},
		{"dst length", dst[:2], ok, 2, 1},
		{"NaN data", dst, []float64{0.1, math.NaN(), 0.3, 0.4}, 2, 1},
	}
	for _, c := range cases {
		if err := NoiseDataset(c.dst, c.data, c.dim, c.t, 1); err == nil {
			t.Errorf("%s: no error", c.name)
		} else {
			t.Logf("%s: %v", c.name, err)
		}
	}
}

// TestBadArguments checks the documented NaN results for invalid times and the fold of
// out-of-range points (the series are even and 2-periodic).
func TestBadArguments(t *testing.T) {
	for _, tt := range []float64{0, -1, math.NaN(), math.Inf(1), math.Inf(-1)} {
		if v := LogDensity1D(0.5, 0.5, tt); !math.IsNaN(v) {
			t.Errorf("LogDensity1D(t=%v) = %v, want NaN", tt, v)
		}
		if v := Score1D(0.5, 0.5, tt); !math.IsNaN(v) {
			t.Errorf("Score1D(t=%v) = %v, want NaN", tt, v)
		}
		if v := CDF1D(0.5, 0.5, tt); !math.IsNaN(v) {
			t.Errorf("CDF1D(t=%v) = %v, want NaN", tt, v)
		}
		if v := Mean1D(0.5, tt); !math.IsNaN(v) {
			t.Errorf("Mean1D(t=%v) = %v, want NaN", tt, v)
		}
		if v := Sample1D(rand.NewPCG(1, 1), 0.5, tt); !math.IsNaN(v) {
			t.Errorf("Sample1D(t=%v) = %v, want NaN", tt, v)
		}
	}
	// Fold: x = −0.25 ≡ 0.25, x = 1.5 ≡ 0.5, x = 2.75 ≡ 0.75 (exact in binary).
	for _, c := range [][2]float64{{-0.25, 0.25}, {1.5, 0.5}, {2.75, 0.75}, {-3.5, 0.5}} {
		if Fold(c[0]) != c[1] {
			t.Errorf("Fold(%v) = %v, want %v", c[0], Fold(c[0]), c[1])
		}
		if LogDensity1D(c[0], 0.3, 0.1) != LogDensity1D(c[1], 0.3, 0.1) {
			t.Errorf("LogDensity1D does not fold x = %v", c[0])
		}
	}
}

// TestProductKernel checks LogDensity = Σ LogDensity1D (exactly: same summation order),
// LogDensityScore = (LogDensity, Score), and Score against central differences of
// LogDensity (tolerance as in TestScoreFiniteDifference), plus the length panics.
func TestProductKernel(t *testing.T) {
	x := []float64{0.1, 0.5, 0.999, 0}
	y := []float64{0.15, 0.2, 1, 0.4}
	const tt = 0.03
	var want float64
	for i := range x {
		want += LogDensity1D(x[i], y[i], tt)
	}
	if got := LogDensity(x, y, tt); got != want {
		t.Errorf("LogDensity %v, Σ 1-D %v", got, want)
	}
	s := make([]float64, len(x))
	s2 := make([]float64, len(x))
	Score(s, x, y, tt)
	if l := LogDensityScore(s2, x, y, tt); l != want || !slices.Equal(s, s2) {
		t.Errorf("LogDensityScore (%v, %v), want (%v, %v)", l, s2, want, s)
	}
	h := 1e-6
	xp := slices.Clone(x)
	for i := range x {
		if x[i] < h || x[i] > 1-h {
			continue
		}
		xp[i] = x[i] + h
		lp := LogDensity(xp, y, tt)
		xp[i] = x[i] - h
		lm := LogDensity(xp, y, tt)
		xp[i] = x[i]
		fd := (lp - lm) / (2 * h)
		// truncation (h²/6)|∂³ log p| ≤ h²/6·(2/t)³·... ≈ 1e-7 here; rounding 4ε|log q|/h ≈ 1e-8.
		if math.Abs(fd-s[i]) > 1e-6*math.Max(1, math.Abs(s[i])) {
			t.Errorf("coordinate %d: score %v, FD %v", i, s[i], fd)
		}
	}
	kernelMustPanic(t, "LogDensity", func() { LogDensity(x, y[:2], tt) })
	kernelMustPanic(t, "Score", func() { Score(s[:1], x, y, tt) })
	kernelMustPanic(t, "LogDensityScore", func() { LogDensityScore(s, x[:1], y, tt) })
	kernelMustPanic(t, "Sample", func() { Sample(s[:1], rand.NewPCG(1, 1), y, tt) })
}

func kernelMustPanic(t *testing.T, name string, f func()) {
	t.Helper()
	defer func() {
		if r := recover(); r == nil {
			t.Errorf("%s: no panic", name)
		} else if msg, ok := r.(string); !ok || len(msg) < 10 || msg[:10] != "reflected:" {
			t.Errorf("%s: panic %v lacks the reflected: prefix", name, r)
		}
	}()
	f()
}
