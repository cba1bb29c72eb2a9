package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Init selects a random parameter initialisation; fan_in and fan_out are a layer's input
// and output widths.
type Init int

const (
	// He draws W ~ N(0, 2/fan_in) and sets b = 0 (He et al. 2015, for ReLU).
	He Init = iota
	// Glorot draws W ~ U(±√(6/(fan_in+fan_out))) and sets b = 0 (Glorot & Bengio 2010).
	Glorot
	// TorchDefault draws W and b ~ U(±1/√fan_in), PyTorch's nn.Linear default.
	TorchDefault
)

// String returns the constant's name.
func (i Init) String() string {
	switch i {
	case He:
		return "He"
	case Glorot:
		return "Glorot"
	case TorchDefault:
		return "TorchDefault"
	}
	return fmt.Sprintf("Init(%d)", int(i))
}

// Init fills w (len NumParams) with a random draw of the scheme init using src, layer
// by layer in the flat order. Masked entries are set to 0. It panics on an unknown init.
func (m *MLP) Init(w []float64, init Init, src rand.Source) {
	m.checkParams(w)
	rng := rand.New(src)
	off := 0
	for l := 0; l < m.NumLayers(); l++ {
		in, out := m.Sizes[l], m.Sizes[l+1]
		initLayer(rng, init, w[off:off+out*in], w[off+out*in:off+out*(in+1)], in, out)
		off += out * (in + 1)
	}
	m.ApplyMask(w)
}

// initLayer draws the weights W and biases b of one layer with the given fan-in and
// fan-out: He N(0, 2/fanIn) and Glorot U(±√(6/(fanIn+fanOut))) with b = 0, TorchDefault
// U(±1/√fanIn) for both. It panics on an unknown init.
func initLayer(rng *rand.Rand, init Init, W, b []float64, fanIn, fanOut int) {
	switch init {
	case He:
		sd := math.Sqrt(2 / float64(fanIn))
		for i := range W {
			W[i] = sd * rng.NormFloat64()
		}
		clear(b)
	case Glorot:
		uniform(rng, W, math.Sqrt(6/float64(fanIn+fanOut)))
		clear(b)
	case TorchDefault:
		r := 1 / math.Sqrt(float64(fanIn))
		uniform(rng, W, r)
		uniform(rng, b, r)
	default:
		panic("nn: unknown " + init.String())
	}
}

// uniform fills v with U(−r, r) draws.
func uniform(rng *rand.Rand, v []float64, r float64) {
	for i := range v {
		v[i] = r * (2*rng.Float64() - 1)
	}
}

// ApplyMask sets the entries of w whose Mask is false to 0 (no-op for dense nets).
func (m *MLP) ApplyMask(w []float64) {
	if m.Mask == nil {
		return
	}
	m.checkParams(w)
	for i, keep := range m.Mask {
		if !keep {
			w[i] = 0
		}
	}
}
