package nn

import (
	"fmt"
	"math"
)

// Activation is an elementwise nonlinearity σ applied after a dense layer.
type Activation int

const (
	// Identity is σ(z) = z.
	Identity Activation = iota
	// ReLU is σ(z) = max(z, 0), with σ'(0) taken as 0.
	ReLU
	// Tanh is σ(z) = tanh(z).
	Tanh
	// Sigmoid is σ(z) = 1/(1+e^{-z}).
	Sigmoid
	// GELU is the exact Gaussian error linear unit σ(z) = z·Φ(z) = ½z(1+erf(z/√2)).
	GELU
)

var activationNames = [...]string{"Identity", "ReLU", "Tanh", "Sigmoid", "GELU"}

// String returns the constant's name, e.g. "ReLU".
func (a Activation) String() string {
	if a.valid() {
		return activationNames[a]
	}
	return fmt.Sprintf("Activation(%d)", int(a))
}

func (a Activation) valid() bool { return a >= Identity && a <= GELU }

// apply sets dst[i] = σ(z[i]). dst and z may be the same slice.
func (a Activation) apply(dst, z []float64) {
	switch a {
	case Identity:
		copy(dst, z)
	case ReLU:
		for i, v := range z {
			dst[i] = max(v, 0)
		}
	case Tanh:
		for i, v := range z {
			dst[i] = math.Tanh(v)
		}
	case Sigmoid:
		for i, v := range z {
			dst[i] = sigmoid(v)
		}
	case GELU:
		for i, v := range z {
			dst[i] = 0.5 * v * math.Erfc(-v/math.Sqrt2)
		}
	default:
		panic("nn: invalid activation " + a.String())
	}
}

// applyBias adds the bias b to every row of z (rows of len(b) values), in place, and sets
// dst = σ(z).
func (a Activation) applyBias(dst, z, b []float64) {
	n := len(b)
	if a == ReLU {
		for r := 0; r+n <= len(z); r += n {
			zr, dr := z[r:r+n], dst[r:r+n]
			for j, bj := range b {
				v := zr[j] + bj
				zr[j], dr[j] = v, max(v, 0)
			}
		}
		return
	}
	for r := 0; r+n <= len(z); r += n {
		zr := z[r : r+n]
		for j, bj := range b {
			zr[j] += bj
		}
	}
	a.apply(dst, z)
}

// scaleByDerivative sets d[i] *= σ'(z[i]), where s[i] = σ(z[i]) is the stored output.
func (a Activation) scaleByDerivative(d, z, s []float64) {
	switch a {
	case Identity:
	case ReLU:
		// Branch-free: the sign of z is random, so a branch would mispredict half the
		// time (the compiler turns an if into a jump, not a conditional move). With
		// x = int64(bits(v)), −x>>63 is all ones exactly when x > 0 except for x = MinInt64
		// (v = −0), which x>>63 = all ones removes: the mask keeps d[i] iff v > 0 (or v is
		// a NaN with clear sign).
		d = d[:len(z)]
		for i, v := range z {
			x := int64(math.Float64bits(v))
			m := uint64((-x >> 63) &^ (x >> 63))
			d[i] = math.Float64frombits(math.Float64bits(d[i]) & m)
		}
	case Tanh:
		for i, v := range s {
			d[i] *= 1 - v*v
		}
	case Sigmoid:
		for i, v := range s {
			d[i] *= v * (1 - v)
		}
	case GELU:
		const invSqrt2Pi = 0.3989422804014327 // 1/√(2π)
		for i, v := range z {
			d[i] *= 0.5*math.Erfc(-v/math.Sqrt2) + v*invSqrt2Pi*math.Exp(-0.5*v*v)
		}
	default:
		panic("nn: invalid activation " + a.String())
	}
}

// addCurvature sets dst[i] += e[i]·σ″(z[i])·r[i], where s[i] = σ(z[i]) is the stored
// output: the term of the R-operator of δ = e⊙σ'(z) that differentiates σ' (see
// Supervised.HVP). σ″ is 0 for Identity and for ReLU (everywhere but the kink at 0),
// −2s(1−s²) for Tanh, s(1−s)(1−2s) for Sigmoid and φ(z)(2 − z²) for GELU, φ the standard
// normal density.
func (a Activation) addCurvature(dst, e, r, z, s []float64) {
	switch a {
	case Identity, ReLU:
	case Tanh:
		for i, v := range s {
			dst[i] += e[i] * (-2 * v * (1 - v*v)) * r[i]
		}
	case Sigmoid:
		for i, v := range s {
			dst[i] += e[i] * (v * (1 - v) * (1 - 2*v)) * r[i]
		}
	case GELU:
		const invSqrt2Pi = 0.3989422804014327 // 1/√(2π)
		for i, v := range z {
			dst[i] += e[i] * (invSqrt2Pi * math.Exp(-0.5*v*v) * (2 - v*v)) * r[i]
		}
	default:
		panic("nn: invalid activation " + a.String())
	}
}

// sigmoid is 1/(1+e^{-z}), evaluated without overflow for large |z|.
func sigmoid(z float64) float64 {
	if z >= 0 {
		return 1 / (1 + math.Exp(-z))
	}
	e := math.Exp(z)
	return e / (1 + e)
}
