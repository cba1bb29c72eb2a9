package meanfield

import (
	"math"
	"math/rand/v2"
	"testing"
)

// randomPoints returns n points with p-dim standard normal inputs, K-dim targets
// (one-hot if onehot) and random probability weights.
func randomPoints(t testing.TB, r *rand.Rand, n, p, k int, onehot bool) *Points {
	x := make([]float64, n*p)
	y := make([]float64, n*k)
	w := make([]float64, n)
	var s float64
	for i := range x {
		x[i] = r.NormFloat64()
	}
	for q := range n {
		if onehot {
			y[q*k+r.IntN(k)] = 1
		} else {
			for j := range k {
				y[q*k+j] = r.NormFloat64()
			}
		}
		w[q] = 0.2 + r.Float64()
		s += w[q]
	}
	for q := range w {
		w[q] /= s
	}
	w[n-1] = 1
	for q := range n - 1 {
		w[n-1] -= w[q]
	}
	pts, err := NewPoints(p, k, x, y, w)
	if err != nil {
		t.Fatal(err)
	}
	return pts
}

func randomParticles(t testing.TB, n, d int, seed uint64) *Particles {
	ps, err := NewParticles(n, d)
	if err != nil {
		t.Fatal(err)
	}
	if err := ps.InitGaussian(0, 1, rand.NewPCG(seed, 1)); err != nil {
		t.Fatal(err)
	}
	return ps
}

// risk returns Σ_q π_q ℓ(f_μ(x_q), y_q).
func risk(u Unit, l Loss, ps *Particles, pts *Points) float64 {
	f := ComputeField(nil, u, ps, pts)
	var s float64
	for q := range pts.Len() {
		_, y, w := pts.At(q)
		s += w * l.ValueGrad(nil, f[q*pts.K:(q+1)*pts.K], y)
	}
	return s
}

// perSampleGrads returns G[k][q] = ∂ℓ(f_q, y_q)ᵀ ∇_w F(W^k, x_q) ∈ R^D, computed by
// central finite differences of w ↦ ∂ℓ(f_q)·F(w, x_q), independently of AddVJP.
func perSampleGrads(u Unit, l Loss, ps *Particles, pts *Points) [][][]float64 {
	f := ComputeField(nil, u, ps, pts)
	K := pts.K
	G := make([][][]float64, ps.N)
	dl := make([]float64, K)
	for k := range ps.N {
		G[k] = make([][]float64, pts.Len())
		for q := range pts.Len() {
			x, y, _ := pts.At(q)
			l.ValueGrad(dl, f[q*K:(q+1)*K], y)
			G[k][q] = fdVJP(u, ps.Row(k), x, dl, 1e-6)
		}
	}
	return G
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
