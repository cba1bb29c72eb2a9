package reflected

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestFrechetGaussianClosedForms checks FrechetGaussian against closed forms: for
// commuting (diagonal) covariances the distance is ‖μ₁ − μ₂‖² + Σᵢ(σ₁ᵢ − σ₂ᵢ)²; for 2×2
// matrices Tr √A = √(Tr A + 2√det A) for the PSD matrix A = Σ₁^{½}Σ₂Σ₁^{½}, whose trace is
// Tr(Σ₁Σ₂) and determinant det Σ₁·det Σ₂ (a route without eigendecompositions).
func TestFrechetGaussianClosedForms(t *testing.T) {
	mu1, mu2 := []float64{0.5, -1, 2}, []float64{1, 1, 2}
	c1 := mat.NewSymDense(3, []float64{4, 0, 0, 0, 1, 0, 0, 0, 0.25})
	c2 := mat.NewSymDense(3, []float64{1, 0, 0, 0, 9, 0, 0, 0, 0})
	got, err := FrechetGaussian(mu1, c1, mu2, c2)
	if err != nil {
		t.Fatal(err)
	}
	want := 0.25 + 4 + (2-1)*(2-1) + (1-3)*(1-3) + 0.5*0.5
	// eigendecompositions of 3×3 matrices: rounding ~1e-15 relative
	if math.Abs(got-want) > 1e-12*want {
		t.Errorf("diagonal: got %.15g, want %.15g", got, want)
	}
	a := mat.NewSymDense(2, []float64{2, 0.7, 0.7, 1})
	b := mat.NewSymDense(2, []float64{0.5, -0.3, -0.3, 3})
	got, err = FrechetGaussian([]float64{0, 0}, a, []float64{0, 0}, b)
	if err != nil {
		t.Fatal(err)
	}
	var ab mat.Dense
	ab.Mul(a, b)
	trAB := ab.At(0, 0) + ab.At(1, 1)
	detA, detB := 2*1-0.7*0.7, 0.5*3-0.3*0.3
	want = 2 + 1 + 0.5 + 3 - 2*math.Sqrt(trAB+2*math.Sqrt(detA*detB))
	if math.Abs(got-want) > 1e-12 {
		t.Errorf("2×2: got %.15g, want %.15g", got, want)
	}
}

// TestFrechetDistanceSamples checks the sample version: two samples of the same Gaussian
// are at a distance of the order of the estimation error, a shifted one at ‖Δμ‖².
func TestFrechetDistanceSamples(t *testing.T) {
	const n, d = 20000, 4
	rng := rand.New(rand.NewPCG(1, 2))
	x, y, z := make([]float64, n*d), make([]float64, n*d), make([]float64, n*d)
	for i := range x {
		x[i], y[i] = rng.NormFloat64(), rng.NormFloat64()
		z[i] = rng.NormFloat64() + 1 // shifted by 1 in every coordinate: ‖Δμ‖² = 4
	}
	same, _ := FrechetDistance(x, y, d)
	shift, _ := FrechetDistance(x, z, d)
	// Estimation error: mean terms ~ 2d/n = 4e-4, covariance terms ~ d²/n ≈ 1e-3.
	if same > 5e-3 || math.Abs(shift-4) > 0.1 {
		t.Errorf("same law %.4g (want ≈ 0), shifted %.4g (want ≈ 4)", same, shift)
	}
}

// TestPrecisionRecallConstructed computes the metric on a set worked out by hand. Real
// points 0..9 on a line with k = 1 have radius 1, so the real manifold is [−1, 10]: of the
// generated points {0.5, 1.5, 2.5, 50, 61}, three lie in it (precision 3/5). The generated
// radii are 1, 1, 1, 11, 11, so the generated manifold is [−0.5, 3.5] ∪ [39, 72]: it holds
// the real points 0..3 (recall 4/10).
func TestPrecisionRecallConstructed(t *testing.T) {
	real := []float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
	gen := []float64{0.5, 1.5, 2.5, 50, 61}
	p, r, err := PrecisionRecall(real, gen, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	if p != 0.6 || r != 0.4 {
		t.Errorf("precision %v, recall %v, want 0.6, 0.4", p, r)
	}
	// 2-D, k = 2: a sample equal to the real set has precision = recall = 1.
	rng := rand.New(rand.NewPCG(3, 4))
	pts := make([]float64, 2*50)
	for i := range pts {
		pts[i] = rng.NormFloat64()
	}
	if p, r, _ := PrecisionRecall(pts, pts, 2, 2); p != 1 || r != 1 {
		t.Errorf("identical sets: precision %v, recall %v, want 1, 1", p, r)
	}
	if _, _, err := PrecisionRecall(real, gen, 1, 5); err == nil {
		t.Errorf("k = 5 with 5 generated points: no error")
	}
}

// TestClassHistogram checks the counts, coverage, confidence share and χ² against a hand
// computation: counts (1, 2, 3, 0) of 6 samples against uniform frequencies (E = 1.5) give
// χ² = (0.25 + 0.25 + 2.25 + 2.25)/1.5 = 10/3 on 3 degrees of freedom, whose survival
// function is erfc(√(x/2)) + √(2x/π)·e^{−x/2}.
func TestClassHistogram(t *testing.T) {
	probs := []float64{
		0.95, 0.05, 0, 0,
		0.1, 0.8, 0.1, 0,
		0, 0.91, 0.09, 0,
		0, 0, 1, 0,
		0.2, 0.2, 0.4, 0.2,
		0, 0.05, 0.9, 0.05,
	}
	st, err := ClassHistogram(probs, []float64{0.25, 0.25, 0.25, 0.25}, 0.9)
	if err != nil {
		t.Fatal(err)
	}
	x := 10.0 / 3
	p := math.Erfc(math.Sqrt(x/2)) + math.Sqrt(2*x/math.Pi)*math.Exp(-x/2)
	if st.Counts[0] != 1 || st.Counts[1] != 2 || st.Counts[2] != 3 || st.Counts[3] != 0 || st.Covered != 3 || st.MinShare != 0 {
		t.Errorf("counts %v, covered %d, min share %v", st.Counts, st.Covered, st.MinShare)
	}
	if st.Confident != 4.0/6 || math.Abs(st.Chi2-x) > 1e-14 || math.Abs(st.P-p) > 1e-12 {
		t.Errorf("confident %v (want 4/6), χ² %v (want %v), p %v (want %v)", st.Confident, st.Chi2, x, st.P, p)
	}
	if _, err := ClassHistogram(probs, []float64{0.5, 0.5, 0, 0}, 0.9); err == nil {
		t.Errorf("zero frequency: no error")
	}
}
