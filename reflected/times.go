package reflected

import (
	"fmt"
	"math"
)

// TimeDist is the law of the training times t of the DSM objective. Implementations are
// LogUniform (the default of Train) and LogNormal (EDM's law). A TimeDist maps one
// uniform draw u ∈ [0, 1) to a time, so every sample uses exactly one uniform from its stream
// whichever law is chosen.
type TimeDist interface {
	// Quantile returns the time at probability level u ∈ [0, 1) inside [lo, hi], the
	// training range, 0 < lo < hi < ∞.
	Quantile(u, lo, hi float64) float64
	// Validate returns an error naming a bad field.
	Validate() error
}

// LogUniform is the law with log t uniform on [lo, hi]: every decade of t gets the same
// number of draws.
type LogUniform struct{}

// Quantile returns lo·(hi/lo)^u.
func (LogUniform) Quantile(u, lo, hi float64) float64 { return lo * math.Exp(math.Log(hi/lo)*u) }

// Validate returns nil.
func (LogUniform) Validate() error { return nil }

// LogNormal is the law with log t ~ N(Mean, Std²) truncated to the training range [lo, hi]
// (Karras et al. 2022 draw log σ = ½ log t from a normal law; in t this is Mean = 2·P_mean,
// Std = 2·P_std). It concentrates training on the middle noise levels, where the network has
// most to learn, and still reaches both ends. The zero value means Mean = −4, Std = 2.4
// (median t = 0.018, i.e. σ = √t = 0.14 for data in [0,1]; EDM's P_mean = −1.2, P_std = 1.2
// for data in [−1, 1] with σ_data = 0.5, rescaled to [0, 1]).
type LogNormal struct {
	Mean, Std float64
}

// params returns (Mean, Std) with the zero value's defaults.
func (l LogNormal) params() (float64, float64) {
	if l.Mean == 0 && l.Std == 0 {
		return -4, 2.4
	}
	return l.Mean, l.Std
}

// Validate returns an error unless Mean is finite and Std > 0 is finite (or both are 0, the
// defaults).
func (l LogNormal) Validate() error {
	m, s := l.params()
	if math.IsNaN(m) || math.IsInf(m, 0) {
		return fmt.Errorf("reflected: LogNormal.Mean = %v, need a finite number", l.Mean)
	}
	if !(s > 0) || math.IsInf(s, 0) {
		return fmt.Errorf("reflected: LogNormal.Std = %v, need 0 < Std < ∞", l.Std)
	}
	return nil
}

// Quantile returns exp(Mean + Std·Φ⁻¹(Φ(a) + u·(Φ(b) − Φ(a)))) with a, b the standardised
// log lo, log hi: the inverse CDF of the truncated law. The normal CDF is written with erfc
// on the tail side so the truncation stays accurate when a range end lies many standard
// deviations out.
func (l LogNormal) Quantile(u, lo, hi float64) float64 {
	m, s := l.params()
	a, b := (math.Log(lo)-m)/s, (math.Log(hi)-m)/s
	pa, pb := stdNormalCDF(a), stdNormalCDF(b)
	p := pa + u*(pb-pa)
	z := math.Sqrt2 * math.Erfinv(2*p-1)
	if p <= 0 || math.IsInf(z, -1) {
		z = a
	}
	if math.IsInf(z, 1) {
		z = b
	}
	return min(max(math.Exp(m+s*min(max(z, a), b)), lo), hi) // exp(log lo) may round below lo
}

// stdNormalCDF returns Φ(x).
func stdNormalCDF(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }
