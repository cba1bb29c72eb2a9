package nn

import (
	"fmt"
	"math"

	"github.com/sdeml/sdeml/internal/binfmt"
)

// MarshalState encodes State (the dropout step, then each BatchNorm's running mean and
// variance: uint64 step, uint64 count of BatchNorm nodes, then per node two float64
// arrays, each a uint64 count and the values, little-endian) for checkpoints; package
// sam's Train stores it next to the optimizer's state.
func (s *GraphSupervised) MarshalState() ([]byte, error) {
	s.checkState()
	e := binfmt.NewBody()
	e.U64(s.State.Step)
	e.Int(len(s.State.Mean))
	for b := range s.State.Mean {
		e.Floats(s.State.Mean[b])
		e.Floats(s.State.Var[b])
	}
	return e.Bytes(), nil
}

// UnmarshalState restores State from MarshalState's bytes. Bytes that do not fit the
// graph (BatchNorm count or channels), non-finite means, negative or non-finite variances
// and malformed input return an error and leave State unchanged.
func (s *GraphSupervised) UnmarshalState(b []byte) error {
	s.checkState()
	d := binfmt.NewDecoder(b)
	step := d.U64()
	n := d.Int("BatchNorm count", 0, 1<<20)
	var means, vars [][]float64
	for range n {
		m, v := d.Floats("running mean"), d.Floats("running variance")
		if m == nil && v == nil {
			break
		}
		means, vars = append(means, m), append(vars, v)
	}
	if err := d.Err(); err != nil {
		return fmt.Errorf("nn: GraphSupervised.UnmarshalState: %w", err)
	}
	if n != s.Net.nbn || len(means) != n {
		return fmt.Errorf("nn: GraphSupervised.UnmarshalState: %d BatchNorm nodes, the graph has %d", n, s.Net.nbn)
	}
	for bn := range n {
		m, v, C := means[bn], vars[bn], len(s.State.Mean[bn])
		if len(m) != C || len(v) != C {
			return fmt.Errorf("nn: GraphSupervised.UnmarshalState: BatchNorm %d has %d means and %d variances, want %d channels", bn, len(m), len(v), C)
		}
		for c := range m {
			if math.IsNaN(m[c]) || math.IsInf(m[c], 0) || !(v[c] >= 0) || math.IsInf(v[c], 1) {
				return fmt.Errorf("nn: GraphSupervised.UnmarshalState: BatchNorm %d channel %d: running mean %v, variance %v (want finite, variance >= 0)", bn, c, m[c], v[c])
			}
		}
	}
	for bn := range n {
		copy(s.State.Mean[bn], means[bn])
		copy(s.State.Var[bn], vars[bn])
	}
	s.State.Step = step
	return nil
}
