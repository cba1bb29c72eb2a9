package meanfield

import (
	"fmt"
	"math/rand/v2"
	"sort"
)

// Sampler draws iid data pairs (X, Y) ~ π for online SGD.
type Sampler interface {
	// Dims returns the input dimension p and target dimension K.
	Dims() (p, k int)
	// Sample writes one draw into x (len p) and y (len K) using r.
	Sample(x, y []float64, r *rand.Rand)
}

// FuncSampler is a Sampler backed by a function, e.g. x ~ U[−1, 1], y = sin πx.
type FuncSampler struct {
	// P and K are the input and output dimensions of a sample.
	P, K int
	// Draw writes one iid sample (x ∈ R^P, y ∈ R^K) drawn with r.
	Draw func(x, y []float64, r *rand.Rand)
}

// Dims implements Sampler.
func (s FuncSampler) Dims() (int, int) { return s.P, s.K }

// Sample implements Sampler.
func (s FuncSampler) Sample(x, y []float64, r *rand.Rand) { s.Draw(x, y, r) }

// DatasetSampler draws points of a finite set with replacement, point q with
// probability π_q (uniformly when Data.Weight is nil).
type DatasetSampler struct {
	data *Points
	cum  []float64
}

// NewDatasetSampler returns a sampler over d.
func NewDatasetSampler(d *Points) (*DatasetSampler, error) {
	if d == nil || d.Len() == 0 {
		return nil, fmt.Errorf("meanfield: NewDatasetSampler with empty data")
	}
	s := &DatasetSampler{data: d}
	if d.Weight != nil {
		s.cum = make([]float64, len(d.Weight))
		var c float64
		for i, w := range d.Weight {
			c += w
			s.cum[i] = c
		}
	}
	return s, nil
}

// Dims implements Sampler.
func (s *DatasetSampler) Dims() (int, int) { return s.data.P, s.data.K }

// Sample implements Sampler.
func (s *DatasetSampler) Sample(x, y []float64, r *rand.Rand) {
	var q int
	if s.cum == nil {
		q = r.IntN(s.data.Len())
	} else {
		u := r.Float64() * s.cum[len(s.cum)-1]
		q = min(sort.SearchFloat64s(s.cum, u), len(s.cum)-1)
	}
	xq, yq, _ := s.data.At(q)
	copy(x, xq)
	copy(y, yq)
}
