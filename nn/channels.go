package nn

import (
	"fmt"
	"math/rand/v2"
)

// Channels keeps the channels [From, To) of its input: C×H×W → (To−From)×H×W, e.g. to
// split a conditioning plane off a graph's input. No parameters. A Graph layer.
type Channels struct{ From, To int }

func (Channels) layerName() string { return "Channels" }
func (Channels) arity() (int, int) { return 1, 1 }
func (Channels) keepSize([]Shape) int {
	return 0
}
func (Channels) initParams([]Shape, []float64, *rand.Rand) { panic("nn: Channels has no parameters") }

func (l Channels) compile(in []Shape) (Shape, int, error) {
	if l.From < 0 || l.To <= l.From || l.To > in[0].C {
		return Shape{}, 0, fmt.Errorf("From = %d, To = %d: need 0 <= From < To <= %d channels", l.From, l.To, in[0].C)
	}
	return Shape{C: l.To - l.From, H: in[0].H, W: in[0].W}, 0, nil
}

func (l Channels) forward(in []Shape, _ []float64, x [][]float64, y, _ []float64, n int) {
	C, k := in[0].C, l.To-l.From
	P := n * in[0].H * in[0].W
	for p := range P {
		copy(y[p*k:(p+1)*k], x[0][p*C+l.From:p*C+l.To])
	}
}

func (l Channels) backward(in []Shape, _ int, _ []float64, _ [][]float64, _, dy, _, dx, _ []float64, n int) {
	if dx == nil {
		return
	}
	C, k := in[0].C, l.To-l.From
	P := n * in[0].H * in[0].W
	for p := range P {
		d := dx[p*C : (p+1)*C]
		clear(d)
		copy(d[l.From:l.To], dy[p*k:(p+1)*k])
	}
}
