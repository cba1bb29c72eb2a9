package nn

import (
	"fmt"
	"slices"

	"gonum.org/v1/gonum/blas/blas64"
)

// Workspace is the scratch memory of one forward/backward pass of an MLP: the
// pre-activations z_l, activations a_l and backpropagated errors δ_l = ∂(·)/∂z_l of every
// layer for a batch of rows. It grows to the largest batch it has seen, so repeated use
// at a fixed batch size does not allocate. A Workspace must not be used by two
// goroutines at once.
type Workspace struct {
	sizes   []int
	cap     int // rows the buffers can hold
	batch   int // rows of the last Forward
	z, a, d [][]float64
	in      blas64.General // input of the last Forward (a view, not a copy)
	wm      []float64      // w⊙Mask for masked networks
	weights []float64      // parameters used by the last Forward (w or wm)
	x       []float64      // gathered input rows (used by Supervised)
	dx      []float64      // input gradient scratch
	sq      []float64      // scratch for per-sample norms
}

// NewWorkspace returns a Workspace for m sized for batches of up to batch rows (it grows
// on demand for larger batches).
func (m *MLP) NewWorkspace(batch int) *Workspace {
	L := m.NumLayers()
	ws := &Workspace{
		sizes: slices.Clone(m.Sizes),
		z:     make([][]float64, L),
		a:     make([][]float64, L),
		d:     make([][]float64, L),
	}
	ws.ensure(max(batch, 1))
	return ws
}

// ensure grows the per-row buffers to hold rows rows.
func (ws *Workspace) ensure(rows int) {
	if rows <= ws.cap {
		return
	}
	for l := range ws.z {
		n := rows * ws.sizes[l+1]
		ws.z[l] = make([]float64, n)
		ws.a[l] = make([]float64, n)
		ws.d[l] = make([]float64, n)
	}
	ws.x = nil
	ws.dx = nil
	ws.cap = rows
}

// check panics unless ws was made for a network with m's widths.
func (ws *Workspace) check(m *MLP) {
	if !slices.Equal(ws.sizes, m.Sizes) {
		panic(fmt.Sprintf("nn: workspace built for sizes %v used with sizes %v", ws.sizes, m.Sizes))
	}
}

// input returns a rows×Sizes[0] matrix backed by the workspace's gather buffer.
func (ws *Workspace) input(rows int) blas64.General {
	ws.ensure(rows)
	n := ws.sizes[0]
	if len(ws.x) < ws.cap*n {
		ws.x = make([]float64, ws.cap*n)
	}
	return general(rows, n, ws.x)
}

// general returns the tightly packed r×c matrix stored in the first r·c entries of data.
func general(r, c int, data []float64) blas64.General {
	return blas64.General{Rows: r, Cols: c, Stride: c, Data: data[:r*c]}
}
