package sgn

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Alignment holds the traces that compare the noise covariance Σ with the Hessian H in
// dimension Dim (Zhu et al., ICML 2019; Xie et al., ICLR 2021).
type Alignment struct {
	Dim int
	// TraceH = tr H, TraceSigma = tr Σ, TraceHSigma = Tr(HΣ) = ⟨H, Σ⟩_F,
	// TraceH2 = tr H² = ‖H‖_F², FrobSigmaSq = ‖Σ‖_F².
	TraceH, TraceSigma, TraceHSigma, TraceH2, FrobSigmaSq float64
}

// IsotropicRatio returns Tr(HΣ)/(Tr(H)Tr(Σ)/d): the escape indicator relative to isotropic
// noise of the same trace. Zhu et al. show anisotropic noise escapes sharp minima faster
// when this exceeds 1.
func (a Alignment) IsotropicRatio() float64 {
	return a.TraceHSigma / (a.TraceH * a.TraceSigma / float64(a.Dim))
}

// Cosine returns the Frobenius cosine ⟨H, Σ⟩_F/(‖H‖_F ‖Σ‖_F) ∈ [−1, 1].
func (a Alignment) Cosine() float64 {
	return a.TraceHSigma / math.Sqrt(a.TraceH2*a.FrobSigmaSq)
}

// CStar returns c* = Tr(HΣ)/Tr(H²), the c minimising ‖Σ − cH‖_F (Σ ≈ H/B near minima per
// Xie et al.).
func (a Alignment) CStar() float64 { return a.TraceHSigma / a.TraceH2 }

// SubspaceOverlap returns ‖AᵀB‖_F²/k for d×k matrices with orthonormal columns, e.g. the
// top-k eigenvectors of H (TopEigen) and of Σ (CovSpectrum): 1 if they span the same
// subspace, about k/d for random subspaces. It panics if the shapes differ.
func SubspaceOverlap(a, b *mat.Dense) float64 {
	ra, ca := a.Dims()
	rb, cb := b.Dims()
	if ra != rb || ca != cb {
		panic(fmt.Sprintf("sgn: SubspaceOverlap: shapes %d×%d and %d×%d differ", ra, ca, rb, cb))
	}
	var p mat.Dense
	p.Mul(a.T(), b)
	f := mat.Norm(&p, 2)
	return f * f / float64(ca)
}
