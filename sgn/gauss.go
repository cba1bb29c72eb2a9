package sgn

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/stat/distuv"
)

// TestResult is a test statistic and its p-value under the null hypothesis of normality.
type TestResult struct {
	Stat, P float64
}

// Normality collects the three univariate normality tests on one sample of size N.
type Normality struct {
	N                                       int
	JarqueBera, Lilliefors, AndersonDarling TestResult
}

// NormalityTests runs JarqueBera, Lilliefors and AndersonDarling on x, sorting a single copy.
func NormalityTests(x []float64) (Normality, error) {
	s := make([]float64, len(x))
	return normalityTo(s, x)
}

// normalityTo runs the three tests using s (len(x)) as scratch.
func normalityTo(s, x []float64) (Normality, error) {
	jb, err := JarqueBera(x)
	if err != nil {
		return Normality{}, err
	}
	copy(s, x)
	slices.Sort(s)
	mu, sd := meanStd(s)
	d := ksSorted(s, mu, sd)
	lf := TestResult{Stat: d, P: lillieforsP(d, len(s))}
	return Normality{N: len(x), JarqueBera: jb, Lilliefors: lf, AndersonDarling: adSorted(s, mu, sd)}, nil
}

// JarqueBera returns JB = n/6·(S² + K²/4) with the moment skewness S = m₃/m₂^{3/2} and excess
// kurtosis K = m₄/m₂² − 3 (central moments mₖ with divisor n), and its asymptotic p-value
// P(χ²₂ > JB). It needs at least 3 finite values that are not all equal.
func JarqueBera(x []float64) (TestResult, error) {
	if err := checkSample("JarqueBera", x); err != nil {
		return TestResult{}, err
	}
	n := float64(len(x))
	var mu float64
	for _, v := range x {
		mu += v
	}
	mu /= n
	var m2, m3, m4 float64
	for _, v := range x {
		e := v - mu
		e2 := e * e
		m2 += e2
		m3 += e2 * e
		m4 += e2 * e2
	}
	m2, m3, m4 = m2/n, m3/n, m4/n
	s := m3 / math.Pow(m2, 1.5)
	k := m4/(m2*m2) - 3
	jb := n / 6 * (s*s + k*k/4)
	return TestResult{Stat: jb, P: distuv.ChiSquared{K: 2}.Survival(jb)}, nil
}

// Lilliefors returns the one-sample Kolmogorov–Smirnov distance D = sup|Fₙ − Φ((x−μ̂)/σ̂)|
// against the normal law fitted by the sample mean μ̂ and standard deviation σ̂ (divisor
// n−1), with the p-value of Dallal and Wilkinson's (1986) analytic approximation to
// Lilliefors' null law (as in statsmodels' lilliefors, pvalmethod "approx"; for n > 100, D is
// rescaled by (n/100)^0.49). Simulation (20000 normal samples at n = 20, 50, 300) shows it
// within ±0.002 of the true tail probability at p = 0.01–0.1 and ±0.05 up to p = 0.5. The
// Kolmogorov p-value KolmogorovP would be far too conservative here, because fitting the
// parameters makes D stochastically smaller.
func Lilliefors(x []float64) (TestResult, error) {
	if err := checkSample("Lilliefors", x); err != nil {
		return TestResult{}, err
	}
	s := slices.Clone(x)
	slices.Sort(s)
	mu, sd := meanStd(s)
	d := ksSorted(s, mu, sd)
	return TestResult{Stat: d, P: lillieforsP(d, len(s))}, nil
}

// lillieforsP is the Dallal–Wilkinson (1986) approximation of P(D > d) for the Lilliefors
// statistic of n samples, clipped to [0, 1].
func lillieforsP(d float64, n int) float64 {
	fn := float64(n)
	if n > 100 {
		d *= math.Pow(fn/100, 0.49)
		fn = 100
	}
	p := math.Exp(-7.01256*d*d*(fn+2.78019) + 2.99587*d*math.Sqrt(fn+2.78019) - 0.122119 + 0.974598/math.Sqrt(fn) + 1.67997/fn)
	return min(1, max(0, p))
}

// KSNormal returns the one-sample Kolmogorov–Smirnov distance between x and the fixed law
// N(mu, sigma²), with the asymptotic p-value KolmogorovP(D, n), which is accurate for fixed
// parameters and n ≳ 35.
func KSNormal(x []float64, mu, sigma float64) (TestResult, error) {
	if err := checkSample("KSNormal", x); err != nil {
		return TestResult{}, err
	}
	if !(sigma > 0) || math.IsInf(sigma, 0) || math.IsNaN(mu) || math.IsInf(mu, 0) {
		return TestResult{}, fmt.Errorf("sgn: KSNormal: need finite mu and sigma > 0, got mu = %v, sigma = %v", mu, sigma)
	}
	s := slices.Clone(x)
	slices.Sort(s)
	d := ksSorted(s, mu, sigma)
	return TestResult{Stat: d, P: KolmogorovP(d, len(s))}, nil
}

// ksSorted returns sup|Fₙ − F| for the sorted sample s and F the N(mu, sd²) CDF.
func ksSorted(s []float64, mu, sd float64) float64 {
	n := float64(len(s))
	nd := distuv.Normal{Mu: mu, Sigma: sd}
	var d float64
	for i, v := range s {
		f := nd.CDF(v)
		d = max(d, float64(i+1)/n-f, f-float64(i)/n)
	}
	return d
}

// KolmogorovP returns the asymptotic p-value of a one-sample Kolmogorov–Smirnov distance d
// from n samples, Q(λ) = 2 Σ_{k≥1} (−1)^{k−1} exp(−2k²λ²) with Stephens' small-sample
// correction λ = (√n + 0.12 + 0.11/√n)·d (Numerical Recipes §14.3).
func KolmogorovP(d float64, n int) float64 {
	sn := math.Sqrt(float64(n))
	l := (sn + 0.12 + 0.11/sn) * d
	if l < 0.2 {
		// Q(λ) = 1 − √(2π)/λ Σ exp(−(2k−1)²π²/(8λ²)) and the k = 1 term is below 1e-53.
		return 1
	}
	var sum, sign = 0.0, 1.0
	for k := 1; k <= 100; k++ {
		t := sign * math.Exp(-2*float64(k*k)*l*l)
		sum += t
		if math.Abs(t) <= 1e-17*math.Abs(sum) {
			break
		}
		sign = -sign
	}
	return min(1, max(0, 2*sum))
}

// AndersonDarling returns the Anderson–Darling statistic against the normal law fitted by
// μ̂ and σ̂ (divisor n−1),
//
//	A² = −n − (1/n) Σᵢ (2i−1) [ln Φ(z₍ᵢ₎) + ln(1 − Φ(z₍ₙ₊₁₋ᵢ₎))],
//
// and the p-value of D'Agostino and Stephens (1986, Table 4.9) for the modified statistic
// A*² = A²(1 + 0.75/n + 2.25/n²), the case of estimated mean and variance.
func AndersonDarling(x []float64) (TestResult, error) {
	if err := checkSample("AndersonDarling", x); err != nil {
		return TestResult{}, err
	}
	s := slices.Clone(x)
	slices.Sort(s)
	mu, sd := meanStd(s)
	return adSorted(s, mu, sd), nil
}

func adSorted(s []float64, mu, sd float64) TestResult {
	n := len(s)
	var sum float64
	for i := 0; i < n; i++ {
		zi := (s[i] - mu) / sd
		zj := (s[n-1-i] - mu) / sd
		sum += float64(2*i+1) * (logPhi(zi) + logPhi(-zj))
	}
	a2 := -float64(n) - sum/float64(n)
	return TestResult{Stat: a2, P: adPValue(a2, n)}
}

// adPValue is the D'Agostino–Stephens p-value for A² with estimated normal parameters.
func adPValue(a2 float64, n int) float64 {
	fn := float64(n)
	a := a2 * (1 + 0.75/fn + 2.25/(fn*fn))
	var p float64
	switch {
	case a >= 0.6:
		p = math.Exp(1.2937 - 5.709*a + 0.0186*a*a)
	case a >= 0.34:
		p = math.Exp(0.9177 - 4.279*a - 1.38*a*a)
	case a >= 0.2:
		p = 1 - math.Exp(-8.318+42.796*a-59.938*a*a)
	default:
		p = 1 - math.Exp(-13.436+101.14*a-223.73*a*a)
	}
	return min(1, max(0, p))
}

// logPhi returns ln Φ(z) for the standard normal CDF, accurate in the far left tail.
func logPhi(z float64) float64 {
	if z > -30 {
		return math.Log(0.5 * math.Erfc(-z/math.Sqrt2))
	}
	// Mills-ratio expansion Φ(z) = φ(z)/|z| · (1 − 1/z² + 3/z⁴ − …), z ≤ −30, relative
	// error below 15/z⁶ ≈ 2e-8.
	z2 := z * z
	return -z2/2 - math.Log(-z) - 0.5*math.Log(2*math.Pi) + math.Log1p(-1/z2+3/(z2*z2))
}

// meanStd returns the mean and the standard deviation with divisor n−1.
func meanStd(x []float64) (float64, float64) {
	n := float64(len(x))
	var mu float64
	for _, v := range x {
		mu += v
	}
	mu /= n
	var ss float64
	for _, v := range x {
		ss += (v - mu) * (v - mu)
	}
	return mu, math.Sqrt(ss / (n - 1))
}

func checkSample(name string, x []float64) error {
	if len(x) < 3 {
		return fmt.Errorf("sgn: %s: %d samples, need at least 3", name, len(x))
	}
	if bad := firstNonFinite(x); bad >= 0 {
		return fmt.Errorf("sgn: %s: x[%d] = %v", name, bad, x[bad])
	}
	for _, v := range x[1:] {
		if v != x[0] {
			return nil
		}
	}
	return fmt.Errorf("sgn: %s: all %d samples equal %v, variance is zero", name, len(x), x[0])
}
