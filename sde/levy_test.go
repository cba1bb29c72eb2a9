package sde

import (
	"math"
	"testing"

	"github.com/sdeml/sdeml/internal/parallel"
)

// areaSample draws n Lévy areas A_01 of an m-dimensional Brownian motion
// over a step h with the given number of terms (0: LevyTerms) and tail.
func areaSample(n, m int, h float64, terms int, tail bool, seed uint64) (a01, a02 []float64) {
	b := NewIncrements(parallel.Stream(seed, 0), m)
	dw, a := make([]float64, m), make([]float64, m*(m-1)/2)
	a01 = make([]float64, n)
	if m > 2 {
		a02 = make([]float64, n)
	}
	if terms == 0 {
		terms = LevyTerms(m, h)
	}
	for k := range n {
		for i := range dw {
			dw[i] = math.Sqrt(h) * b.gen.next()
		}
		b.ag.area(a, dw, h, terms, tail, b.gen.next)
		a01[k] = a[0]
		if m > 2 {
			a02[k] = a[1]
		}
	}
	return a01, a02
}

// TestLevyAreaLaw: the exact Lévy area over h has E A² = h²/4,
// Var A² = E A⁴ − (E A²)² = 5h⁴/16 − h⁴/16 = h⁴/4 (from the c.f.
// 1/cosh(λh/2) = 1 − x²/2 + 5x⁴/24 − …, x = λh/2) and characteristic
// function 1/cosh(λh/2). With n = 10⁵ draws the sample second moment is
// compared within 5 SE = 5h²/(2√n), and the empirical c.f. (mean of
// cos λA; Var cos λA = (1 + φ(2λ))/2 − φ(λ)²) within 5 SE: a Gaussian
// deviation beyond 5 SE has probability 5.7e-7. At h = 1 the series has a
// single term (LevyTerms(2, 1) = 1), the hardest case for the tail
// correction; h = 0.01 uses 3 terms. m = 3 exercises the 3×3 tail
// covariance: A_01 and A_02 have the same law and are uncorrelated
// (E A_01 A_02 = 0 by the symmetry W_1 → −W_1), within 5 SE (Var(A_01 A_02)
// = E A_01² A_02² ≤ √(E A⁴ E A⁴) = 5h⁴/16).
func TestLevyAreaLaw(t *testing.T) {
	skipStatisticalUnderRace(t)
	const n = 100000
	for ci, c := range []struct {
		m int
		h float64
	}{{2, 1}, {2, 0.01}, {3, 1}} {
		a, a2 := areaSample(n, c.m, c.h, 0, true, uint64(40+ci))
		var s2 float64
		for _, v := range a {
			s2 += v * v
		}
		h2 := c.h * c.h
		if got, se := s2/n, h2/(2*math.Sqrt(n)); math.Abs(got-h2/4) > 5*se {
			t.Errorf("m = %d, h = %v: E A² = %v, want %v ± %v", c.m, c.h, got, h2/4, 5*se)
		}
		for _, x := range []float64{0.5, 1, 2, 3} {
			l := 2 * x / c.h // λh/2 = x
			phi := func(y float64) float64 { return 1 / math.Cosh(y) }
			var sc float64
			for _, v := range a {
				sc += math.Cos(l * v)
			}
			v := (1+phi(2*x))/2 - phi(x)*phi(x)
			if got, se := sc/n, math.Sqrt(v/n); math.Abs(got-phi(x)) > 5*se {
				t.Errorf("m = %d, h = %v, λh/2 = %v: c.f. %v, want %v ± %v", c.m, c.h, x, got, phi(x), 5*se)
			}
		}
		if a2 != nil {
			var s22, s12 float64
			for k := range a {
				s22 += a2[k] * a2[k]
				s12 += a[k] * a2[k]
			}
			if got, se := s22/n, h2/(2*math.Sqrt(n)); math.Abs(got-h2/4) > 5*se {
				t.Errorf("m = 3: E A_02² = %v, want %v ± %v", got, h2/4, 5*se)
			}
			if got, se := s12/n, math.Sqrt(5*h2*h2/16/n); math.Abs(got) > 5*se {
				t.Errorf("m = 3: E A_01 A_02 = %v, want 0 ± %v", got, 5*se)
			}
		}
	}
}

// TestLevyAreaNoTail is the control: without Wiktorsson's tail the one-term
// series has variance (h/2π)²·6·1 = 6/(4π²) = 0.152 at h = 1 instead of
// 0.25, far outside the tolerance of TestLevyAreaLaw, so that test can
// fail.
func TestLevyAreaNoTail(t *testing.T) {
	skipStatisticalUnderRace(t)
	const n = 100000
	a, _ := areaSample(n, 2, 1, 1, false, 40)
	var s2 float64
	for _, v := range a {
		s2 += v * v
	}
	want := 6 / (4 * math.Pi * math.Pi)
	if got, se := s2/n, 1/(2*math.Sqrt(n)); math.Abs(got-want) > 5*se || math.Abs(got-0.25) < 5*se {
		t.Errorf("untailed E A² = %v, want %v (and not 0.25)", got, want)
	}
}

// TestCombineAreas: Chen's relation reproduces the area of a path sampled
// finely, computed by the trapezoid-free discrete sum ½ Σ (W_i dW_j − W_j dW_i)
// over the same fine increments (which is exact for the piecewise-linear
// path, whose areas on each piece are 0).
func TestCombineAreas(t *testing.T) {
	const m, k = 3, 50
	b := NewIncrements(parallel.Stream(1, 0), m)
	dw, a := make([]float64, m), make([]float64, 3)
	zero := make([]float64, 3)
	inc := make([]float64, m)
	w := make([]float64, m)
	want := make([]float64, 3)
	for range k {
		b.Increment(inc, nil, 0, 0.1)
		for i := range m {
			for j := i + 1; j < m; j++ {
				want[AreaIndex(i, j, m)] += 0.5 * (w[i]*inc[j] - w[j]*inc[i])
			}
		}
		for i := range w {
			w[i] += inc[i]
		}
		CombineAreas(dw, a, dw, a, inc, zero)
	}
	for p := range a {
		if math.Abs(a[p]-want[p]) > 1e-12 {
			t.Errorf("area %d: %v, want %v", p, a[p], want[p])
		}
	}
	if AreaIndex(0, 1, 3) != 0 || AreaIndex(0, 2, 3) != 1 || AreaIndex(1, 2, 3) != 2 || AreaIndex(2, 3, 4) != 5 {
		t.Error("AreaIndex layout")
	}
}
