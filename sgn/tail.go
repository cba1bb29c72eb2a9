package sgn

import (
	"fmt"
	"math"
	"slices"
)

// logEps is added to |x| inside the logarithms, as in Simsekli et al.'s reference code
// (np.spacing(1)), so that exact zeros give a finite log.
const logEps = 0x1p-52

// TailIndex returns the Mohammadi–Mohammadpour–Ogata estimate α̂ of the stability index of
// symmetric α-stable samples x, as used by Simsekli et al. (2019):
//
//	1/α̂ = (1/log K1) [ (1/K2) Σᵢ log|Yᵢ| − (1/K) Σⱼ log|Xⱼ| ],
//
// where K2 = ⌊len(x)/k1⌋, K = K1·K2, the Xⱼ are x[0:K] and Yᵢ is the sum of the i-th block
// of K1 consecutive samples. k1 <= 0 picks the largest divisor of len(x) not above
// √len(x). α̂ is returned raw: it may exceed 2 (or be negative for very light-tailed data).
// It returns an error if k1 > len(x), the blocks are too few (K1 < 2 or K2 < 2; with k1 <= 0
// this happens when len(x) has no divisor in [2, √len(x)], e.g. a prime length), an entry
// of x is NaN or infinite, or the K values used are degenerate: all equal (zero variance),
// fewer than 3 distinct values, or at least half of them exactly 0. The estimator assumes a
// continuous law; on such input its logarithms sit on an atom and α̂ means nothing.
func TailIndex(x []float64, k1 int) (float64, error) {
	k1, k2, err := tailBlocks(len(x), k1)
	if err != nil {
		return 0, err
	}
	if bad := firstNonFinite(x); bad >= 0 {
		return 0, fmt.Errorf("sgn: TailIndex: x[%d] = %v", bad, x[bad])
	}
	at := func(i int) float64 { return x[i] }
	if why := tailDegenerate(at, k1*k2); why != "" {
		return 0, fmt.Errorf("sgn: TailIndex: degenerate x: %s", why)
	}
	return tailMean(at, k1, k2), nil
}

// TailIndexOrder returns the order-statistic variant of TailIndex (Mohammadi et al. 2015,
// Corollary 2.2; Simsekli et al.'s alpha_estimator2): with the same blocks,
//
//	1/α̂ = ( log|Y|_(k) − log|X|_(k·K1) ) / log K1,
//
// where |Y|_(k) is the k-th smallest of the K2 block-sum magnitudes and |X|_(k·K1) the
// (k·K1)-th smallest of the K sample magnitudes; both estimate the same quantile (k/K2) of a
// law whose scale differs by K1^{1/α}. k <= 0 picks the median block, k = ⌈K2/2⌉.
// Errors are those of TailIndex (degenerate input included), plus k > K2.
func TailIndexOrder(x []float64, k1, k int) (float64, error) {
	k1, k2, err := tailBlocks(len(x), k1)
	if err != nil {
		return 0, err
	}
	if bad := firstNonFinite(x); bad >= 0 {
		return 0, fmt.Errorf("sgn: TailIndexOrder: x[%d] = %v", bad, x[bad])
	}
	if why := tailDegenerate(func(i int) float64 { return x[i] }, k1*k2); why != "" {
		return 0, fmt.Errorf("sgn: TailIndexOrder: degenerate x: %s", why)
	}
	if k <= 0 {
		k = (k2 + 1) / 2
	}
	if k > k2 {
		return 0, fmt.Errorf("sgn: TailIndexOrder: k = %d exceeds the number of blocks K2 = %d", k, k2)
	}
	ly := make([]float64, k2)
	lx := make([]float64, k1*k2)
	return tailOrder(func(i int) float64 { return x[i] }, k1, k2, k, ly, lx), nil
}

// tailBlocks validates and resolves the block size K1 and the number of blocks K2.
func tailBlocks(n, k1 int) (int, int, error) {
	if n < 4 {
		return 0, 0, fmt.Errorf("sgn: tail index: %d samples, need at least 4", n)
	}
	if k1 > n {
		return 0, 0, fmt.Errorf("sgn: tail index: k1 = %d larger than the number of samples N = %d", k1, n)
	}
	if k1 <= 0 {
		k1 = largestDivisorBelowSqrt(n)
		if k1 < 2 {
			return 0, 0, fmt.Errorf("sgn: tail index: N = %d has no divisor in [2, √N]; pass k1 explicitly", n)
		}
	}
	if k1 < 2 {
		return 0, 0, fmt.Errorf("sgn: tail index: k1 = %d, need k1 >= 2", k1)
	}
	k2 := n / k1
	if k2 < 2 {
		return 0, 0, fmt.Errorf("sgn: tail index: k1 = %d leaves %d block(s) of N = %d samples, need 2", k1, k2, n)
	}
	return k1, k2, nil
}

// largestDivisorBelowSqrt returns the largest divisor of n that is at most √n.
func largestDivisorBelowSqrt(n int) int {
	r := int(math.Sqrt(float64(n)))
	for r*r > n {
		r--
	}
	for (r+1)*(r+1) <= n {
		r++
	}
	for k := r; k >= 1; k-- {
		if n%k == 0 {
			return k
		}
	}
	return 1
}

// tailMean is the mean-of-logs estimator on the first k1·k2 values of at.
func tailMean(at func(i int) float64, k1, k2 int) float64 {
	var sy, sx float64
	for b := 0; b < k2; b++ {
		var y, lx float64
		for j := b * k1; j < (b+1)*k1; j++ {
			v := at(j)
			y += v
			lx += math.Log(math.Abs(v) + logEps)
		}
		sy += math.Log(math.Abs(y) + logEps)
		sx += lx
	}
	inv := (sy/float64(k2) - sx/float64(k1*k2)) / math.Log(float64(k1))
	return 1 / inv
}

// tailOrder is the order-statistic estimator; ly (len k2) and lx (len k1·k2) are scratch.
func tailOrder(at func(i int) float64, k1, k2, k int, ly, lx []float64) float64 {
	for b := 0; b < k2; b++ {
		var y float64
		for j := b * k1; j < (b+1)*k1; j++ {
			v := at(j)
			y += v
			lx[j] = math.Log(math.Abs(v) + logEps)
		}
		ly[b] = math.Log(math.Abs(y) + logEps)
	}
	slices.Sort(ly)
	slices.Sort(lx)
	return math.Log(float64(k1)) / (ly[k-1] - lx[k*k1-1])
}
