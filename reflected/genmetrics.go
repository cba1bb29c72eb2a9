package reflected

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/sdeml/sdeml/internal/parallel"
)

// The metrics below judge generated samples the way image-generation work does: in the
// feature space φ of a classifier trained on the same data (for example its penultimate
// layer), and by the classifier's predictions. Feature sets are n×d row-major.

// FrechetGaussian returns the squared Fréchet (2-Wasserstein) distance between the
// Gaussians N(μ₁, Σ₁) and N(μ₂, Σ₂):
//
//	‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2(Σ₁^{½} Σ₂ Σ₁^{½})^{½}),
//
// the "FID" formula. The matrix square roots come from symmetric eigendecompositions, with
// eigenvalues below 0 (rounding of a singular covariance) taken as 0. Covariances are d×d
// symmetric; an error is returned for mismatched sizes or a failed decomposition.
func FrechetGaussian(mu1 []float64, cov1 *mat.SymDense, mu2 []float64, cov2 *mat.SymDense) (float64, error) {
	d := len(mu1)
	if len(mu2) != d || cov1.SymmetricDim() != d || cov2.SymmetricDim() != d {
		return 0, fmt.Errorf("reflected: FrechetGaussian: sizes %d, %d, %d×%d, %d×%d differ", len(mu1), len(mu2), cov1.SymmetricDim(), cov1.SymmetricDim(), cov2.SymmetricDim(), cov2.SymmetricDim())
	}
	var m float64
	for i := range mu1 {
		m += (mu1[i] - mu2[i]) * (mu1[i] - mu2[i])
	}
	s1, err := sqrtPSD(cov1)
	if err != nil {
		return 0, err
	}
	var a, b mat.Dense
	a.Mul(s1, cov2)
	b.Mul(&a, s1)
	M := mat.NewSymDense(d, nil)
	for i := range d {
		for j := i; j < d; j++ {
			M.SetSym(i, j, (b.At(i, j)+b.At(j, i))/2)
		}
	}
	var eig mat.EigenSym
	if !eig.Factorize(M, false) {
		return 0, fmt.Errorf("reflected: FrechetGaussian: eigendecomposition failed")
	}
	var tr float64
	for _, v := range eig.Values(nil) {
		tr += math.Sqrt(max(v, 0))
	}
	for i := range d {
		m += cov1.At(i, i) + cov2.At(i, i)
	}
	return max(m-2*tr, 0), nil
}

// sqrtPSD returns the symmetric square root of a positive semi-definite matrix.
func sqrtPSD(a *mat.SymDense) (*mat.Dense, error) {
	var eig mat.EigenSym
	if !eig.Factorize(a, true) {
		return nil, fmt.Errorf("reflected: FrechetGaussian: eigendecomposition failed")
	}
	vals := eig.Values(nil)
	var V mat.Dense
	eig.VectorsTo(&V)
	d := len(vals)
	var out mat.Dense
	scaled := mat.NewDense(d, d, nil)
	for j, v := range vals {
		s := math.Sqrt(max(v, 0))
		for i := range d {
			scaled.Set(i, j, V.At(i, j)*s)
		}
	}
	out.Mul(scaled, V.T())
	return &out, nil
}

// Moments returns the mean and the (unbiased, n − 1) covariance of the n×d rows x.
func Moments(x []float64, d int) ([]float64, *mat.SymDense, error) {
	if d < 1 || len(x) < 2*d || len(x)%d != 0 {
		return nil, nil, fmt.Errorf("reflected: Moments: len(x) = %d, d = %d: need at least 2 rows of d ≥ 1 values", len(x), d)
	}
	n := len(x) / d
	mu := make([]float64, d)
	for r := range n {
		for j, v := range x[r*d : (r+1)*d] {
			mu[j] += v
		}
	}
	for j := range mu {
		mu[j] /= float64(n)
	}
	c := make([]float64, n*d)
	for r := range n {
		for j, v := range x[r*d : (r+1)*d] {
			c[r*d+j] = v - mu[j]
		}
	}
	C := mat.NewDense(n, d, c)
	cov := mat.NewSymDense(d, nil)
	cov.SymOuterK(1/float64(n-1), C.T())
	return mu, cov, nil
}

// FrechetDistance returns FrechetGaussian of the moments of the feature sets x and y (n×d
// and m×d): the Fréchet distance (FID when φ is an Inception network).
func FrechetDistance(x, y []float64, d int) (float64, error) {
	m1, c1, err := Moments(x, d)
	if err != nil {
		return 0, err
	}
	m2, c2, err := Moments(y, d)
	if err != nil {
		return 0, err
	}
	return FrechetGaussian(m1, c1, m2, c2)
}

// PrecisionRecall returns the improved precision and recall of Kynkäänniemi et al. (2019)
// of generated features gen against real features real (both rows of d values), with k
// nearest neighbours: each set's manifold is the union of the balls around its points of
// radius the distance to the point's k-th nearest other point of the set; precision is the
// share of generated points inside the real manifold, recall the share of real points
// inside the generated manifold. k is usually 3. The pairwise distances are computed in
// parallel with a result independent of GOMAXPROCS.
func PrecisionRecall(real, gen []float64, d, k int) (precision, recall float64, err error) {
	if d < 1 || len(real)%d != 0 || len(gen)%d != 0 {
		return 0, 0, fmt.Errorf("reflected: PrecisionRecall: len(real) = %d, len(gen) = %d, d = %d: need rows of d ≥ 1 values", len(real), len(gen), d)
	}
	nr, ng := len(real)/d, len(gen)/d
	if k < 1 || nr <= k || ng <= k {
		return 0, 0, fmt.Errorf("reflected: PrecisionRecall: k = %d with %d real and %d generated points: need 1 ≤ k < both counts", k, nr, ng)
	}
	rr, rg := kthRadii(real, d, k), kthRadii(gen, d, k)
	return coverage(gen, real, rr, d), coverage(real, gen, rg, d), nil
}

// kthRadii returns, for each row of x, the squared distance to its k-th nearest other row.
func kthRadii(x []float64, d, k int) []float64 {
	n := len(x) / d
	r := make([]float64, n)
	parallel.For(n, func(_, i int) {
		best := make([]float64, 0, k+1) // the k smallest, sorted
		for j := range n {
			if j == i {
				continue
			}
			s := sqDist(x[i*d:(i+1)*d], x[j*d:(j+1)*d])
			if len(best) < k || s < best[k-1] {
				pos, _ := slices.BinarySearch(best, s)
				best = slices.Insert(best, pos, s)
				if len(best) > k {
					best = best[:k]
				}
			}
		}
		r[i] = best[k-1]
	})
	return r
}

// coverage returns the share of rows of q inside some ball (row j of c, squared radius r[j]).
func coverage(q, c, r []float64, d int) float64 {
	nq, nc := len(q)/d, len(c)/d
	in := make([]bool, nq)
	parallel.For(nq, func(_, i int) {
		for j := range nc {
			if sqDist(q[i*d:(i+1)*d], c[j*d:(j+1)*d]) <= r[j] {
				in[i] = true
				return
			}
		}
	})
	hits := 0
	for _, b := range in {
		if b {
			hits++
		}
	}
	return float64(hits) / float64(nq)
}

func sqDist(a, b []float64) float64 {
	var s float64
	for i, v := range a {
		e := v - b[i]
		s += e * e
	}
	return s
}

// ClassStats summarises a classifier's predictions on generated samples.
type ClassStats struct {
	Counts    []int   // predicted class counts
	Covered   int     // classes predicted at least once
	MinShare  float64 // smallest class share
	Chi2      float64 // Pearson's χ² of Counts against the expected frequencies
	P         float64 // its p-value (χ² law with classes − 1 degrees of freedom)
	Confident float64 // share of samples whose top class probability is ≥ Threshold
}

// ClassHistogram computes ClassStats from the n×K class probabilities probs of n samples
// and the expected class frequencies freq (K values summing to 1, e.g. the data's), with
// the confidence threshold thr (e.g. 0.9). The χ² statistic is Σ (O − E)²/E with
// E = n·freq.
func ClassHistogram(probs []float64, freq []float64, thr float64) (ClassStats, error) {
	K := len(freq)
	if K < 2 || len(probs) == 0 || len(probs)%K != 0 {
		return ClassStats{}, fmt.Errorf("reflected: ClassHistogram: len(probs) = %d, %d classes: need a positive multiple of K ≥ 2", len(probs), K)
	}
	var fs float64
	for c, f := range freq {
		if !(f > 0) {
			return ClassStats{}, fmt.Errorf("reflected: ClassHistogram: freq[%d] = %v, need > 0", c, f)
		}
		fs += f
	}
	if math.Abs(fs-1) > 1e-9 {
		return ClassStats{}, fmt.Errorf("reflected: ClassHistogram: frequencies sum to %v, need 1", fs)
	}
	n := len(probs) / K
	st := ClassStats{Counts: make([]int, K)}
	conf := 0
	for r := range n {
		p := probs[r*K : (r+1)*K]
		best := 0
		for c, v := range p {
			if math.IsNaN(v) {
				return ClassStats{}, fmt.Errorf("reflected: ClassHistogram: probs[%d] is NaN", r*K+c)
			}
			if v > p[best] {
				best = c
			}
		}
		st.Counts[best]++
		if p[best] >= thr {
			conf++
		}
	}
	st.Confident = float64(conf) / float64(n)
	st.MinShare = 1
	for c, o := range st.Counts {
		if o > 0 {
			st.Covered++
		}
		st.MinShare = min(st.MinShare, float64(o)/float64(n))
		e := float64(n) * freq[c]
		st.Chi2 += (float64(o) - e) * (float64(o) - e) / e
	}
	st.P = distuv.ChiSquared{K: float64(K - 1)}.Survival(st.Chi2)
	return st, nil
}
