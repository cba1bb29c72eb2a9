package reflected

import (
	"math"
	"strings"
	"testing"
)

// TestSchemesExactAxisAligned runs every scheme, with and without corrector, on the exact
// score of Uniform[0,1] × δ_½ in D = 2 (as TestSamplerExactAxisAligned): the free coordinate
// must stay uniform and the fixed one must end at E|x₂ − ½| = √t₀·√(2/π).
func TestSchemesExactAxisAligned(t *testing.T) {
	target, _ := AxisAligned(2, []float64{0.5})
	score, _ := NewAxisAlignedScore(target)
	const m = 5000
	for _, c := range []struct {
		scheme Scheme
		corr   int
	}{{SchemeEM, 1}, {SchemeHeun, 0}, {SchemeHeun, 1}, {SchemeODE, 0}, {SchemeODE, 1}} {
		// SNR 0.05: unadjusted Langevin with step ε inflates the variance t of a Gaussian to
		// t/(1 − ε/2t), a bias of the corrector itself (ε/t ≈ 5r² with the SNR rule here);
		// measured +2…4% in E|x₂ − ½| at r = 0.05, +6% at the default r = 0.16.
		s := &Sampler{T0: 2e-3, T: 3, Steps: 150, Scheme: c.scheme, Corrector: c.corr, SNR: 0.05}
		x := make([]float64, 2*m)
		if err := s.Sample(x, score, 1); err != nil {
			t.Fatal(err)
		}
		u := make([]float64, m)
		var dev float64
		for i := 0; i < m; i++ {
			u[i] = x[2*i]
			dev += math.Abs(x[2*i+1]-0.5) / m
		}
		want := math.Sqrt(2e-3) * math.Sqrt(2/math.Pi)
		ks := ksUniform(u)
		t.Logf("%v + %d corrector: KS %.3f, E|x₂ − ½| = %.5f (theory %.5f)", c.scheme, c.corr, ks, dev, want)
		if ks > ksCritical {
			t.Errorf("%v + %d: free coordinate KS √n·D = %.3f > %.2f", c.scheme, c.corr, ks, ksCritical)
		}
		// 5%: 4.7 standard errors of the mean over m = 5000 (see TestSamplerExactAxisAligned);
		// at 150 steps the Heun and ODE discretisation biases are far below that (the EM
		// bias at 300 steps was 0.3%).
		tol := 0.05
		if c.corr > 0 {
			tol = 0.10 // the corrector's Langevin bias (≤ 4% measured) + 5 standard errors
		}
		if math.Abs(dev-want) > tol*want {
			t.Errorf("%v + %d: E|x₂ − ½| = %.5f, want %.5f ± %.0f%%", c.scheme, c.corr, dev, want, 100*tol)
		}
	}
}

// TestSchemesOrder compares the schemes at a coarse grid on a point mass at y = 0.4 with its
// exact score: the law at t₀ must have variance t₀ (the walls are ≥ 0.4/√t₀ = 13 standard
// deviations away). Euler–Maruyama's relative variance error is O(max hₖ/tₖ) on the
// geometric grid; the second-order Heun and ODE steps must do better.
func TestSchemesOrder(t *testing.T) {
	score, _ := NewEmpiricalScore([]float64{0.4}, 1)
	const m, t0 = 20000, 1e-3
	errs := map[Scheme]float64{}
	for _, sc := range []Scheme{SchemeEM, SchemeHeun, SchemeODE} {
		s := &Sampler{T0: t0, T: 2, Steps: 20, Scheme: sc}
		x := make([]float64, m)
		if err := s.Sample(x, score, 3); err != nil {
			t.Fatal(err)
		}
		var v float64
		for _, xi := range x {
			v += (xi - 0.4) * (xi - 0.4) / m
		}
		errs[sc] = math.Abs(v/t0 - 1)
		t.Logf("%v, 20 steps: E(x − y)²/t₀ = %.4f", sc, v/t0)
	}
	// The sampling error of v/t₀ is √(2/m) = 1%; the EM bias at 20 steps is far larger (the
	// grid ratio is (t₀/T)^{1/20} = 0.68); second order must at least halve it.
	if !(errs[SchemeHeun] < errs[SchemeEM]/2 && errs[SchemeODE] < errs[SchemeEM]/2) {
		t.Errorf("relative variance errors EM %.4f, Heun %.4f, ODE %.4f: want Heun and ODE < EM/2", errs[SchemeEM], errs[SchemeHeun], errs[SchemeODE])
	}
}

// TestSamplerSchemeErrors checks that bad sampler settings name the field and value.
func TestSamplerSchemeErrors(t *testing.T) {
	score, _ := NewEmpiricalScore([]float64{0.4}, 1)
	for _, c := range []struct {
		s    Sampler
		want string
	}{
		{Sampler{Steps: -3}, "Steps = -3"},
		{Sampler{Corrector: -1}, "Corrector = -1"},
		{Sampler{Scheme: 7}, "Scheme = 7"},
		{Sampler{SNR: -0.1}, "SNR = -0.1"},
		{Sampler{SNR: math.NaN()}, "SNR = NaN"},
	} {
		err := c.s.Sample(make([]float64, 4), score, 1)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want one containing %q", c.s, err, c.want)
		}
	}
	n, err := (&Sampler{Steps: 10, Scheme: SchemeHeun, Corrector: 2, Final: FinalTweedie}).Evaluations(1)
	if err != nil || n != 10*(2+2)+1 {
		t.Errorf("Evaluations = %d, %v; want 41", n, err)
	}
}
