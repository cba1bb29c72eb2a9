package reflected

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// Subspace is a data law supported on a d-dimensional affine piece of [0,1]^D
// (docs/derivations/reflected.md §8): X = B + A·Z, where A is D×d with orthonormal columns,
// B ∈ R^D and Z ∈ [0,1]^d has the product cosine density of Density. Construct it with
// NewSubspace, DiagonalSegment, CentredSquare or AxisAligned, which check that every
// point B + A·z, z ∈ [0,1]^d, lies in the cube.
type Subspace struct {
	A       *mat.Dense // D×d basis with orthonormal columns
	B       []float64  // offset, length D
	Density Cosine     // law of the coordinates Z on [0,1]^d
}

// NewSubspace returns the target B + A·Z with Z ~ Cosine{C: c} on [0,1]^d. It returns an error
// if A has no columns or more columns than rows, len(b) differs from the rows of A, the columns
// of A are not orthonormal (to 1e-10), some corner B + A·z, z ∈ {0,1}^d, leaves [0,1]^D (by more
// than 1e-12), or c is invalid for Cosine.
func NewSubspace(a *mat.Dense, b []float64, c float64) (*Subspace, error) {
	if a == nil {
		return nil, fmt.Errorf("reflected: Subspace.A is nil")
	}
	D, d := a.Dims()
	if d < 1 || d > D {
		return nil, fmt.Errorf("reflected: Subspace.A is %d×%d, need 1 ≤ d ≤ D", D, d)
	}
	if len(b) != D {
		return nil, fmt.Errorf("reflected: len(Subspace.B) = %d, want D = %d", len(b), D)
	}
	dens := Cosine{C: c}
	if err := dens.validate(); err != nil {
		return nil, err
	}
	var g mat.Dense
	g.Mul(a.T(), a)
	for i := 0; i < d; i++ {
		for j := 0; j < d; j++ {
			want := 0.0
			if i == j {
				want = 1
			}
			// 1e-10: far above rounding of a Gram product of unit vectors (~D·1e-16),
			// far below any genuine non-orthogonality a user would mean.
			if math.Abs(g.At(i, j)-want) > 1e-10 {
				return nil, fmt.Errorf("reflected: Subspace.A columns not orthonormal: (AᵀA)[%d][%d] = %v", i, j, g.At(i, j))
			}
		}
	}
	s := &Subspace{A: mat.DenseCopyOf(a), B: append([]float64(nil), b...), Density: dens}
	// The image of the box [0,1]^d is the convex hull of its corners' images.
	z := make([]float64, d)
	x := make([]float64, D)
	for mask := 0; mask < 1<<d; mask++ {
		for k := range z {
			z[k] = float64(mask >> k & 1)
		}
		s.Embed(x, z)
		for i, v := range x {
			// 1e-12: rounding in b + A z for entries of order 1.
			if v < -1e-12 || v > 1+1e-12 || math.IsNaN(v) {
				return nil, fmt.Errorf("reflected: Subspace corner z = %v maps to x[%d] = %v outside [0,1]", z, i, v)
			}
		}
	}
	return s, nil
}

// DiagonalSegment is Experiment A's target (docs/derivations/reflected.md §8): the unit-length segment
// through the cube centre along u = (1,…,1)/√D, X = ½·1 + (Z − ½)·u with Z ~ Cosine{C: c}.
func DiagonalSegment(D int, c float64) (*Subspace, error) {
	if D < 1 {
		return nil, fmt.Errorf("reflected: DiagonalSegment: D = %d, need D ≥ 1", D)
	}
	a := mat.NewDense(D, 1, nil)
	b := make([]float64, D)
	u := 1 / math.Sqrt(float64(D))
	for i := range b {
		a.Set(i, 0, u)
		b[i] = 0.5 - 0.5*u
	}
	return NewSubspace(a, b, c)
}

// CentredSquare is Experiment B's target: the unit square through the cube centre spanned by
// v₁ = indicator of the first D/2 coordinates and v₂ = indicator of the last D/2, each divided
// by √(D/2); X = ½·1 + (Z₁ − ½)v₁ + (Z₂ − ½)v₂ with Z ~ Cosine{C: c} on [0,1]². D must be even.
// It is CentredBox(D, 2, c).
func CentredSquare(D int, c float64) (*Subspace, error) {
	if D < 2 || D%2 != 0 {
		return nil, fmt.Errorf("reflected: CentredSquare: D = %d, need an even D ≥ 2", D)
	}
	return CentredBox(D, 2, c)
}

// CentredBox is the d-dimensional unit cube through the centre of [0,1]^D: the coordinates
// are split into d contiguous blocks (sizes ⌈D/d⌉ first, then ⌊D/d⌋, as equal as possible),
// vₖ is the indicator of block k divided by √(size of block k), and
// X = ½·1 + Σₖ (Zₖ − ½)·vₖ with Z ~ Cosine{C: c} on [0,1]^d. The vₖ are orthonormal and
// every point lies in [0,1]^D (a block of size 1 reaches the walls).
func CentredBox(D, d int, c float64) (*Subspace, error) {
	if d < 1 || D < d {
		return nil, fmt.Errorf("reflected: CentredBox: D = %d, d = %d, need 1 ≤ d ≤ D", D, d)
	}
	a := mat.NewDense(D, d, nil)
	b := make([]float64, D)
	lo := 0
	for k := 0; k < d; k++ {
		size := D / d
		if k < D%d {
			size++
		}
		u := 1 / math.Sqrt(float64(size))
		for i := lo; i < lo+size; i++ {
			a.Set(i, k, u)
			b[i] = 0.5 - 0.5*u
		}
		lo += size
	}
	return NewSubspace(a, b, c)
}

// AxisAligned is the target Uniform([0,1]^d) × δ_point (docs/derivations/reflected.md §8): the first
// d = D − len(point) coordinates are uniform and the last len(point) are fixed at point. Its
// score has the closed form of AxisAlignedScore.
func AxisAligned(D int, point []float64) (*Subspace, error) {
	d := D - len(point)
	if d < 1 {
		return nil, fmt.Errorf("reflected: AxisAligned: D = %d, len(point) = %d, need D > len(point)", D, len(point))
	}
	a := mat.NewDense(D, d, nil)
	b := make([]float64, D)
	for k := 0; k < d; k++ {
		a.Set(k, k, 1)
	}
	copy(b[d:], point)
	return NewSubspace(a, b, 0)
}

// Dim returns the ambient dimension D.
func (s *Subspace) Dim() int { r, _ := s.A.Dims(); return r }

// Intrinsic returns the intrinsic dimension d.
func (s *Subspace) Intrinsic() int { _, c := s.A.Dims(); return c }

// Embed writes x = B + A·z (len D) for coordinates z (len d).
func (s *Subspace) Embed(x, z []float64) {
	D, d := s.A.Dims()
	if len(x) != D || len(z) != d {
		panic("reflected: Subspace.Embed: length mismatch")
	}
	raw := s.A.RawMatrix()
	for i := 0; i < D; i++ {
		v := s.B[i]
		row := raw.Data[i*raw.Stride : i*raw.Stride+d]
		for k, a := range row {
			v += a * z[k]
		}
		x[i] = v
	}
}

// Coordinates writes z = Aᵀ(x − B) (len d), the coordinates of the orthogonal projection of x
// onto the affine subspace.
func (s *Subspace) Coordinates(z, x []float64) {
	D, d := s.A.Dims()
	if len(x) != D || len(z) != d {
		panic("reflected: Subspace.Coordinates: length mismatch")
	}
	raw := s.A.RawMatrix()
	for k := range z {
		z[k] = 0
	}
	for i := 0; i < D; i++ {
		dx := x[i] - s.B[i]
		row := raw.Data[i*raw.Stride : i*raw.Stride+d]
		for k, a := range row {
			z[k] += a * dx
		}
	}
}

// OffDistance returns ‖(I − AAᵀ)(x − B)‖₂, the distance from x to the affine subspace. It
// computes √(‖x − B‖² − ‖Aᵀ(x − B)‖²) without allocating, for d ≤ 8; larger d allocates.
func (s *Subspace) OffDistance(x []float64) float64 {
	D, d := s.A.Dims()
	if len(x) != D {
		panic("reflected: Subspace.OffDistance: length mismatch")
	}
	var buf [8]float64
	z := buf[:0]
	if d <= len(buf) {
		z = buf[:d]
	} else {
		z = make([]float64, d)
	}
	s.Coordinates(z, x)
	// Compute the residual explicitly (no cancellation in ‖x−B‖² − ‖z‖²).
	raw := s.A.RawMatrix()
	var sum float64
	for i := 0; i < D; i++ {
		r := x[i] - s.B[i]
		row := raw.Data[i*raw.Stride : i*raw.Stride+d]
		for k, a := range row {
			r -= a * z[k]
		}
		sum += r * r
	}
	return math.Sqrt(sum)
}

// Sample fills dst (n rows of D, n = len(dst)/D) with independent draws B + A·Z.
func (s *Subspace) Sample(dst []float64, src rand.Source) {
	D, d := s.A.Dims()
	if len(dst)%D != 0 {
		panic("reflected: Subspace.Sample: len(dst) not a multiple of D")
	}
	rnd := rand.New(src)
	z := make([]float64, d)
	for off := 0; off < len(dst); off += D {
		s.Density.Sample(z, rnd)
		s.Embed(dst[off:off+D], z)
	}
}
