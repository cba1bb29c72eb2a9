package meanfield

import "math"

// Loss is a per-sample loss ℓ(ŷ, y) of a network output ŷ ∈ R^K against a target
// y ∈ R^K. Implementations must be safe for concurrent use.
type Loss interface {
	// ValueGrad returns ℓ(ŷ, y) and, unless g is nil, writes ∂ℓ/∂ŷ into g (len K).
	ValueGrad(g, yhat, y []float64) float64
}

// Squared is ℓ(ŷ, y) = ½|ŷ − y|², with ∂ℓ/∂ŷ = ŷ − y.
type Squared struct{}

// ValueGrad implements Loss.
func (Squared) ValueGrad(g, yhat, y []float64) float64 {
	if len(y) != len(yhat) || (g != nil && len(g) != len(yhat)) {
		panic("meanfield: Squared length mismatch")
	}
	var s float64
	for j, v := range yhat {
		r := v - y[j]
		s += r * r
		if g != nil {
			g[j] = r
		}
	}
	return s / 2
}

// SoftmaxCE is the softmax cross-entropy ℓ(ŷ, y) = log Σ_j e^{ŷ_j} − ⟨y, ŷ⟩ for a target
// probability vector y (one-hot for a class label; torch's CrossEntropyLoss), with
// ∂ℓ/∂ŷ = softmax(ŷ) − y. The value assumes Σ_j y_j = 1.
type SoftmaxCE struct{}

// ValueGrad implements Loss.
func (SoftmaxCE) ValueGrad(g, yhat, y []float64) float64 {
	if len(y) != len(yhat) || (g != nil && len(g) != len(yhat)) {
		panic("meanfield: SoftmaxCE length mismatch")
	}
	m := math.Inf(-1)
	for _, v := range yhat {
		m = max(m, v)
	}
	var z, yy float64
	for j, v := range yhat {
		z += math.Exp(v - m)
		yy += y[j] * v
	}
	if g != nil {
		for j, v := range yhat {
			g[j] = math.Exp(v-m)/z - y[j]
		}
	}
	return m + math.Log(z) - yy
}
