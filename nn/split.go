package nn

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// Subset returns a new Dataset holding copies of the samples idx, in that order.
func (d *Dataset) Subset(idx []int) *Dataset {
	n := d.Len()
	for _, i := range idx {
		if i < 0 || i >= n {
			panic(fmt.Sprintf("nn: Subset index %d out of range [0, %d)", i, n))
		}
	}
	out := &Dataset{X: copyRows(d.X, idx)}
	if d.Y != nil {
		out.Y = copyRows(d.Y, idx)
	}
	if d.Labels != nil {
		out.Labels = make([]int, len(idx))
		for k, i := range idx {
			out.Labels[k] = d.Labels[i]
		}
	}
	return out
}

func copyRows(a *mat.Dense, idx []int) *mat.Dense {
	_, c := a.Dims()
	if len(idx) == 0 {
		return &mat.Dense{}
	}
	out := mat.NewDense(len(idx), c, nil)
	for k, i := range idx {
		out.SetRow(k, a.RawRowView(i))
	}
	return out
}

// Split returns the first n samples and the remaining ones as two new datasets. If src is
// non-nil the samples are first shuffled with Permutation(d.Len(), src). It returns an
// error unless 0 < n < d.Len().
func (d *Dataset) Split(n int, src rand.Source) (first, rest *Dataset, err error) {
	if n <= 0 || n >= d.Len() {
		return nil, nil, fmt.Errorf("nn: Split n = %d outside (0, %d)", n, d.Len())
	}
	perm := seqInts(d.Len())
	if src != nil {
		perm = Permutation(d.Len(), src)
	}
	return d.Subset(perm[:n]), d.Subset(perm[n:]), nil
}

// Permutation returns a uniformly random permutation of 0..n-1 drawn with src
// (Fisher–Yates).
func Permutation(n int, src rand.Source) []int {
	p := seqInts(n)
	rand.New(src).Shuffle(n, func(i, j int) { p[i], p[j] = p[j], p[i] })
	return p
}

func seqInts(n int) []int {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	return p
}

// Standardizer is a per-column affine map x_j ↦ (x_j − Mean_j)/Std_j.
type Standardizer struct {
	Mean, Std []float64
}

// FitStandardizer returns the column means and (population, 1/n) standard deviations of
// X. Columns with zero spread get Std 1, so they map to 0.
func FitStandardizer(X *mat.Dense) Standardizer {
	r, c := X.Dims()
	s := Standardizer{Mean: make([]float64, c), Std: make([]float64, c)}
	for i := 0; i < r; i++ {
		for j, v := range X.RawRowView(i) {
			s.Mean[j] += v
		}
	}
	for j := range s.Mean {
		s.Mean[j] /= float64(r)
	}
	for i := 0; i < r; i++ {
		for j, v := range X.RawRowView(i) {
			e := v - s.Mean[j]
			s.Std[j] += e * e
		}
	}
	for j := range s.Std {
		s.Std[j] = math.Sqrt(s.Std[j] / float64(r))
		if s.Std[j] == 0 {
			s.Std[j] = 1
		}
	}
	return s
}

// Apply standardises X in place (use the statistics of the training set on test data).
func (s Standardizer) Apply(X *mat.Dense) {
	r, c := X.Dims()
	if c != len(s.Mean) || c != len(s.Std) {
		panic(fmt.Sprintf("nn: Standardizer for %d columns applied to %d", len(s.Mean), c))
	}
	for i := 0; i < r; i++ {
		row := X.RawRowView(i)
		for j := range row {
			row[j] = (row[j] - s.Mean[j]) / s.Std[j]
		}
	}
}

// Batcher yields minibatches of sample indices: each epoch is a fresh random permutation
// of 0..n-1 cut into consecutive batches of Size; a last incomplete batch is dropped, so
// every batch has exactly Size entries and no index repeats within an epoch.
type Batcher struct {
	perm  []int
	size  int
	pos   int
	epoch int
	rng   *rand.Rand
}

// NewBatcher returns a Batcher over n samples with batches of size batch, shuffled with
// src. It returns an error unless 1 <= batch <= n.
func NewBatcher(n, batch int, src rand.Source) (*Batcher, error) {
	if batch < 1 || batch > n {
		return nil, fmt.Errorf("nn: Batcher batch = %d outside [1, n = %d]", batch, n)
	}
	b := &Batcher{perm: seqInts(n), size: batch, rng: rand.New(src)}
	b.shuffle()
	return b, nil
}

func (b *Batcher) shuffle() {
	b.rng.Shuffle(len(b.perm), func(i, j int) { b.perm[i], b.perm[j] = b.perm[j], b.perm[i] })
	b.pos = 0
}

// Next returns the next batch. The slice is owned by the Batcher and valid until the
// next call to Next; it does not allocate.
func (b *Batcher) Next() []int {
	if b.pos+b.size > len(b.perm) {
		b.shuffle()
		b.epoch++
	}
	out := b.perm[b.pos : b.pos+b.size]
	b.pos += b.size
	return out
}

// Epoch is the number of completed passes (0 during the first epoch).
func (b *Batcher) Epoch() int { return b.epoch }

// PerEpoch is the number of batches per epoch, ⌊n/Size⌋.
func (b *Batcher) PerEpoch() int { return len(b.perm) / b.size }
