package reflected

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func TestSubspaceGeometry(t *testing.T) {
	for _, D := range []int{2, 4, 8} {
		line, err := DiagonalSegment(D, 0.5)
		if err != nil {
			t.Fatal(err)
		}
		sq, err := CentredSquare(D, 0.5)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []*Subspace{line, sq} {
			d := s.Intrinsic()
			rnd := rand.New(rand.NewPCG(uint64(D), uint64(d)))
			z, z2 := make([]float64, d), make([]float64, d)
			x, v := make([]float64, D), make([]float64, D)
			for trial := 0; trial < 20; trial++ {
				for k := range z {
					z[k] = rnd.Float64()
				}
				s.Embed(x, z)
				s.Coordinates(z2, x)
				for k := range z {
					// 1e-14: a few roundings of O(1) numbers.
					if math.Abs(z[k]-z2[k]) > 1e-14 {
						t.Fatalf("D=%d d=%d: Coordinates(Embed(z)) = %v, want %v", D, d, z2, z)
					}
				}
				for _, xi := range x {
					if xi < 0 || xi > 1 {
						t.Fatalf("D=%d d=%d: Embed(%v) = %v leaves the cube", D, d, z, x)
					}
				}
				if off := s.OffDistance(x); off > 1e-14 {
					t.Fatalf("OffDistance of an embedded point = %v", off)
				}
				// Add a random vector orthogonal to the columns: OffDistance must return its norm.
				for i := range v {
					v[i] = rnd.NormFloat64()
				}
				s.Coordinates(z2, addTo(slices.Clone(v), s.B))
				var nv float64
				for i := range v {
					for k := 0; k < d; k++ {
						v[i] -= s.A.At(i, k) * z2[k]
					}
					nv += v[i] * v[i]
				}
				for i := range x {
					x[i] += v[i]
				}
				if off := s.OffDistance(x); math.Abs(off-math.Sqrt(nv)) > 1e-13 {
					t.Fatalf("OffDistance %v, want %v", off, math.Sqrt(nv))
				}
			}
		}
	}
}

func addTo(a, b []float64) []float64 {
	for i := range a {
		a[i] += b[i]
	}
	return a
}

func TestSubspaceErrors(t *testing.T) {
	tilted := mat.NewDense(2, 1, []float64{1, 1}) // not unit length
	if _, err := NewSubspace(tilted, []float64{0, 0}, 0); err == nil {
		t.Error("non-orthonormal A: no error")
	}
	e1 := mat.NewDense(2, 1, []float64{1, 0})
	if _, err := NewSubspace(e1, []float64{0.5, 0}, 0); err == nil {
		t.Error("segment leaving the cube: no error")
	}
	if _, err := NewSubspace(e1, []float64{0}, 0); err == nil {
		t.Error("short B: no error")
	}
	if _, err := NewSubspace(e1, []float64{0, 0.5}, 1); err == nil {
		t.Error("C = 1: no error")
	}
	if _, err := CentredSquare(3, 0); err == nil {
		t.Error("odd D for CentredSquare: no error")
	}
	if _, err := AxisAligned(2, []float64{0.1, 0.2}); err == nil {
		t.Error("AxisAligned with d = 0: no error")
	}
	if _, err := NewEmpiricalScore(nil, 2); err == nil {
		t.Error("empty training set: no error")
	}
	if _, err := NewEmpiricalScore([]float64{0.1, 1.5}, 2); err == nil {
		t.Error("training point outside the cube: no error")
	}
	line, _ := DiagonalSegment(2, 0)
	if _, err := NewAxisAlignedScore(line); err == nil {
		t.Error("AxisAlignedScore of a diagonal: no error")
	}
}

// TestCosineSample checks the rejection sampler against the closed-form CDF by a KS test.
func TestCosineSample(t *testing.T) {
	for _, c := range []float64{0, 0.5, -0.7} {
		law := Cosine{C: c}
		z := make([]float64, 20000)
		law.Sample(z, rand.New(rand.NewPCG(7, 7)))
		u := make([]float64, len(z))
		for i, v := range z {
			u[i] = law.CDF1D(v) // probability integral transform: Uniform if z ~ law
		}
		if ks := ksUniform(u); ks > ksCritical {
			t.Errorf("C = %v: KS √n·D = %.3f > %.2f", c, ks, ksCritical)
		}
	}
}

// TestQuadratureScoreAxisAligned compares the quadrature score of the axis-aligned target with
// its closed form (an independent formula: no quadrature, no mixture).
func TestQuadratureScoreAxisAligned(t *testing.T) {
	for _, tc := range []struct {
		point []float64
		times []float64
	}{
		{[]float64{0.3, 0.6}, []float64{2e-4, 1e-3, 0.01, 0.1, 1, 3}}, // d = 1, MaxPanels 400
		{[]float64{0.3}, []float64{1e-3, 0.01, 0.1, 1, 3}},            // d = 2, MaxPanels 40: t ≥ 1/40²
	} {
		target, _ := AxisAligned(3, tc.point)
		q, _ := NewQuadratureScore(target)
		exact, _ := NewAxisAlignedScore(target)
		rnd := rand.New(rand.NewPCG(1, 2))
		got, want := make([]float64, 3), make([]float64, 3)
		x := make([]float64, 3)
		var worst float64
		for _, tt := range tc.times {
			for trial := 0; trial < 30; trial++ {
				for i := range x {
					x[i] = rnd.Float64()
				}
				q.Score(got, x, []float64{tt})
				exact.Score(want, x, []float64{tt})
				for i := range got {
					worst = max(worst, math.Abs(got[i]-want[i])*math.Sqrt(tt))
				}
			}
		}
		d := target.Intrinsic()
		t.Logf("d = %d: worst |quadrature − exact|·√t = %.3g", d, worst)
		// 1e-9 in units of the score scale 1/√t: composite 6-point Gauss–Legendre with panels
		// of at most one kernel width √t integrates the Gaussian-like integrand to ~1e-11
		// relative (exact to degree 11; Taylor remainder of a unit Gaussian over a unit panel
		// ~ 2⁻¹²/6!); the margin covers the sum over the ~70 panels and the images terms.
		if worst > 1e-9 {
			t.Errorf("d = %d: quadrature vs closed form: worst scaled error %.3g > 1e-9", d, worst)
		}
	}
}

// TestQuadratureScoreConverged compares the default rule on the diagonal segment with a rule
// of twice the order and twice the panels.
func TestQuadratureScoreConverged(t *testing.T) {
	for _, mk := range []func() (*Subspace, error){
		func() (*Subspace, error) { return DiagonalSegment(4, 0.5) },
		func() (*Subspace, error) { return CentredSquare(4, 0.5) },
	} {
		target, _ := mk()
		q, _ := NewQuadratureScore(target)
		fine, _ := NewQuadratureScore(target)
		fine.Order, fine.MaxPanels = 12, 2*q.MaxPanels
		target.Intrinsic()
		D := target.Dim()
		rnd := rand.New(rand.NewPCG(3, 4))
		got, want, x := make([]float64, D), make([]float64, D), make([]float64, D)
		var worst float64
		for _, tt := range []float64{2e-3, 0.01, 0.1, 1} {
			for trial := 0; trial < 10; trial++ {
				for i := range x {
					x[i] = 0.5 + 0.3*(rnd.Float64()-0.5)
				}
				q.Score(got, x, []float64{tt})
				fine.Score(want, x, []float64{tt})
				for i := range got {
					worst = max(worst, math.Abs(got[i]-want[i])*math.Sqrt(tt))
				}
			}
		}
		t.Logf("d = %d: worst |default − fine|·√t = %.3g", target.Intrinsic(), worst)
		// 1e-8 in units of 1/√t: see TestQuadratureScoreAxisAligned for the rule's accuracy.
		if worst > 1e-8 {
			t.Errorf("d = %d: default vs fine quadrature: worst scaled error %.3g", target.Intrinsic(), worst)
		}
	}
}

// TestEmpiricalScoreFD checks the memorising score against central differences of the log
// mixture density it returns.
func TestEmpiricalScoreFD(t *testing.T) {
	const D, n = 3, 40
	rnd := rand.New(rand.NewPCG(8, 8))
	pts := make([]float64, n*D)
	for i := range pts {
		pts[i] = rnd.Float64()
	}
	es, _ := NewEmpiricalScore(pts, D)
	zero := make([]float64, n)
	scratch := make([]float64, n*(D+1))
	x, g, tmp := make([]float64, D), make([]float64, D), make([]float64, D)
	var worst float64
	for _, tt := range []float64{1e-3, 0.03, 0.5, 2} {
		for trial := 0; trial < 10; trial++ {
			for i := range x {
				x[i] = 0.05 + 0.9*rnd.Float64()
			}
			es.Score(g, x, []float64{tt})
			h := 1e-6 * math.Sqrt(tt)
			for i := range x {
				old := x[i]
				x[i] = old + h
				fp := mixtureScore(tmp, x, pts, zero, scratch, tt)
				x[i] = old - h
				fm := mixtureScore(tmp, x, pts, zero, scratch, tt)
				x[i] = old
				fd := (fp - fm) / (2 * h)
				worst = max(worst, math.Abs(fd-g[i])/max(1/math.Sqrt(tt), math.Abs(g[i])))
			}
		}
	}
	t.Logf("worst relative FD error %.3g", worst)
	// 1e-6: step h = 1e-6·√t gives truncation O(h²) ~ 1e-12 relative and rounding
	// ~1e-16·|log p|/h ≲ 1e-8 relative to the score scale 1/√t.
	if worst > 1e-6 {
		t.Errorf("empirical score vs FD: worst %.3g", worst)
	}
}

// TestCentredBox checks CentredBox: for d = 2 and even D it is CentredSquare bit for bit;
// for d = 3 in D ∈ {4, 8, 16} (uneven blocks) its samples lie in the cube, on the subspace
// (off-distance at rounding level), and their coordinates are the drawn Z in [0,1]^3.
func TestCentredBox(t *testing.T) {
	for _, D := range []int{4, 8, 16} {
		sq, _ := CentredSquare(D, 0.5)
		bx, err := CentredBox(D, 2, 0.5)
		if err != nil {
			t.Fatal(err)
		}
		if !mat.Equal(sq.A, bx.A) || !slices.Equal(sq.B, bx.B) {
			t.Errorf("D = %d: CentredBox(D, 2) differs from CentredSquare", D)
		}
		b3, err := CentredBox(D, 3, 0.5)
		if err != nil {
			t.Fatal(err)
		}
		x := make([]float64, 500*D)
		b3.Sample(x, rand.NewPCG(uint64(D), 3))
		for i, v := range x {
			if v < 0 || v > 1 {
				t.Fatalf("D = %d: x[%d] = %v outside [0,1]", D, i, v)
			}
		}
		// 1e-12: B + A·z then the projection, O(D) roundings of O(1) numbers.
		if off := b3.MeanOffDistance(x); off > 1e-12 {
			t.Errorf("D = %d: mean off-subspace distance %v", D, off)
		}
		for i, z := range b3.AllCoordinates(x) {
			if z < -1e-12 || z > 1+1e-12 {
				t.Fatalf("D = %d: coordinate %d = %v outside [0,1]", D, i, z)
			}
		}
	}
	if _, err := CentredBox(2, 3, 0); err == nil {
		t.Error("d > D: no error")
	}
}
