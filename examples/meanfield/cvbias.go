package main

import (
	"math"

	"github.com/sdeml/sdeml/meanfield"
	"gonum.org/v1/gonum/mat"
)

// initFeatures returns control-variate features of an initial iid sample from
// λ0 = N(0, I3), each with expectation exactly 0: the sample moments of degree ≤ 2
// minus their Gaussian values, and the initial field fluctuation f_{μ^N_0}(x_q) − f_{λ0}(x_q)
// at every fourth quadrature point.
func initFeatures(p *problem, ps *meanfield.Particles, f0 []float64) []float64 {
	var m [9]float64
	for k := range ps.N {
		w := ps.Row(k)
		a, b, c := w[0], w[1], w[2]
		for i, v := range [9]float64{a, b, c, a*a - 1, b*b - 1, c*c - 1, a * b, a * c, b * c} {
			m[i] += v / float64(ps.N)
		}
	}
	feat := m[:]
	f := meanfield.ComputeField(nil, p.unit, ps, p.data)
	for q := 0; q < len(f); q += 4 {
		feat = append(feat, f[q]-f0[q])
	}
	return feat
}

// cvBias estimates Σ_q π_q |E Y_q| from replicates Y_r (fields minus the limit) with the
// zero-mean features X_r as regression control variates: θ̂_q = Ȳ_q − β̂_qᵀ X̄ with β̂ the
// least-squares coefficients. The returned floor is (Σ_q π_q Var(residual_q)/R)^{1/2}.
// It needs more replicates than features; otherwise it returns NaN.
func cvBias(Y, X [][]float64, pts *meanfield.Points) (bias, floor float64) {
	R, m, Q := len(Y), len(X[0]), len(Y[0])
	if R < 2*m {
		return math.NaN(), math.NaN()
	}
	xm := make([]float64, m)
	ym := make([]float64, Q)
	for r := range R {
		for j := range m {
			xm[j] += X[r][j] / float64(R)
		}
		for q := range Q {
			ym[q] += Y[r][q] / float64(R)
		}
	}
	xc := mat.NewDense(R, m, nil)
	yc := mat.NewDense(R, Q, nil)
	for r := range R {
		for j := range m {
			xc.Set(r, j, X[r][j]-xm[j])
		}
		for q := range Q {
			yc.Set(r, q, Y[r][q]-ym[q])
		}
	}
	var beta mat.Dense
	if err := beta.Solve(xc, yc); err != nil {
		return math.NaN(), math.NaN()
	}
	var fit mat.Dense
	fit.Mul(xc, &beta)
	for q := range Q {
		var adj float64
		for j := range m {
			adj += beta.At(j, q) * xm[j]
		}
		bias += pts.W(q) * math.Abs(ym[q]-adj)
		var v float64
		for r := range R {
			d := yc.At(r, q) - fit.At(r, q)
			v += d * d
		}
		floor += pts.W(q) * v / float64(R-m-1) / float64(R)
	}
	return bias, math.Sqrt(floor)
}
