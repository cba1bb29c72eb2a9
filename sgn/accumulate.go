package sgn

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// Accumulator accumulates Moments over chunks of per-sample gradients, so that the n×d
// matrix never has to be held at once. Each chunk is reduced by a two-pass mean and sum of
// squared deviations and merged by Chan, Golub and LeVeque's pairwise update
//
//	M2 = M2_a + M2_b + ‖ḡ_b − ḡ_a‖² n_a n_b/(n_a + n_b),
//
// which avoids the cancellation of the norm formula (1/n)Σ‖gᵢ‖² − ‖ḡ‖².
type Accumulator struct {
	n     int
	mean  []float64
	m2    float64
	cmean []float64
}

// NewAccumulator returns an empty Accumulator for gradients of dimension dim.
func NewAccumulator(dim int) *Accumulator {
	return &Accumulator{mean: make([]float64, dim), cmean: make([]float64, dim)}
}

// Reset empties the accumulator.
func (a *Accumulator) Reset() {
	a.n, a.m2 = 0, 0
	for i := range a.mean {
		a.mean[i] = 0
	}
}

// Add merges the rows of g (one per-sample gradient per row). It returns an error, and
// leaves the accumulator unchanged, if an entry of g is NaN or infinite. It panics if g has
// the wrong number of columns.
func (a *Accumulator) Add(g mat.Matrix) error {
	r, c := g.Dims()
	if c != len(a.mean) {
		panic(fmt.Sprintf("sgn: Accumulator.Add: gradient has %d columns, want %d", c, len(a.mean)))
	}
	if r == 0 {
		return nil
	}
	cm := a.cmean
	for j := range cm {
		cm[j] = 0
	}
	for i := 0; i < r; i++ {
		row := rowOf(g, i)
		if bad := firstNonFinite(row); bad >= 0 {
			return fmt.Errorf("sgn: gradient row %d, coordinate %d is %v", i, bad, row[bad])
		}
		floats.Add(cm, row)
	}
	floats.Scale(1/float64(r), cm)
	var m2 float64
	for i := 0; i < r; i++ {
		row := rowOf(g, i)
		for j, v := range row {
			e := v - cm[j]
			m2 += e * e
		}
	}
	na, nb := float64(a.n), float64(r)
	if a.n == 0 {
		copy(a.mean, cm)
		a.m2 = m2
		a.n = r
		return nil
	}
	var dd float64
	for j := range cm {
		e := cm[j] - a.mean[j]
		dd += e * e
		a.mean[j] += e * nb / (na + nb)
	}
	a.m2 += m2 + dd*na*nb/(na+nb)
	a.n += r
	return nil
}

// N returns the number of rows added so far.
func (a *Accumulator) N() int { return a.n }

// Moments returns a copy of the accumulated moments; it needs at least two rows.
func (a *Accumulator) Moments() (Moments, error) {
	if a.n < 2 {
		return Moments{}, fmt.Errorf("sgn: %d gradient samples, need at least 2", a.n)
	}
	return Moments{N: a.n, Mean: append([]float64(nil), a.mean...), SumSqDev: a.m2}, nil
}

// PerSampleGrader computes per-sample gradients: row k of dst becomes ∇f_{idx[k]}(w).
// nn.Supervised implements it.
type PerSampleGrader interface {
	Dim() int
	PerSampleGrads(dst *mat.Dense, w []float64, idx []int)
}

// StreamMoments returns the Moments of the per-sample gradients at w of the samples idx,
// computed chunk rows at a time (chunk <= 0 means 256), so memory is O(chunk·d). It
// returns an error if len(w) is not src.Dim() or an entry of idx is not a sample of src
// (when src has a Len method, as nn.Supervised does).
func StreamMoments(src PerSampleGrader, w []float64, idx []int, chunk int) (Moments, error) {
	if len(idx) < 2 {
		return Moments{}, fmt.Errorf("sgn: StreamMoments: len(idx) = %d, need at least 2 samples", len(idx))
	}
	if chunk <= 0 {
		chunk = 256
	}
	d := src.Dim()
	if err := checkParams("StreamMoments", w, d); err != nil {
		return Moments{}, err
	}
	if err := checkIndices("StreamMoments", "idx", src, idx); err != nil {
		return Moments{}, err
	}
	acc := NewAccumulator(d)
	buf := mat.NewDense(min(chunk, len(idx)), d, nil)
	for lo := 0; lo < len(idx); lo += chunk {
		hi := min(lo+chunk, len(idx))
		b := buf.Slice(0, hi-lo, 0, d).(*mat.Dense)
		src.PerSampleGrads(b, w, idx[lo:hi])
		if err := acc.Add(b); err != nil {
			return Moments{}, err
		}
	}
	return acc.Moments()
}

// rowOf returns row i of m as a slice, without copying when m is a *mat.Dense.
func rowOf(m mat.Matrix, i int) []float64 {
	if d, ok := m.(mat.RawMatrixer); ok {
		raw := d.RawMatrix()
		return raw.Data[i*raw.Stride : i*raw.Stride+raw.Cols]
	}
	return mat.Row(nil, i, m)
}

// firstNonFinite returns the index of the first NaN or ±Inf in x, or −1.
func firstNonFinite(x []float64) int {
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return i
		}
	}
	return -1
}
