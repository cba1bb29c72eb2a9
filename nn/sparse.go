package nn

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// Prune keeps the s parameters of largest |w_i| among those the Mask currently keeps
// (all of them for a dense net), sets Mask to exactly these and zeroes the others in w,
// so that NonZero(w) <= s. Ties in |w_i| go to the lower index. Pruning never re-enables
// a masked parameter. It returns an error if s is outside [0, NumParams()].
// Prune modifies m and must not run concurrently with other uses of m.
func (m *MLP) Prune(w []float64, s int) error {
	n := m.NumParams()
	if s < 0 || s > n {
		return fmt.Errorf("nn: Prune s = %d outside [0, %d]", s, n)
	}
	m.checkParams(w)
	if m.Mask != nil && len(m.Mask) != n {
		return fmt.Errorf("nn: len(MLP.Mask) = %d, want %d", len(m.Mask), n)
	}
	cand := make([]int, 0, n)
	for i := range w {
		if m.Mask == nil || m.Mask[i] {
			cand = append(cand, i)
		}
	}
	slices.SortStableFunc(cand, func(a, b int) int { return cmp.Compare(math.Abs(w[b]), math.Abs(w[a])) })
	mask := make([]bool, n)
	for _, i := range cand[:min(s, len(cand))] {
		mask[i] = true
	}
	m.Mask = mask
	m.ApplyMask(w)
	return nil
}

// NonZero counts the parameters that are effectively nonzero, #{i : Mask_i and w_i ≠ 0}:
// the sparsity S of the network in Φ(L, W, S, B).
func (m *MLP) NonZero(w []float64) int {
	m.checkParams(w)
	c := 0
	for i, v := range w {
		if v != 0 && (m.Mask == nil || m.Mask[i]) {
			c++
		}
	}
	return c
}

// Project clips every parameter into [−bound, bound] (the Euclidean projection onto the
// box of Φ(L, W, S, B)) and zeroes masked parameters. It returns an error if bound is
// negative or NaN.
func (m *MLP) Project(w []float64, bound float64) error {
	if !(bound >= 0) {
		return fmt.Errorf("nn: Project bound = %v must be >= 0", bound)
	}
	m.checkParams(w)
	for i, v := range w {
		w[i] = max(-bound, min(bound, v))
	}
	m.ApplyMask(w)
	return nil
}
