package meanfield

import (
	"fmt"
	"math"
)

// Points is a weighted set of data points {(x_q, y_q, π_q)}, q = 0…n−1, standing for the
// data law π: a quadrature rule (population risk), a finite dataset (π_q = 1/n: the
// empirical risk) or a minibatch (π_q = 1/M). X is n×P and Y is n×K, row-major.
// Weight nil means uniform weights 1/n. The risk is R = Σ_q π_q ℓ(f(x_q), y_q).
type Points struct {
	P, K   int
	X, Y   []float64
	Weight []float64
}

// NewPoints validates and returns the point set with inputs x (n×p), targets y (n×k) and
// weights (nil for uniform). Weights must be finite and non-negative and sum to 1
// within 1e-9.
func NewPoints(p, k int, x, y, weight []float64) (*Points, error) {
	if p < 1 {
		return nil, fmt.Errorf("meanfield: Points.P = %d, want >= 1", p)
	}
	if k < 1 {
		return nil, fmt.Errorf("meanfield: Points.K = %d, want >= 1", k)
	}
	if len(x) == 0 || len(x)%p != 0 {
		return nil, fmt.Errorf("meanfield: len(Points.X) = %d is not a positive multiple of P = %d", len(x), p)
	}
	n := len(x) / p
	if len(y) != n*k {
		return nil, fmt.Errorf("meanfield: len(Points.Y) = %d, want n·K = %d", len(y), n*k)
	}
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("meanfield: Points.X[%d] = %v", i, v)
		}
	}
	for i, v := range y {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("meanfield: Points.Y[%d] = %v", i, v)
		}
	}
	if weight != nil {
		if len(weight) != n {
			return nil, fmt.Errorf("meanfield: len(Points.Weight) = %d, want n = %d", len(weight), n)
		}
		var s float64
		for i, v := range weight {
			if !(v >= 0) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("meanfield: Points.Weight[%d] = %v, want finite >= 0", i, v)
			}
			s += v
		}
		if math.Abs(s-1) > 1e-9 {
			return nil, fmt.Errorf("meanfield: Points.Weight sums to %v, want 1", s)
		}
	}
	return &Points{P: p, K: k, X: x, Y: y, Weight: weight}, nil
}

// Validate reports the first inconsistency of d (dimensions, lengths, non-finite values,
// weights), as NewPoints does.
func (d *Points) Validate() error {
	if d == nil {
		return fmt.Errorf("meanfield: Points is nil")
	}
	_, err := NewPoints(d.P, d.K, d.X, d.Y, d.Weight)
	return err
}

// Len returns the number of points n.
func (d *Points) Len() int { return len(d.X) / d.P }

// At returns x_q, y_q and π_q.
func (d *Points) At(q int) (x, y []float64, w float64) {
	return d.X[q*d.P : (q+1)*d.P], d.Y[q*d.K : (q+1)*d.K], d.W(q)
}

// W returns the weight π_q.
func (d *Points) W(q int) float64 {
	if d.Weight == nil {
		return 1 / float64(d.Len())
	}
	return d.Weight[q]
}

// Quadrature1D returns the n-point Gauss–Legendre rule for the uniform law on [lo, hi]
// (weights w_q/(hi−lo), summing to 1), with scalar targets y_q = target(x_q). It is the
// population risk of docs/derivations/msgld.md §7 (n = 32, [−1, 1], target sin πx).
func Quadrature1D(n int, lo, hi float64, target func(float64) float64) (*Points, error) {
	if n < 1 {
		return nil, fmt.Errorf("meanfield: Quadrature1D n = %d, want >= 1", n)
	}
	if !(hi > lo) || math.IsInf(hi-lo, 0) {
		return nil, fmt.Errorf("meanfield: Quadrature1D interval [%v, %v] is empty or infinite", lo, hi)
	}
	x := make([]float64, n)
	w := make([]float64, n)
	gaussLegendre(x, w, lo, hi)
	y := make([]float64, n)
	for q := range x {
		w[q] /= hi - lo
		y[q] = target(x[q])
	}
	return NewPoints(1, 1, x, y, w)
}
