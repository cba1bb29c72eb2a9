package reflected

import "math"

// mixtureCut is the log-weight gap below which a mixture component is dropped from the
// score: its softmax weight is < e⁻⁴⁰ ≈ 4e-18, so dropping it changes the score by less
// than 4e-18·K·maxₖ|∇log q(x|yₖ)|.
const mixtureCut = -40

// mixtureScore writes into dst (len D) the score at x of the mixture Σₖ e^{lwₖ} q_t(·|yₖ),
// q_t the product reflected heat kernel, where yₖ is row k of ys (K×D row-major, K = len(lw)).
// The weights are combined by log-sum-exp over log q_t(x|yₖ) = Σᵢ log pₜ(xᵢ, yₖᵢ), never by
// multiplying raw densities (docs/derivations/reflected.md §3):
//
//	∇ log p_t(x) = Σₖ wₖ ∇ₓ log q_t(x|yₖ),  wₖ = softmaxₖ(lwₖ + log q_t(x|yₖ)).
//
// scratch must have len ≥ K·(D+1). It returns log Σₖ e^{lwₖ} q_t(x|yₖ).
func mixtureScore(dst, x, ys, lw, scratch []float64, t float64) float64 {
	D, K := len(x), len(lw)
	l, sc := scratch[:K], scratch[K:K+K*D]
	maxL := math.Inf(-1)
	for k := range lw {
		v := lw[k] + LogDensityScore(sc[k*D:k*D+D], x, ys[k*D:k*D+D], t)
		l[k] = v
		if v > maxL {
			maxL = v
		}
	}
	for i := range dst {
		dst[i] = 0
	}
	var sum float64
	for k, v := range l {
		if v-maxL < mixtureCut {
			continue
		}
		w := math.Exp(v - maxL)
		sum += w
		for i, si := range sc[k*D : k*D+D] {
			dst[i] += w * si
		}
	}
	inv := 1 / sum
	for i := range dst {
		dst[i] *= inv
	}
	return maxL + math.Log(sum)
}
