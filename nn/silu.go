package nn

import (
	"math"
	"math/rand/v2"
)

// SiLU applies y = x·σ(x), σ(x) = 1/(1 + e^{−x}) (the "swish" of diffusion U-Nets), to
// every value; its derivative is σ(x)·(1 + x·(1 − σ(x))). A Graph layer.
type SiLU struct{}

func (SiLU) layerName() string                         { return "SiLU" }
func (SiLU) arity() (int, int)                         { return 1, 1 }
func (SiLU) compile(in []Shape) (Shape, int, error)    { return in[0], 0, nil }
func (SiLU) keepSize([]Shape) int                      { return 0 }
func (SiLU) initParams([]Shape, []float64, *rand.Rand) { panic("nn: SiLU has no parameters") }

func (SiLU) forward(_ []Shape, _ []float64, x [][]float64, y, _ []float64, _ int) {
	xs := x[0][:len(y)]
	for i, v := range xs {
		y[i] = v / (1 + math.Exp(-v))
	}
}

func (SiLU) backward(_ []Shape, _ int, _ []float64, x [][]float64, _, dy, _, dx, _ []float64, _ int) {
	if dx == nil {
		return
	}
	xs := x[0][:len(dx)]
	for i, v := range xs {
		s := 1 / (1 + math.Exp(-v))
		dx[i] = dy[i] * s * (1 + v*(1-s))
	}
}
