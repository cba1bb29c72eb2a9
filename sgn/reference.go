package sgn

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// RefKind names a reference noise.
type RefKind int

const (
	// Isotropic is (tr Σ/d)·I.
	Isotropic RefKind = iota
	// Diagonal is diag(Σ).
	Diagonal
	// TopEigenvector is tr Σ·v₁v₁ᵀ, all the variance along the top eigenvector of Σ.
	TopEigenvector
	// HessianShaped is c·H₊ restricted to given top eigenpairs of H, with c matching tr Σ.
	HessianShaped
	// Empirical is Σ itself, sampled as Dᵀz/√n.
	Empirical
)

// String returns the name of the reference noise, e.g. "isotropic".
func (k RefKind) String() string {
	switch k {
	case Isotropic:
		return "isotropic"
	case Diagonal:
		return "diagonal"
	case TopEigenvector:
		return "top-eigenvector"
	case HessianShaped:
		return "hessian"
	case Empirical:
		return "empirical"
	}
	return fmt.Sprintf("RefKind(%d)", int(k))
}

// RefNoise is a zero-mean Gaussian reference noise ξ = s ⊙ z₁ + F z₂ with z₁, z₂ standard
// normal, so Cov ξ = diag(s²) + FFᵀ. These are the baselines of Zhu et al. (2019): noises
// with the trace of the SGN covariance but a different shape. Sample is not safe for
// concurrent use (it keeps scratch space); use one RefNoise per goroutine.
type RefNoise struct {
	Kind RefKind
	// Scale is s (nil: no diagonal part). Factor is F, d×r (nil: no low-rank part).
	Scale  []float64
	Factor *mat.Dense
	z      []float64
}

// Dim returns the dimension d of the noise.
func (r *RefNoise) Dim() int {
	if r.Scale != nil {
		return len(r.Scale)
	}
	d, _ := r.Factor.Dims()
	return d
}

// Trace returns tr Cov ξ = Σⱼ sⱼ² + ‖F‖_F².
func (r *RefNoise) Trace() float64 {
	t := floats.Dot(r.Scale, r.Scale)
	if r.Factor != nil {
		f := mat.Norm(r.Factor, 2)
		t += f * f
	}
	return t
}

// Sample writes one draw of ξ into dst (len Dim()), using src.
func (r *RefNoise) Sample(dst []float64, src rand.Source) {
	if len(dst) != r.Dim() {
		panic(fmt.Sprintf("sgn: RefNoise.Sample: len(dst) = %d, want %d", len(dst), r.Dim()))
	}
	rng := rand.New(src)
	for i := range dst {
		dst[i] = 0
	}
	for i, s := range r.Scale {
		dst[i] = s * rng.NormFloat64()
	}
	if r.Factor == nil {
		return
	}
	d, k := r.Factor.Dims()
	if len(r.z) != k {
		r.z = make([]float64, k)
	}
	for j := range r.z {
		r.z[j] = rng.NormFloat64()
	}
	for i := 0; i < d; i++ {
		dst[i] += floats.Dot(r.Factor.RawRowView(i), r.z)
	}
}

// IsotropicNoise returns the noise with covariance (trace/dim)·I.
func IsotropicNoise(dim int, trace float64) (*RefNoise, error) {
	if dim < 1 {
		return nil, fmt.Errorf("sgn: IsotropicNoise: dim = %d, need at least 1", dim)
	}
	if !(trace >= 0) || math.IsInf(trace, 0) {
		return nil, fmt.Errorf("sgn: IsotropicNoise: trace = %v, need finite and >= 0", trace)
	}
	s := make([]float64, dim)
	for i := range s {
		s[i] = math.Sqrt(trace / float64(dim))
	}
	return &RefNoise{Kind: Isotropic, Scale: s}, nil
}

// DiagonalNoise returns the noise with covariance diag(Σ), Σⱼⱼ = (1/n) Σᵢ δᵢⱼ², from the
// deviation rows of dev; its trace is tr Σ.
func DiagonalNoise(dev *mat.Dense) (*RefNoise, error) {
	if err := checkDev("DiagonalNoise", dev); err != nil {
		return nil, err
	}
	n, d := dev.Dims()
	s := make([]float64, d)
	for i := 0; i < n; i++ {
		for j, v := range dev.RawRowView(i) {
			s[j] += v * v
		}
	}
	for j := range s {
		s[j] = math.Sqrt(s[j] / float64(n))
	}
	return &RefNoise{Kind: Diagonal, Scale: s}, nil
}

// TopEigenNoise returns the noise with covariance tr Σ·v₁v₁ᵀ from a Spectrum with at least
// one eigenvector.
func TopEigenNoise(sp *Spectrum) (*RefNoise, error) {
	if sp.Vectors == nil {
		return nil, fmt.Errorf("sgn: TopEigenNoise: spectrum has no eigenvectors (SpectrumSettings.K = 0)")
	}
	f := mat.NewDense(sp.Dim, 1, nil)
	f.SetCol(0, mat.Col(nil, 0, sp.Vectors))
	f.Scale(math.Sqrt(sp.Trace()), f)
	return &RefNoise{Kind: TopEigenvector, Factor: f}, nil
}

// HessianNoise returns the noise with covariance c Σₖ max(λₖ, 0) uₖuₖᵀ built from
// eigenpairs of H (e.g. from TopEigen), with c chosen so its trace is trace.
func HessianNoise(values []float64, vectors *mat.Dense, trace float64) (*RefNoise, error) {
	d, k := vectors.Dims()
	if len(values) != k {
		return nil, fmt.Errorf("sgn: HessianNoise: %d values for %d eigenvectors", len(values), k)
	}
	var pos float64
	for _, v := range values {
		pos += max(v, 0)
	}
	if !(pos > 0) || math.IsInf(pos, 0) {
		return nil, fmt.Errorf("sgn: HessianNoise: sum of positive eigenvalues is %v, need finite and > 0", pos)
	}
	if !(trace >= 0) || math.IsInf(trace, 0) {
		return nil, fmt.Errorf("sgn: HessianNoise: trace = %v, need finite and >= 0", trace)
	}
	f := mat.NewDense(d, k, nil)
	for c := 0; c < k; c++ {
		sc := math.Sqrt(trace * max(values[c], 0) / pos)
		for i := 0; i < d; i++ {
			f.Set(i, c, sc*vectors.At(i, c))
		}
	}
	return &RefNoise{Kind: HessianShaped, Factor: f}, nil
}

// EmpiricalNoise returns the Gaussian noise with covariance Σ = DᵀD/n itself, F = Dᵀ/√n, from
// the deviation rows of dev.
func EmpiricalNoise(dev *mat.Dense) (*RefNoise, error) {
	if err := checkDev("EmpiricalNoise", dev); err != nil {
		return nil, err
	}
	n, d := dev.Dims()
	f := mat.NewDense(d, n, nil)
	f.Scale(1/math.Sqrt(float64(n)), dev.T())
	return &RefNoise{Kind: Empirical, Factor: f}, nil
}
