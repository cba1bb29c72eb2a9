package reflected

import (
	"math"

	"github.com/sdeml/sdeml/sde"
)

// SwitchTime is the time t* = 2/π (heat time 1/π) at which the automatic 1-D kernel
// switches from the images series (t < t*) to the cosine series (t ≥ t*). At t* the
// analytic tail bounds of both series decay at the same rate (docs/derivations/reflected.md §2,
// Jacobi's imaginary transformation; Boost's jacobi_theta3 switches at the same point).
const SwitchTime = 2 / math.Pi

// tailExp is the exponent L of the truncation rule: a series term whose size relative to
// the leading term is below e^{-L} ≈ 4.2e-18, together with everything beyond it, is
// dropped. The geometric tail bounds in images.go and cosine.go turn this into a
// total relative truncation error below 1e-16, far under the 1e-12 contract.
const tailExp = 40

// LogDensity1D returns log pₜ(x, y), the log transition density of standard reflected
// Brownian motion on [0,1] (generator ½∂², Neumann boundary) from y to x in time t:
//
//	pₜ(x, y) = Σₙ [φₜ(x − y − 2n) + φₜ(x + y − 2n)]                      (images)
//	         = 1 + 2 Σ_{k≥1} exp(−k²π²t/2) cos(kπx) cos(kπy)             (cosines)
//
// with φₜ the N(0, t) density. It uses the images series as a log-sum-exp for t < SwitchTime
// and the cosine series (log1p) otherwise, with term counts from the analytic tail bounds.
// The absolute error is below 1e-12·max(1, |log p|) for x, y ∈ [0,1], t ∈ [1e-8, 1e4].
//
// Points outside [0,1] are folded into it first (the series above are even and
// 2-periodic in x and y, so this is the same formula). t ≤ 0, NaN or ±Inf arguments
// give NaN, as in package math.
func LogDensity1D(x, y, t float64) float64 {
	l, _ := Kernel1D(x, y, t)
	return l
}

// Score1D returns ∂/∂x log pₜ(x, y), the score of the reflected heat kernel in its first
// (noisy) argument; see LogDensity1D for the kernel and the argument conventions. The
// score is exactly 0 at x ∈ {0, 1} (Neumann condition). The error is below
// 1e-12·max(1, |score|) for x, y ∈ [0,1], t ∈ [1e-8, 1e4].
func Score1D(x, y, t float64) float64 {
	if !(t > 0) || math.IsInf(t, 1) {
		return math.NaN()
	}
	x, y = Fold(x), Fold(y)
	if x == 0 || x == 1 {
		return 0
	}
	if t < SwitchTime {
		return imagesScore(x, y, t)
	}
	return cosineScore(x, y, t)
}

// Kernel1D returns both log pₜ(x, y) and ∂/∂x log pₜ(x, y) (see LogDensity1D and
// Score1D) for the price of one evaluation.
func Kernel1D(x, y, t float64) (logp, score float64) {
	if !(t > 0) || math.IsInf(t, 1) {
		return math.NaN(), math.NaN()
	}
	x, y = Fold(x), Fold(y)
	if t < SwitchTime {
		logp, score = imagesSeries(x, y, t)
	} else {
		logp, score = cosineSeries(x, y, t)
	}
	if x == 0 || x == 1 {
		score = 0
	}
	return logp, score
}

// Density1D returns pₜ(x, y) = exp(LogDensity1D(x, y, t)). It underflows to 0 when
// log p < −745 (e.g. t < 1e-3 and |x − y| > 1.2); use LogDensity1D there.
func Density1D(x, y, t float64) float64 {
	return math.Exp(LogDensity1D(x, y, t))
}

// Fold maps u ∈ ℝ to [0,1] by reflection at the integers: with r = u mod 2 ∈ [0,2),
// Fold(u) = r for r ≤ 1 and 2 − r otherwise. If Z ~ N(0,1), Fold(y + √t·Z) has density
// pₜ(·, y) (method of images read backwards). It is sde.Fold on [0, 1].
func Fold(u float64) float64 { return sde.Fold(u, 0, 1) }
