package sgn

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// Moments are the first two moments of n per-sample gradients g₁..gₙ ∈ R^d.
type Moments struct {
	// N is the number of samples n.
	N int
	// Mean is ḡ = (1/n) Σᵢ gᵢ.
	Mean []float64
	// SumSqDev is Σᵢ ‖gᵢ − ḡ‖² = n·tr Σ.
	SumSqDev float64
}

// ComputeMoments returns the moments of the rows of g (n×d, one per-sample gradient per
// row). It returns an error if n < 2 or an entry is not finite.
func ComputeMoments(g *mat.Dense) (Moments, error) {
	_, d := g.Dims()
	acc := NewAccumulator(d)
	if err := acc.Add(g); err != nil {
		return Moments{}, err
	}
	return acc.Moments()
}

// MeanSqNorm returns ‖ḡ‖² = ‖∇f‖².
func (m Moments) MeanSqNorm() float64 { return floats.Dot(m.Mean, m.Mean) }

// TraceCov returns tr Σ = (1/n) Σᵢ ‖gᵢ − ḡ‖² = (1/n) Σᵢ ‖gᵢ‖² − ‖ḡ‖² (population convention).
func (m Moments) TraceCov() float64 { return m.SumSqDev / float64(m.N) }

// TraceCovUnbiased returns the unbiased estimate (1/(n−1)) Σᵢ ‖gᵢ − ḡ‖² of the trace of the
// covariance of the distribution the n rows were drawn from.
func (m Moments) TraceCovUnbiased() float64 { return m.SumSqDev / float64(m.N-1) }

// NoiseScale returns McCandlish et al.'s simple gradient noise scale
// B_simple = tr Σ/‖ḡ‖², the batch size at which the minibatch noise tr Σ/B equals the
// squared signal ‖ḡ‖². It is +Inf when ḡ = 0.
func (m Moments) NoiseScale() float64 { return m.TraceCov() / m.MeanSqNorm() }

// ExpectedSqNorm returns E_γ‖∇f_γ‖² = ‖ḡ‖² + c_m tr Σ exactly, for γ a uniform subset of
// size mb of the n samples drawn without replacement (c_m from FinitePopulationFactor).
func (m Moments) ExpectedSqNorm(mb int) (float64, error) {
	c, err := FinitePopulationFactor(m.N, mb)
	if err != nil {
		return 0, err
	}
	return m.MeanSqNorm() + c*m.TraceCov(), nil
}

// SqrtExpectedSqNorm returns √(‖ḡ‖² + c_m tr Σ), the Jensen upper bound on E_γ‖∇f_γ‖ and its
// leading-order value when ‖∇f_γ‖ concentrates.
func (m Moments) SqrtExpectedSqNorm(mb int) (float64, error) {
	v, err := m.ExpectedSqNorm(mb)
	return math.Sqrt(v), err
}

// TraceCovFromNorms returns tr Σ by the norm formula meanSqNorm − ‖mean‖², where
// meanSqNorm = (1/n) Σᵢ ‖gᵢ‖² and mean = ḡ; it needs only per-sample gradient norms (e.g.
// from the outer-product structure of dense layers). With unbiased it returns n/(n−1) times
// that. The subtraction cancels when ‖ḡ‖² ≫ tr Σ; prefer Moments when gradients are at hand.
func TraceCovFromNorms(meanSqNorm float64, mean []float64, n int, unbiased bool) (float64, error) {
	if n < 2 {
		return 0, fmt.Errorf("sgn: TraceCovFromNorms: n = %d, need at least 2 samples", n)
	}
	if math.IsNaN(meanSqNorm) || math.IsInf(meanSqNorm, 0) {
		return 0, fmt.Errorf("sgn: TraceCovFromNorms: meanSqNorm = %v is not finite", meanSqNorm)
	}
	t := meanSqNorm - floats.Dot(mean, mean)
	if unbiased {
		t *= float64(n) / float64(n-1)
	}
	return t, nil
}

// FinitePopulationFactor returns c_m = (n−m)/(m(n−1)), the factor with Cov[∇f_γ] = c_m Σ for
// a uniform size-m subset γ of n samples drawn without replacement (c_n = 0, c_1 = 1).
// It needs n ≥ 2 and 1 ≤ m ≤ n.
func FinitePopulationFactor(n, m int) (float64, error) {
	if n < 2 {
		return 0, fmt.Errorf("sgn: FinitePopulationFactor: n = %d, need n >= 2", n)
	}
	if m < 1 || m > n {
		return 0, fmt.Errorf("sgn: FinitePopulationFactor: m = %d outside [1, n = %d]", m, n)
	}
	return float64(n-m) / (float64(m) * float64(n-1)), nil
}

// TwoBatchEstimate inverts E‖G_B‖² = ‖G‖² + c_B tr Σ at two batch sizes (McCandlish et al.
// 2018, appendix A): given the mean squared norms sqSmall and sqBig of minibatch gradients at
// sizes bSmall < bBig, it returns the unbiased estimates
//
//	tr Σ  = (sqSmall − sqBig)/(c_small − c_big),
//	‖G‖² = (c_small·sqBig − c_big·sqSmall)/(c_small − c_big),
//
// with c_B = 1/B (sampling with replacement, n = 0) or the finite-population factor for a
// population of n. With c_B = 1/B these are McCandlish's formulas.
func TwoBatchEstimate(bSmall, bBig int, sqSmall, sqBig float64, n int) (gradSq, traceCov float64, err error) {
	if bSmall < 1 || bBig <= bSmall {
		return 0, 0, fmt.Errorf("sgn: TwoBatchEstimate: need 1 <= bSmall < bBig, got bSmall = %d, bBig = %d", bSmall, bBig)
	}
	for _, v := range [2]float64{sqSmall, sqBig} {
		if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			return 0, 0, fmt.Errorf("sgn: TwoBatchEstimate: squared norm %v is not finite and non-negative", v)
		}
	}
	var cs, cb float64
	if n == 0 {
		cs, cb = 1/float64(bSmall), 1/float64(bBig)
	} else {
		if bBig >= n {
			return 0, 0, fmt.Errorf("sgn: TwoBatchEstimate: bBig = %d must be below n = %d", bBig, n)
		}
		cs, _ = FinitePopulationFactor(n, bSmall)
		cb, _ = FinitePopulationFactor(n, bBig)
	}
	traceCov = (sqSmall - sqBig) / (cs - cb)
	gradSq = (cs*sqBig - cb*sqSmall) / (cs - cb)
	return gradSq, traceCov, nil
}
