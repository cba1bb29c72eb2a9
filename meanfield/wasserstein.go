package meanfield

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"github.com/sdeml/sdeml/internal/ot"
)

// Wasserstein1D returns W_p between the weighted 1-D laws Σ_i wx_i δ_{x_i} and
// Σ_j wy_j δ_{y_j} (nil weights mean uniform), computed exactly from the quantile
// coupling: W_p^p = ∫_0^1 |F_x^{−1}(u) − F_y^{−1}(u)|^p du. For equal sizes and uniform
// weights it is ((1/n) Σ |x_(i) − y_(i)|^p)^{1/p}. The inputs are not modified.
func Wasserstein1D(x, wx, y, wy []float64, p float64) (float64, error) {
	if len(x) == 0 || len(y) == 0 {
		return 0, fmt.Errorf("meanfield: Wasserstein1D with an empty sample (%d, %d)", len(x), len(y))
	}
	if !(p >= 1) || math.IsInf(p, 0) {
		return 0, fmt.Errorf("meanfield: Wasserstein1D p = %v, want finite >= 1", p)
	}
	if (wx != nil && len(wx) != len(x)) || (wy != nil && len(wy) != len(y)) {
		return 0, fmt.Errorf("meanfield: Wasserstein1D weight lengths (%d, %d) do not match samples (%d, %d)", len(wx), len(wy), len(x), len(y))
	}
	xs, xw := sortedWeighted(x, wx)
	ys, yw := sortedWeighted(y, wy)
	var s float64
	i, j := 0, 0
	ri, rj := xw[0], yw[0]
	for i < len(xs) && j < len(ys) {
		m := min(ri, rj)
		s += m * math.Pow(math.Abs(xs[i]-ys[j]), p)
		ri -= m
		rj -= m
		if ri <= 0 {
			i++
			if i < len(xs) {
				ri = xw[i]
			}
		}
		if rj <= 0 {
			j++
			if j < len(ys) {
				rj = yw[j]
			}
		}
	}
	return math.Pow(s, 1/p), nil
}

// sortedWeighted returns copies of x sorted ascending and its normalised weights.
func sortedWeighted(x, w []float64) ([]float64, []float64) {
	idx := make([]int, len(x))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return x[idx[a]] < x[idx[b]] })
	xs := make([]float64, len(x))
	ws := make([]float64, len(x))
	var tot float64
	for i, k := range idx {
		xs[i] = x[k]
		if w == nil {
			ws[i] = 1
		} else {
			ws[i] = w[k]
		}
		tot += ws[i]
	}
	for i := range ws {
		ws[i] /= tot
	}
	return xs, ws
}

// MarginalW1 returns W_1 between the coordinate-j marginals of two (weighted) particle
// systems.
func MarginalW1(a, b *Particles, j int) (float64, error) {
	if j < 0 || j >= a.D || j >= b.D {
		return 0, fmt.Errorf("meanfield: MarginalW1 coordinate %d outside [0, %d)", j, min(a.D, b.D))
	}
	return Wasserstein1D(a.Coord(make([]float64, a.N), j), a.Weight, b.Coord(make([]float64, b.N), j), b.Weight, 1)
}

// SlicedW returns the sliced Wasserstein distance
// SW_p(a, b) = (E_θ W_p^p(θ#a, θ#b))^{1/p} over θ uniform on the sphere S^{D−1},
// estimated with L directions drawn from src.
func SlicedW(a, b *Particles, p float64, L int, src rand.Source) (float64, error) {
	if a.D != b.D {
		return 0, fmt.Errorf("meanfield: SlicedW dimensions %d and %d differ", a.D, b.D)
	}
	if L < 1 {
		return 0, fmt.Errorf("meanfield: SlicedW L = %d, want >= 1", L)
	}
	r := rand.New(src)
	th := make([]float64, a.D)
	pa, pb := make([]float64, a.N), make([]float64, b.N)
	var s float64
	for range L {
		var nrm float64
		for i := range th {
			th[i] = r.NormFloat64()
			nrm += th[i] * th[i]
		}
		nrm = math.Sqrt(nrm)
		for i := range th {
			th[i] /= nrm
		}
		for k := range pa {
			pa[k] = dot(th, a.Row(k))
		}
		for k := range pb {
			pb[k] = dot(th, b.Row(k))
		}
		w, err := Wasserstein1D(pa, a.Weight, pb, b.Weight, p)
		if err != nil {
			return 0, err
		}
		s += math.Pow(w, p)
	}
	return math.Pow(s/float64(L), 1/p), nil
}

// ExactW2 returns the exact 2-Wasserstein distance
// (min_π (1/N) Σ_k |a_k − b_π(k)|²)^{1/2} between two equally weighted systems of the same
// size, by the optimal assignment (internal/ot). Cost O(N³); meant for N up to a few
// thousand. Weighted systems return an error.
func ExactW2(a, b *Particles) (float64, error) {
	if a.N != b.N || a.D != b.D {
		return 0, fmt.Errorf("meanfield: ExactW2 shapes (%d, %d) and (%d, %d) differ", a.N, a.D, b.N, b.D)
	}
	if a.Weight != nil || b.Weight != nil {
		return 0, fmt.Errorf("meanfield: ExactW2 needs equally weighted particles")
	}
	return ot.W2(a.W, b.W, a.D, nil)
}
