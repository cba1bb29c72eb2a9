package reflected

import (
	"math"

	"gonum.org/v1/gonum/integrate/quad"
)

// kernelIntegrate returns ∫_a^b f by composite 20-point Gauss–Legendre on panels of width at most
// w. For the analytic integrands of these tests (Gaussian-like bumps of standard deviation
// ≥ 2w) a 20-point rule per panel is exact to rounding: its error term involves the 40th
// derivative, of relative size (w/σ)^40/40! ≪ 1e-40.
func kernelIntegrate(f func(float64) float64, a, b, w float64) float64 {
	if b <= a {
		return 0
	}
	n := int(math.Ceil((b - a) / w))
	h := (b - a) / float64(n)
	var s float64
	for i := 0; i < n; i++ {
		s += quad.Fixed(f, a+float64(i)*h, a+float64(i+1)*h, 20, quad.Legendre{}, 0)
	}
	return s
}

// kernelPanel returns a panel width resolving a kernel of time t: half a standard deviation,
// at most 0.05.
func kernelPanel(t float64) float64 { return math.Min(0.5*math.Sqrt(t), 0.05) }

// kernelSupport returns the part of [0,1] where pₜ(·, y) exceeds e^{-72}·max p: outside
// y ± 12√t every image term is below e^{-72} relative to the leading one.
func kernelSupport(y, t float64) (a, b float64) {
	r := 12 * math.Sqrt(t)
	return math.Max(0, y-r), math.Min(1, y+r)
}
