package nn

import (
	"math"

	"github.com/sdeml/sdeml/internal/relu32"
)

// apply32 sets dst[i] = σ(z[i]) in float32: max(z, 0) for ReLU (internal/relu32), and for the smooth
// activations σ evaluated in float64 at z and rounded once to float32.
func (a Activation) apply32(dst, z []float32) {
	dst = dst[:len(z)]
	switch a {
	case Identity:
		copy(dst, z)
	case ReLU:
		relu32.Forward(dst, z) // max(z, 0); a NaN stays NaN
	default:
		for i, v := range z {
			dst[i] = float32(a.eval(float64(v)))
		}
	}
}

// eval is σ(z) in float64 (the formulas of apply).
func (a Activation) eval(z float64) float64 {
	switch a {
	case Identity:
		return z
	case ReLU:
		return max(z, 0)
	case Tanh:
		return math.Tanh(z)
	case Sigmoid:
		return sigmoid(z)
	case GELU:
		return 0.5 * z * math.Erfc(-z/math.Sqrt2)
	}
	panic("nn: invalid activation " + a.String())
}

// scaleByDerivative32 sets d[i] *= σ'(z[i]) in float32 (s[i] = σ(z[i]) is the stored
// output): ReLU keeps d[i] iff z[i] > 0, as scaleByDerivative does; the smooth
// activations form σ' and the product in float64 from the float32 values and round once.
func (a Activation) scaleByDerivative32(d, z, s []float32) {
	d = d[:len(z)]
	switch a {
	case Identity:
	case ReLU:
		// Branch-free mask as in scaleByDerivative: keep d[i] iff z[i] > 0.
		relu32.Back(d, d, z)
	case Tanh:
		for i, v := range s {
			w := float64(v)
			d[i] = float32(float64(d[i]) * (1 - w*w))
		}
	case Sigmoid:
		for i, v := range s {
			w := float64(v)
			d[i] = float32(float64(d[i]) * w * (1 - w))
		}
	case GELU:
		const invSqrt2Pi = 0.3989422804014327 // 1/√(2π)
		for i, v := range z {
			w := float64(v)
			d[i] = float32(float64(d[i]) * (0.5*math.Erfc(-w/math.Sqrt2) + w*invSqrt2Pi*math.Exp(-0.5*w*w)))
		}
	default:
		panic("nn: invalid activation " + a.String())
	}
}
