package meanfield

import "math"

// Unit is the per-neuron map F(w, x) ∈ R^K of a two-layer network in mean-field
// normalisation, f_μ(x) = ∫ F(w, x) dμ(w) = Σ_k ω_k F(W^k, x) with ω_k = 1/N for N
// particles. A particle w ∈ R^Dim() is one hidden neuron's full parameter vector and
// x ∈ R^InDim() an input.
//
// Every unit in this package computes one scalar pre-activation z(w, x) followed by a
// pointwise nonlinearity; Forward returns one scalar of internal state (for example
// tanh(z)) that AddVJP reuses, so a step evaluates the nonlinearity once per
// (particle, point) pair. User units may return any scalar they find useful, or 0.
// Implementations must be safe for concurrent use.
type Unit interface {
	// Dim is the particle dimension d.
	Dim() int
	// InDim is the input dimension p.
	InDim() int
	// OutDim is the output dimension K.
	OutDim() int
	// Forward writes F(w, x) into out (len OutDim) and returns the unit's state s.
	Forward(out, w, x []float64) (s float64)
	// AddVJP adds the vector–Jacobian product (∇_w F(w, x))ᵀ cot to g (len Dim),
	// where cot has len OutDim and s is the value Forward returned for (w, x).
	AddVJP(g, w, x, cot []float64, s float64)
}

// Activation is a scalar nonlinearity φ used by FirstLayerUnit.
type Activation int

const (
	// Tanh is φ(z) = tanh z (evaluated by a vectorisable exp-based formula within a few
	// ulps of math.Tanh).
	Tanh Activation = iota
	// Sigmoid is φ(z) = 1/(1+e^{−z}).
	Sigmoid
	// ReLU is φ(z) = max(z, 0), with φ'(0) = 0.
	ReLU
)

// String returns the activation's name.
func (a Activation) String() string {
	switch a {
	case Tanh:
		return "tanh"
	case Sigmoid:
		return "sigmoid"
	case ReLU:
		return "relu"
	}
	return "Activation(?)"
}

// apply returns φ(z); the state s passed to deriv is this value for Tanh and Sigmoid
// and z itself for ReLU.
func (a Activation) apply(z float64) (phi, s float64) {
	switch a {
	case Tanh:
		t := tanh(z)
		return t, t
	case Sigmoid:
		v := sigmoid(z)
		return v, v
	case ReLU:
		if z > 0 {
			return z, z
		}
		return 0, z
	}
	panic("meanfield: unknown Activation")
}

// deriv returns φ'(z) from the state s returned by apply.
func (a Activation) deriv(s float64) float64 {
	switch a {
	case Tanh:
		return 1 - s*s
	case Sigmoid:
		return s * (1 - s)
	case ReLU:
		if s > 0 {
			return 1
		}
		return 0
	}
	panic("meanfield: unknown Activation")
}

// phi returns φ(z) from the state s returned by apply.
func (a Activation) phi(s float64) float64 {
	if a == ReLU {
		return max(s, 0)
	}
	return s
}

// forwardRow replaces every pre-activation z in s by the state apply returns for it.
func (a Activation) forwardRow(s []float64) {
	switch a {
	case Tanh:
		tanhRow(s)
	case Sigmoid:
		for q, z := range s {
			s[q] = sigmoid(z)
		}
	case ReLU:
	default:
		panic("meanfield: unknown Activation")
	}
}

// addPhi adds alpha·φ(z_q) to dst[q] for the states s.
func (a Activation) addPhi(dst []float64, alpha float64, s []float64) {
	dst = dst[:len(s)]
	if a == ReLU {
		for q, v := range s {
			dst[q] += alpha * max(v, 0)
		}
		return
	}
	for q, v := range s {
		dst[q] += alpha * v
	}
}

func sigmoid(z float64) float64 {
	if z >= 0 {
		return 1 / (1 + math.Exp(-z))
	}
	e := math.Exp(z)
	return e / (1 + e)
}

// dot returns Σ a_i b_i over len(a).
func dot(a, b []float64) float64 {
	b = b[:len(a)]
	var s float64
	for i, v := range a {
		s += v * b[i]
	}
	return s
}

// axpy sets y += alpha·x.
func axpy(alpha float64, x, y []float64) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] += alpha * v
	}
}

func checkUnitArgs(d, p, k int, out, w, x []float64) {
	if len(w) != d || len(x) != p || len(out) != k {
		panic("meanfield: unit argument length mismatch")
	}
}
