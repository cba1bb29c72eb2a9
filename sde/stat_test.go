package sde

import (
	"math"
	"math/rand/v2"
	"sort"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/sdeml/sdeml/internal/parallel"
)

// ksLambda is the Kolmogorov–Smirnov threshold on √n·D: for a correct
// sampler P(√n D > λ) ≤ 2 exp(−2λ²) (Dvoretzky–Kiefer–Wolfowitz, Massart's
// constant), which is 2e-5 at λ = 2.4.
const ksLambda = 2.4

// ksCheck sorts x and fails t if its KS distance to cdf exceeds ksLambda/√n.
func ksCheck(t *testing.T, name string, x []float64, cdf func(float64) float64) {
	t.Helper()
	sort.Float64s(x)
	n := float64(len(x))
	var d float64
	for i, v := range x {
		f := cdf(v)
		d = math.Max(d, math.Max(math.Abs(float64(i+1)/n-f), math.Abs(f-float64(i)/n)))
	}
	if d*math.Sqrt(n) > ksLambda {
		t.Errorf("%s: KS √n·D = %.3f > %.1f (n = %v)", name, d*math.Sqrt(n), ksLambda, n)
	}
}

// normalCheck tests that x are standard normal: KS, plus mean within
// 4.5/√n and variance within 4.5·√(2/n) of 1 (normal tails 7e-6 each).
func normalCheck(t *testing.T, name string, x []float64) {
	t.Helper()
	n := float64(len(x))
	m, v := stat.MeanVariance(x, nil)
	if math.Abs(m) > 4.5/math.Sqrt(n) {
		t.Errorf("%s: mean %.4g, want 0 ± %.3g", name, m, 4.5/math.Sqrt(n))
	}
	if math.Abs(v-1) > 4.5*math.Sqrt(2/n) {
		t.Errorf("%s: variance %.4g, want 1 ± %.3g", name, v, 4.5*math.Sqrt(2/n))
	}
	ksCheck(t, name, x, distuv.UnitNormal.CDF)
}

// streamSrc is parallel.Stream as a rand.Source, for tests.
func streamSrc(seed uint64, i int) rand.Source { return parallel.Stream(seed, i) }

func mat2x2() *mat.Dense { return mat.NewDense(2, 2, []float64{1, 2, 3, 4}) }
