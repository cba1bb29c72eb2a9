package nn

import (
	"fmt"

	"gonum.org/v1/gonum/mat"
)

// MLP describes a fully connected network
//
//	a₀ = x,  z_l = W_l a_{l-1} + b_l,  a_l = σ_l(z_l)  (l = 1..L),  f(x) = a_L,
//
// with σ_l = Hidden for l < L and σ_L = Output. It holds the architecture only; the
// parameters live in a flat []float64 owned by the caller, laid out layer by layer as
// W_l (Sizes[l]×Sizes[l-1], row-major) followed by b_l (Sizes[l]).
//
// If Mask is non-nil the network computes f with parameters w⊙Mask: entries whose mask
// is false act as exactly zero whatever w holds, and every gradient returned for them is
// exactly 0, so they stay zero under any gradient-based update. This is the sparse network
// class Φ(L, W, S, B) of Schmidt-Hieber (2020) and Oko et al. (2023) (see Prune, NonZero
// and Project).
//
// An MLP is safe for concurrent use at different parameter vectors, each call with its
// own Workspace, as long as its fields are not modified meanwhile.
type MLP struct {
	// Sizes are the layer widths: input, hidden..., output.
	Sizes []int
	// Hidden is the activation after every hidden layer.
	Hidden Activation
	// Output is the activation after the last layer (usually Identity).
	Output Activation
	// Mask is nil for a dense network, or has length NumParams(); false fixes the
	// parameter at exactly 0.
	Mask []bool
}

// NewMLP returns a dense MLP with the given widths (input, hidden..., output) and
// activations. It returns an error naming the field if len(sizes) < 2, a width is < 1
// or an activation is unknown.
func NewMLP(sizes []int, hidden, output Activation) (*MLP, error) {
	m := &MLP{Sizes: append([]int(nil), sizes...), Hidden: hidden, Output: output}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return m, nil
}

// Validate checks the architecture and returns an error naming the offending field.
func (m *MLP) Validate() error {
	if len(m.Sizes) < 2 {
		return fmt.Errorf("nn: MLP.Sizes = %v needs at least 2 widths (input and output)", m.Sizes)
	}
	for i, s := range m.Sizes {
		if s < 1 {
			return fmt.Errorf("nn: MLP.Sizes[%d] = %d must be >= 1", i, s)
		}
	}
	if !m.Hidden.valid() {
		return fmt.Errorf("nn: MLP.Hidden = %d is not a valid Activation", int(m.Hidden))
	}
	if !m.Output.valid() {
		return fmt.Errorf("nn: MLP.Output = %d is not a valid Activation", int(m.Output))
	}
	if m.Mask != nil && len(m.Mask) != m.NumParams() {
		return fmt.Errorf("nn: len(MLP.Mask) = %d, want NumParams() = %d", len(m.Mask), m.NumParams())
	}
	return nil
}

// NumLayers is the number L of dense layers, len(Sizes)-1.
func (m *MLP) NumLayers() int { return len(m.Sizes) - 1 }

// NumParams is Σ_l Sizes[l]·(Sizes[l-1]+1), the length of a parameter vector.
func (m *MLP) NumParams() int {
	n := 0
	for l := 1; l < len(m.Sizes); l++ {
		n += m.Sizes[l] * (m.Sizes[l-1] + 1)
	}
	return n
}

// InDim is the input width Sizes[0].
func (m *MLP) InDim() int { return m.Sizes[0] }

// OutDim is the output width Sizes[L].
func (m *MLP) OutDim() int { return m.Sizes[len(m.Sizes)-1] }

// offset returns the index in w where layer l's weight matrix starts (l is 0-based:
// layer l maps Sizes[l] to Sizes[l+1]).
func (m *MLP) offset(l int) int {
	off := 0
	for k := 0; k < l; k++ {
		off += m.Sizes[k+1] * (m.Sizes[k] + 1)
	}
	return off
}

// Layer returns views into w of layer l's weight matrix W (Sizes[l+1]×Sizes[l]) and bias b
// (Sizes[l+1]); l is 0-based, 0 <= l < NumLayers(). Writing to them writes to w.
func (m *MLP) Layer(w []float64, l int) (W *mat.Dense, b []float64) {
	m.checkParams(w)
	if l < 0 || l >= m.NumLayers() {
		panic(fmt.Sprintf("nn: layer %d out of range [0, %d)", l, m.NumLayers()))
	}
	off := m.offset(l)
	in, out := m.Sizes[l], m.Sizes[l+1]
	W = mat.NewDense(out, in, w[off:off+out*in:off+out*in])
	b = w[off+out*in : off+out*(in+1) : off+out*(in+1)]
	return W, b
}

func (m *MLP) checkParams(w []float64) {
	if len(w) != m.NumParams() {
		panic(fmt.Sprintf("nn: len(w) = %d, want NumParams() = %d", len(w), m.NumParams()))
	}
}

// activation returns σ for 0-based layer l.
func (m *MLP) activation(l int) Activation {
	if l == m.NumLayers()-1 {
		return m.Output
	}
	return m.Hidden
}
