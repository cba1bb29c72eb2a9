package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Fourier maps each of the K input values v (any shape, read as K values) to 1 + 2·Freqs
// features
//
//	(v, sin(ω₁v), cos(ω₁v), …, sin(ω_F v), cos(ω_F v)),   ω_j = MaxFreq^{(j−1)/(F−1)},
//
// frequencies spaced geometrically from 1 to MaxFreq (ω₁ = 1 for F = 1): the sinusoidal
// embedding of a noise level (e.g. v = ¼ log t) that a small MLP then turns into the
// conditioning vector of every block. Output shape K·(1+2F)×1×1, no parameters. A Graph
// layer.
type Fourier struct {
	Freqs   int     // F ≥ 1
	MaxFreq float64 // ≥ 1; 0 means 32
}

func (Fourier) layerName() string { return "Fourier" }
func (Fourier) arity() (int, int) { return 1, 1 }
func (Fourier) keepSize([]Shape) int {
	return 0
}
func (Fourier) initParams([]Shape, []float64, *rand.Rand) { panic("nn: Fourier has no parameters") }

func (l Fourier) compile(in []Shape) (Shape, int, error) {
	if l.Freqs < 1 || l.Freqs > 1<<10 {
		return Shape{}, 0, fmt.Errorf("Freqs = %d outside [1, 1024]", l.Freqs)
	}
	if l.MaxFreq != 0 && !(l.MaxFreq >= 1 && l.MaxFreq <= 1e6) {
		return Shape{}, 0, fmt.Errorf("MaxFreq = %v outside [1, 1e6] (0: 32)", l.MaxFreq)
	}
	return Shape{C: in[0].Size() * (1 + 2*l.Freqs), H: 1, W: 1}, 0, nil
}

// omega returns ω_j for j = 1..F.
func (l Fourier) omega(j int) float64 {
	if l.Freqs == 1 {
		return 1
	}
	mx := l.MaxFreq
	if mx == 0 {
		mx = 32
	}
	return math.Pow(mx, float64(j-1)/float64(l.Freqs-1))
}

func (l Fourier) forward(in []Shape, _ []float64, x [][]float64, y, _ []float64, n int) {
	F := l.Freqs
	for q, v := range x[0][:n*in[0].Size()] {
		o := y[q*(1+2*F) : (q+1)*(1+2*F)]
		o[0] = v
		for j := 1; j <= F; j++ {
			o[2*j-1], o[2*j] = math.Sincos(l.omega(j) * v)
		}
	}
}

// backward: ∂/∂v = ∂y₀ + Σ_j ω_j·(cos(ω_j v)·∂sin_j − sin(ω_j v)·∂cos_j).
func (l Fourier) backward(in []Shape, _ int, _ []float64, x [][]float64, y, dy, _, dx, _ []float64, n int) {
	if dx == nil {
		return
	}
	F := l.Freqs
	for q := range x[0][:n*in[0].Size()] {
		o, d := y[q*(1+2*F):(q+1)*(1+2*F)], dy[q*(1+2*F):(q+1)*(1+2*F)]
		s := d[0]
		for j := 1; j <= F; j++ {
			s += l.omega(j) * (o[2*j]*d[2*j-1] - o[2*j-1]*d[2*j])
		}
		dx[q] = s
	}
}
