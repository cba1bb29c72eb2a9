package sgn_test

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/sdeml/sdeml/sgn"
)

// perSample returns n per-sample gradients gᵢ = μ + σ zᵢ in R^d (rows).
func perSample(n, d int, mu, sigma float64, seed uint64) *mat.Dense {
	rng := rand.New(rand.NewPCG(seed, 0))
	g := mat.NewDense(n, d, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < d; j++ {
			g.Set(i, j, mu+sigma*rng.NormFloat64())
		}
	}
	return g
}

// The m-SAM regulariser E_γ‖∇f_γ‖ grows as the micro-batch size m shrinks, following
// √(‖∇f‖² + c_m tr Σ).
func Example() {
	g := perSample(512, 20, 0.05, 1, 1)
	mo, _ := sgn.ComputeMoments(g)
	fmt.Printf("‖∇f‖² = %.3f, tr Σ = %.2f\n", mo.MeanSqNorm(), mo.TraceCov())
	for _, m := range []int{1, 4, 16, 64, 512} {
		st, _ := sgn.MicroBatchNorms(g, m, 4000, 7)
		bound, _ := mo.SqrtExpectedSqNorm(m)
		fmt.Printf("m = %3d: E‖∇f_γ‖ = %.3f ± %.3f, √(‖∇f‖² + c_m tr Σ) = %.3f\n", m, st.MeanNorm, st.NormStdErr, bound)
	}
	// Output:
	// ‖∇f‖² = 0.060, tr Σ = 19.82
	// m =   1: E‖∇f_γ‖ = 4.402 ± 0.011, √(‖∇f‖² + c_m tr Σ) = 4.458
	// m =   4: E‖∇f_γ‖ = 2.210 ± 0.006, √(‖∇f‖² + c_m tr Σ) = 2.233
	// m =  16: E‖∇f_γ‖ = 1.113 ± 0.003, √(‖∇f‖² + c_m tr Σ) = 1.124
	// m =  64: E‖∇f_γ‖ = 0.568 ± 0.001, √(‖∇f‖² + c_m tr Σ) = 0.576
	// m = 512: E‖∇f_γ‖ = 0.245 ± 0.000, √(‖∇f‖² + c_m tr Σ) = 0.245
}

// The tail index of symmetric α-stable samples; α = 2 is the Gaussian case.
func ExampleTailIndex() {
	for _, a := range []float64{1.2, 1.6, 2} {
		d := distuv.AlphaStable{Alpha: a, C: 1, Src: rand.NewPCG(3, 0)}
		x := make([]float64, 100000)
		for i := range x {
			x[i] = d.Rand()
		}
		alpha, _ := sgn.TailIndex(x, 0)
		fmt.Printf("α = %.1f: α̂ = %.2f\n", a, alpha)
	}
	// Output:
	// α = 1.2: α̂ = 1.21
	// α = 1.6: α̂ = 1.60
	// α = 2.0: α̂ = 1.97
}

// Normality tests on a Gaussian and on a Laplace sample.
func ExampleNormalityTests() {
	rng := rand.New(rand.NewPCG(4, 0))
	gauss := make([]float64, 1000)
	laplace := make([]float64, 1000)
	for i := range gauss {
		gauss[i] = rng.NormFloat64()
		laplace[i] = rng.ExpFloat64() * float64(2*rng.IntN(2)-1)
	}
	for _, x := range [][]float64{gauss, laplace} {
		r, _ := sgn.NormalityTests(x)
		fmt.Printf("JB p = %.3f, Lilliefors p = %.3f, AD p = %.3f\n", r.JarqueBera.P, r.Lilliefors.P, r.AndersonDarling.P)
	}
	// Output:
	// JB p = 0.393, Lilliefors p = 0.488, AD p = 0.352
	// JB p = 0.000, Lilliefors p = 0.000, AD p = 0.000
}

// Hutchinson's trace estimate, the top eigenvalue and Tr(HΣ) for a diagonal Hessian.
func ExampleHutchinson() {
	d := 50
	h := make([]float64, d) // H = diag(1/k)
	for k := range h {
		h[k] = 1 / float64(k+1)
	}
	hvp := func(dst, v []float64) {
		for i := range dst {
			dst[i] = h[i] * v[i]
		}
	}
	r, _ := sgn.Hutchinson(hvp, d, nil, 1)
	lam, _, _, _ := sgn.TopEigen(hvp, d, 1, nil, rand.NewPCG(1, 1))
	// Noise along the first coordinate only: Tr(HΣ) = H₁₁·tr Σ.
	dev := mat.NewDense(2, d, nil)
	dev.Set(0, 0, 1)
	dev.Set(1, 0, -1)
	ths, _ := sgn.TraceHSigma(hvp, dev)
	fmt.Printf("tr H = %.4f (probes %d), λ_max = %.4f, Tr(HΣ) = %.1f\n", r.Trace.Value, r.Trace.Probes, lam[0], ths)
	// Output:
	// tr H = 4.4992 (probes 10), λ_max = 1.0000, Tr(HΣ) = 1.0
}

// The spectrum of Σ from 64 per-sample gradients in dimension 1000, through the 64×64 Gram
// matrix. With n ≪ d the sample eigenvector of a spike of variance ℓ = 10 over unit noise
// only partly aligns with it: random-matrix theory (Paul 2007) predicts
// |v₁·e₁|² ≈ (1 − γ/ℓ²)/(1 + γ/ℓ) = 0.33 for γ = d/n = 15.6, i.e. |v₁·e₁| ≈ 0.57.
func ExampleCovSpectrum() {
	g := perSample(64, 1000, 0, 1, 5)
	// Add a strong shared direction: gᵢ += 3 sᵢ e₁ with random signs sᵢ.
	for i := 0; i < 64; i++ {
		g.Set(i, 0, g.At(i, 0)+3*float64(2*(i%2)-1))
	}
	sp, _ := sgn.CovSpectrum(g, &sgn.SpectrumSettings{K: 1})
	fmt.Printf("λ₁ = %.1f, λ₂ = %.1f, tr Σ = %.0f, |v₁·e₁| = %.2f, participation ratio %.1f\n",
		sp.Values[0], sp.Values[1], sp.Trace(), math.Abs(sp.Vectors.At(0, 0)), sp.ParticipationRatio())
	// Output:
	// λ₁ = 27.7, λ₂ = 24.2, tr Σ = 988, |v₁·e₁| = 0.56, participation ratio 58.8
}
