package sgn

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// PowerSettings configure TopEigen; nil or zero fields mean defaults.
type PowerSettings struct {
	// MaxIter caps the iterations per eigenpair (default 200).
	MaxIter int
	// Tol stops an eigenpair once |λ_t − λ_{t−1}| <= Tol·|λ_t| (default 1e-6).
	Tol float64
}

// TopEigen returns the k eigenvalues of largest magnitude of the symmetric d×d matrix behind
// hvp, in the order found, and the corresponding unit eigenvectors as the columns of a d×k
// matrix. Each pair is found by power iteration on the deflated operator
// v ↦ Hv − Σⱼ λⱼ uⱼ(uⱼᵀv), started from a Gaussian vector drawn from src and kept
// orthogonal to the earlier uⱼ (PyHessian's eigenvalues()). For a Hessian at a minimum the
// first value is λ_max(H). converged[i] reports whether pair i met the tolerance. A nil src
// is an error: there is no default stream (pass e.g. rand.NewPCG(seed, 0)).
func TopEigen(hvp HVPFunc, dim, k int, s *PowerSettings, src rand.Source) (values []float64, vectors *mat.Dense, converged []bool, err error) {
	if dim < 1 || k < 1 || k > dim {
		return nil, nil, nil, fmt.Errorf("sgn: TopEigen: need 1 <= k <= dim, got k = %d, dim = %d", k, dim)
	}
	if src == nil {
		return nil, nil, nil, fmt.Errorf("sgn: TopEigen: src is nil, need a rand.Source (e.g. rand.NewPCG(seed, 0))")
	}
	if hvp == nil {
		return nil, nil, nil, fmt.Errorf("sgn: TopEigen: hvp is nil")
	}
	maxIter, tol := 200, 1e-6
	if s != nil {
		if s.MaxIter < 0 || s.Tol < 0 {
			return nil, nil, nil, fmt.Errorf("sgn: PowerSettings: MaxIter = %d, Tol = %v must be non-negative", s.MaxIter, s.Tol)
		}
		if s.MaxIter > 0 {
			maxIter = s.MaxIter
		}
		if s.Tol > 0 {
			tol = s.Tol
		}
	}
	rng := rand.New(src)
	vectors = mat.NewDense(dim, k, nil)
	values = make([]float64, k)
	converged = make([]bool, k)
	us := make([][]float64, 0, k)
	v := make([]float64, dim)
	w := make([]float64, dim)
	for e := 0; e < k; e++ {
		for i := range v {
			v[i] = rng.NormFloat64()
		}
		orthoNormalize(v, us)
		var lam float64
		for it := 0; it < maxIter; it++ {
			if e == 0 && it == 0 {
				if err := firstHVP("TopEigen", dim, func() { hvp(w, v) }); err != nil {
					return nil, nil, nil, err
				}
			} else {
				hvp(w, v)
			}
			for j, u := range us {
				floats.AddScaled(w, -values[j]*floats.Dot(u, v), u)
			}
			next := floats.Dot(v, w)
			if math.IsNaN(next) || math.IsInf(next, 0) {
				return nil, nil, nil, fmt.Errorf("sgn: TopEigen: Rayleigh quotient %v at iteration %d of eigenpair %d", next, it, e)
			}
			copy(v, w)
			if orthoNormalize(v, us) == 0 {
				// v is in the span of the found vectors (or H vanishes on its complement).
				lam, converged[e] = 0, true
				break
			}
			if it > 0 && math.Abs(next-lam) <= tol*math.Abs(next) {
				lam, converged[e] = next, true
				break
			}
			lam = next
		}
		values[e] = lam
		vectors.SetCol(e, v)
		us = append(us, mat.Col(nil, e, vectors))
	}
	return values, vectors, converged, nil
}

// orthoNormalize removes from v its components along the orthonormal us (twice, for
// stability), normalises it and returns the norm before normalisation.
func orthoNormalize(v []float64, us [][]float64) float64 {
	for pass := 0; pass < 2; pass++ {
		for _, u := range us {
			floats.AddScaled(v, -floats.Dot(u, v), u)
		}
	}
	nrm := floats.Norm(v, 2)
	if nrm > 0 {
		floats.Scale(1/nrm, v)
	}
	return nrm
}
