package sgn

import "fmt"

// tailDegenerate checks the K values at(0), …, at(K−1) that a tail-index estimate would use
// and describes why they are degenerate, or returns "". The estimators average log|x| over
// samples and over block sums, which assumes a continuous law: at an atom the logarithm is
// −∞ (regularised by logEps to about −36) or the same number over and over, and the estimate
// is then arbitrary (constant zeros give α̂ ≈ 3e14, a constant c ≠ 0 gives exactly 1). The
// values are degenerate when
//
//   - they have zero variance (all equal),
//   - they take fewer than 3 distinct values (a two-point law: its block sums sit on a
//     lattice, so they are exactly 0 with positive probability), or
//   - at least half of them are exactly 0.
//
// Non-finite values are checked by the callers, before this.
func tailDegenerate(at func(i int) float64, K int) string {
	var a, b float64
	distinct, zeros := 0, 0
	for i := range K {
		v := at(i)
		if v == 0 {
			zeros++
		}
		switch {
		case distinct == 0:
			a, distinct = v, 1
		case distinct == 1 && v != a:
			b, distinct = v, 2
		case distinct == 2 && v != a && v != b:
			distinct = 3
		}
	}
	switch {
	case distinct == 1:
		return fmt.Sprintf("all %d values equal %v (zero variance)", K, a)
	case distinct == 2:
		return fmt.Sprintf("the %d values take only 2 distinct values, %v and %v (need at least 3)", K, a, b)
	case 2*zeros >= K:
		return fmt.Sprintf("%d of the %d values are exactly 0 (need fewer than half)", zeros, K)
	}
	return ""
}
