package sgn

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

func TestReferenceNoisesMatchTrace(t *testing.T) {
	dev := gaussDev(40, 12, 3)
	mo, _ := ComputeMoments(dev)
	tr := mo.TraceCov()
	sp, _ := CovSpectrum(dev, &SpectrumSettings{K: 2, Centered: true})
	h, _ := symWithEigen([]float64{5, 2, 1, 0.5, 0, 0, 0, 0, 0, 0, 0, -1}, 8)
	hv, hvec, _, _ := TopEigen(denseHVP(h), 12, 4, &PowerSettings{Tol: 1e-12, MaxIter: 5000}, rand.NewPCG(1, 1))
	iso, _ := IsotropicNoise(12, tr)
	diag, _ := DiagonalNoise(dev)
	top, _ := TopEigenNoise(sp)
	hes, _ := HessianNoise(hv, hvec, tr)
	emp, _ := EmpiricalNoise(dev)
	// Reference covariances C (dense) for the Monte Carlo check below.
	var sigma mat.Dense
	sigma.Mul(dev.T(), dev)
	sigma.Scale(1.0/40, &sigma)
	for _, r := range []*RefNoise{iso, diag, top, hes, emp} {
		// Matched trace is exact up to rounding.
		if !relClose(r.Trace(), tr, 1e-12) {
			t.Errorf("%v: trace %v, want %v", r.Kind, r.Trace(), tr)
		}
		// Monte Carlo: the sample covariance of 40000 draws matches diag(s²) + FFᵀ. Each
		// entry has sd ≤ √(2/N)·max C ≈ 0.007·max C; 6 σ ≈ 0.045·max C.
		c := mat.NewDense(12, 12, nil)
		for i, s := range r.Scale {
			c.Set(i, i, s*s)
		}
		if r.Factor != nil {
			var ff mat.Dense
			ff.Mul(r.Factor, r.Factor.T())
			c.Add(c, &ff)
		}
		const N = 40000
		src := rand.NewPCG(9, uint64(r.Kind))
		x := make([]float64, 12)
		emp := mat.NewDense(12, 12, nil)
		for k := 0; k < N; k++ {
			r.Sample(x, src)
			v := mat.NewVecDense(12, x)
			emp.RankOne(emp, 1.0/N, v, v)
		}
		maxC := mat.Norm(c, math.Inf(1))
		var diff mat.Dense
		diff.Sub(emp, c)
		if e := mat.Norm(&diff, math.Inf(1)); e > 0.045*maxC*12 {
			t.Errorf("%v: covariance error %v (max row sum %v)", r.Kind, e, maxC)
		}
	}
	// The empirical noise has covariance exactly Σ.
	var ff mat.Dense
	ff.Mul(emp.Factor, emp.Factor.T())
	if !mat.EqualApprox(&ff, &sigma, 1e-12) {
		t.Error("EmpiricalNoise: FFᵀ ≠ Σ")
	}
	// The diagonal noise has diag(Σ).
	for j := 0; j < 12; j++ {
		if !relClose(diag.Scale[j]*diag.Scale[j], sigma.At(j, j), 1e-12) {
			t.Errorf("diag %d", j)
		}
	}
	// Top-eigenvector noise is tr Σ·v₁v₁ᵀ.
	v1 := mat.Col(nil, 0, sp.Vectors)
	f := mat.Col(nil, 0, top.Factor)
	if !relClose(math.Abs(floats.Dot(f, v1)), math.Sqrt(tr), 1e-12) {
		t.Error("TopEigenNoise direction")
	}
	// Bad input: each error names the offending field or value.
	cases := []struct {
		name, want string
		err        error
	}{
		{"no positive eigenvalue", "sum of positive eigenvalues is 0", func() error {
			_, e := HessianNoise([]float64{-1}, mat.NewDense(12, 1, nil), 1)
			return e
		}()},
		{"values vs vectors", "3 values for 2 eigenvectors", func() error {
			_, e := HessianNoise([]float64{1, 2, 3}, mat.NewDense(12, 2, nil), 1)
			return e
		}()},
		{"Hessian trace NaN", "trace = NaN", func() error {
			_, e := HessianNoise([]float64{1}, mat.NewDense(12, 1, nil), math.NaN())
			return e
		}()},
		{"isotropic dim", "dim = 0", func() error { _, e := IsotropicNoise(0, 1); return e }()},
		{"isotropic trace", "trace = -1", func() error { _, e := IsotropicNoise(3, -1); return e }()},
		{"no vectors", "no eigenvectors", func() error { _, e := TopEigenNoise(&Spectrum{}); return e }()},
	}
	for _, c := range cases {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("%s: error %v, want it to mention %q", c.name, c.err, c.want)
		}
	}
	mustPanic(t, "Sample length", func() { iso.Sample(make([]float64, 3), rand.NewPCG(1, 1)) })
}
