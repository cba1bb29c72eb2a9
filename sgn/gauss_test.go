package sgn

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// detNormalitySample is x_i = sin(1.3 i) + 0.5 cos(0.7 i²) + 0.02 i, i = 1..50, the sample
// given to scipy 1.10.1 for the reference values below.
func detNormalitySample() []float64 {
	x := make([]float64, 50)
	for k := range x {
		i := float64(k + 1)
		x[k] = math.Sin(1.3*i) + 0.5*math.Cos(0.7*i*i) + 0.02*i
	}
	return x
}

func TestNormalityAgainstScipy(t *testing.T) {
	x := detNormalitySample()
	jb, err := JarqueBera(x)
	if err != nil {
		t.Fatal(err)
	}
	// scipy.stats.jarque_bera(x) → (2.03080745005912, 0.36225614843151205). cos(0.7 i²) with
	// i² up to 2500 is where Go's and numpy's libm may differ by an ulp or so; 1e-10
	// relative is far above that.
	if !relClose(jb.Stat, 2.03080745005912, 1e-10) || !relClose(jb.P, 0.36225614843151205, 1e-10) {
		t.Errorf("JarqueBera = %+v", jb)
	}
	ad, _ := AndersonDarling(x)
	// scipy.stats.anderson(x, 'norm').statistic.
	if !relClose(ad.Stat, 0.36565782679794268, 1e-10) {
		t.Errorf("AndersonDarling A² = %v", ad.Stat)
	}
	lf, _ := Lilliefors(x)
	// scipy.stats.kstest(x, 'norm', args=(x.mean(), x.std(ddof=1))).statistic.
	if !relClose(lf.Stat, 0.069211960506712633, 1e-10) {
		t.Errorf("Lilliefors D = %v", lf.Stat)
	}
	// The Dallal–Wilkinson formula evaluated by hand (Python) at this D and n = 50:
	// exp(−7.01256·D²·52.78019 + 2.99587·D·√52.78019 − 0.122119 + 0.974598/√50 + 1.67997/50).
	if !relClose(lf.P, lfRef, 1e-10) {
		t.Errorf("Lilliefors p = %v, want %v", lf.P, lfRef)
	}
	ks, _ := KSNormal(x, 0.1, 1.2)
	// scipy.stats.kstest(x, 'norm', args=(0.1, 1.2)).statistic.
	if !relClose(ks.Stat, 0.26470783818105248, 1e-10) {
		t.Errorf("KSNormal D = %v", ks.Stat)
	}
	all, _ := NormalityTests(x)
	if all.JarqueBera != jb || all.AndersonDarling != ad || all.Lilliefors != lf {
		t.Errorf("NormalityTests %+v differs from the single tests", all)
	}
}

func TestKolmogorovP(t *testing.T) {
	// scipy.special.kolmogorov(λ) = Q(λ), the asymptotic survival function.
	ref := [][2]float64{{0.5, 0.96394524366487511}, {0.8, 0.54414241157419807}, {1, 0.26999967167735456},
		{1.36, 0.049485876755377876}, {1.6276, 0.010001537333060776}, {2, 0.00067092525577969533}}
	for _, n := range []int{10, 1000} {
		sn := math.Sqrt(float64(n))
		for _, r := range ref {
			d := r[0] / (sn + 0.12 + 0.11/sn)
			// 1e-12: the alternating series is summed to 1e-17 relative.
			if got := KolmogorovP(d, n); !relClose(got, r[1], 1e-12) {
				t.Errorf("n=%d λ=%v: %v, want %v", n, r[0], got, r[1])
			}
		}
	}
}

func TestAndersonDarlingPValueTable(t *testing.T) {
	// D'Agostino & Stephens (1986) Table 4.7, case 3 (mean and variance estimated):
	// upper-tail percentage points of A*² = A²(1 + 0.75/n + 2.25/n²) are 0.631 (10%),
	// 0.752 (5%), 0.873 (2.5%), 1.035 (1%). The fitted p-value formula reproduces them to
	// within the 3-digit rounding of the table (relative 2%).
	n := 1 << 20 // large n so that A² ≈ A*²
	for _, c := range [][2]float64{{0.631, 0.10}, {0.752, 0.05}, {0.873, 0.025}, {1.035, 0.01}} {
		if p := adPValue(c[0], n); math.Abs(p-c[1]) > 0.02*c[1] {
			t.Errorf("A*² = %v: p = %v, want %v", c[0], p, c[1])
		}
	}
}

func TestNormalityNullCalibration(t *testing.T) {
	// Under H0 (normal data, n = 50), the fraction of p-values below 0.05 over R = 20000
	// replicates has standard deviation √(0.05·0.95/R) = 0.0015. Anderson–Darling,
	// Lilliefors (Dallal–Wilkinson) and KSNormal (fixed parameters) must give 0.05 ± 0.008
	// (5 σ plus 0.0005 for the fitted/asymptotic approximations).
	const R, n = 20000, 50
	rng := rand.New(rand.NewPCG(41, 42))
	x := make([]float64, n)
	var ad, ks, lf, jb int
	for r := 0; r < R; r++ {
		for i := range x {
			x[i] = rng.NormFloat64()
		}
		a, _ := AndersonDarling(x)
		k, _ := KSNormal(x, 0, 1)
		l, _ := Lilliefors(x)
		j, _ := JarqueBera(x)
		if a.P < 0.05 {
			ad++
		}
		if k.P < 0.05 {
			ks++
		}
		if l.P < 0.05 {
			lf++
		}
		if j.P < 0.05 {
			jb++
		}
	}
	rate := func(c int) float64 { return float64(c) / R }
	if math.Abs(rate(ad)-0.05) > 0.008 || math.Abs(rate(ks)-0.05) > 0.008 || math.Abs(rate(lf)-0.05) > 0.008 {
		t.Errorf("null rejection rates: AD %v, KS %v, Lilliefors %v; want 0.05", rate(ad), rate(ks), rate(lf))
	}
	// Jarque–Bera's χ²₂ law is asymptotic and known to be conservative at n = 50
	// (true size ≈ 0.03–0.04); only require rate ≤ 0.05 + 5 σ.
	if rate(jb) > 0.058 {
		t.Errorf("Jarque–Bera rejects %v under H0", rate(jb))
	}
	t.Logf("null rejection at 5%%: AD %.4f KS %.4f Lilliefors %.4f JB %.4f", rate(ad), rate(ks), rate(lf), rate(jb))
}

func TestJarqueBeraPValuesUniform(t *testing.T) {
	// Issue 5: JB p-values roughly uniform under H0, by KS on 200 replicates. With
	// n = 2000 samples per replicate the χ²₂ approximation is close; KolmogorovP is the
	// asymptotic KS p-value for the fixed uniform law, and p < 1e-4 is the failure level.
	const reps, n = 200, 2000
	rng := rand.New(rand.NewPCG(5, 6))
	x := make([]float64, n)
	p := make([]float64, reps)
	for r := range p {
		for i := range x {
			x[i] = rng.NormFloat64()
		}
		jb, _ := JarqueBera(x)
		p[r] = jb.P
	}
	slices.Sort(p)
	var d float64
	for i, v := range p {
		d = max(d, float64(i+1)/reps-v, v-float64(i)/reps)
	}
	if pv := KolmogorovP(d, reps); pv < 1e-4 {
		t.Errorf("JB p-values not uniform: KS D = %v, p = %v", d, pv)
	}
	// Power check: the same test on exponential data must reject.
	for i := range x {
		x[i] = rng.ExpFloat64()
	}
	if jb, _ := JarqueBera(x); jb.P > 1e-10 {
		t.Errorf("JB on exponential data: p = %v", jb.P)
	}
}

func TestSlicedNormality(t *testing.T) {
	g := randDense(300, 20, 51)
	var a, b []Normality
	var err error
	withProcs(2, func() { a, err = SlicedNormality(g, 40, 3) })
	if err != nil {
		t.Fatal(err)
	}
	withProcs(1, func() { b, _ = SlicedNormality(g, 40, 3) })
	if !slices.Equal(a, b) {
		t.Fatal("SlicedNormality differs between GOMAXPROCS 1 and 2")
	}
	// Gaussian rows: a projection rejects at 1e-3 with probability ~1e-3 for each test, so
	// all 40 projections passing fails with probability ≈ 0.04·3 for a correct code;
	// require at most 3 rejections in total (P(> 3) < 1e-5 for 120 tests at rate 1e-3,
	// ignoring their positive correlation that only lowers it).
	jb, ks, ad := RejectionRates(a, 1e-3)
	if (jb+ks+ad)*40 > 3 {
		t.Errorf("Gaussian rows rejected: rates JB %v KS %v AD %v", jb, ks, ad)
	}
	// Heavy-tailed rows (Student-t with 2 degrees of freedom per coordinate) must be
	// rejected by almost every projection.
	rng := rand.New(rand.NewPCG(8, 9))
	for i := 0; i < 300; i++ {
		for j := 0; j < 20; j++ {
			z := rng.NormFloat64()
			w := rng.ExpFloat64() // χ²₂/2, so z/√w is Student-t with 2 degrees of freedom
			g.Set(i, j, z/math.Sqrt(w))
		}
	}
	h, _ := SlicedNormality(g, 40, 3)
	if jb, _, ad := RejectionRates(h, 0.01); jb < 0.9 || ad < 0.9 {
		t.Errorf("t₂ rows: rejection rates JB %v AD %v, want ≥ 0.9", jb, ad)
	}
}

func TestNormalityErrors(t *testing.T) {
	cases := []struct {
		name, want string
		err        error
	}{
		{"short", "2 samples", func() error { _, e := JarqueBera([]float64{1, 2}); return e }()},
		{"constant", "variance is zero", func() error { _, e := AndersonDarling([]float64{1, 1, 1, 1}); return e }()},
		{"NaN", "x[1] = NaN", func() error { _, e := Lilliefors([]float64{1, math.NaN(), 2, 3}); return e }()},
		{"sigma", "sigma = 0", func() error { _, e := KSNormal([]float64{1, 2, 3}, 0, 0); return e }()},
		{"nproj", "nproj = 0", func() error { _, e := SlicedNormality(randDense(5, 2, 1), 0, 1); return e }()},
	}
	for _, c := range cases {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("%s: error %v, want it to mention %q", c.name, c.err, c.want)
		}
	}
}

// lfRef is the Dallal–Wilkinson p-value at the scipy Lilliefors distance of
// detNormalitySample (see TestNormalityAgainstScipy).
const lfRef = 0.80469043126581374
