package sgn

import (
	"fmt"
	"math/rand/v2"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/sdeml/sdeml/internal/parallel"
)

// SlicedNormality runs NormalityTests on nproj random one-dimensional projections
// yᵢ = uᵀxᵢ of the rows xᵢ of x (noise vectors), with u uniform on the unit sphere drawn from
// parallel.Stream(seed, j) for projection j. A Gaussian vector has Gaussian projections, so
// rejections at a rate well above the level indicate non-Gaussian noise.
func SlicedNormality(x *mat.Dense, nproj int, seed uint64) ([]Normality, error) {
	n, d := x.Dims()
	if nproj < 1 {
		return nil, fmt.Errorf("sgn: SlicedNormality: nproj = %d, need at least 1", nproj)
	}
	if n < 3 {
		return nil, fmt.Errorf("sgn: SlicedNormality: %d noise vectors, need at least 3", n)
	}
	for i := 0; i < n; i++ {
		if bad := firstNonFinite(x.RawRowView(i)); bad >= 0 {
			return nil, fmt.Errorf("sgn: SlicedNormality: x[%d][%d] = %v", i, bad, x.At(i, bad))
		}
	}
	type scratch struct{ u, y, s []float64 }
	sc := make([]scratch, parallel.Workers(nproj))
	for i := range sc {
		sc[i] = scratch{make([]float64, d), make([]float64, n), make([]float64, n)}
	}
	out := make([]Normality, nproj)
	errs := make([]error, nproj)
	parallel.For(nproj, func(w, j int) {
		s := &sc[w]
		rng := rand.New(parallel.Stream(seed, j))
		for k := range s.u {
			s.u[k] = rng.NormFloat64()
		}
		floats.Scale(1/floats.Norm(s.u, 2), s.u)
		for i := range s.y {
			s.y[i] = floats.Dot(x.RawRowView(i), s.u)
		}
		out[j], errs[j] = normalityTo(s.s, s.y)
	})
	for j, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("sgn: SlicedNormality: projection %d: %w", j, err)
		}
	}
	return out, nil
}

// RejectionRates returns the fraction of results whose Jarque–Bera, Lilliefors and
// Anderson–Darling p-values are below level. Under normality each is about level.
func RejectionRates(res []Normality, level float64) (jb, ks, ad float64) {
	for _, r := range res {
		if r.JarqueBera.P < level {
			jb++
		}
		if r.Lilliefors.P < level {
			ks++
		}
		if r.AndersonDarling.P < level {
			ad++
		}
	}
	n := float64(len(res))
	return jb / n, ks / n, ad / n
}
