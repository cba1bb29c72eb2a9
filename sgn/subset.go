package sgn

import "math/rand/v2"

// subsetSampler draws uniform size-m subsets of {0..n−1} without replacement by a partial
// Fisher–Yates shuffle of a persistent identity permutation, undoing its swaps afterwards so
// every draw starts from the identity: the draw depends only on the random stream, not on
// earlier draws, and costs O(m) without allocation.
type subsetSampler struct {
	perm  []int
	swaps []int
}

func newSubsetSampler(n, m int) *subsetSampler {
	s := &subsetSampler{perm: make([]int, n), swaps: make([]int, m)}
	for i := range s.perm {
		s.perm[i] = i
	}
	return s
}

// draw writes a uniform random size-len(dst) subset (in random order) into dst.
func (s *subsetSampler) draw(dst []int, rng *rand.Rand) {
	n := len(s.perm)
	for k := range dst {
		j := k + rng.IntN(n-k)
		s.perm[k], s.perm[j] = s.perm[j], s.perm[k]
		s.swaps[k] = j
		dst[k] = s.perm[k]
	}
	for k := len(dst) - 1; k >= 0; k-- {
		j := s.swaps[k]
		s.perm[k], s.perm[j] = s.perm[j], s.perm[k]
	}
}
