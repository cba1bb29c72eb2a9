package nn

import (
	"fmt"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// ResWorkspace holds the activations of a ResMLP pass over up to Rows rows, for Backward.
// It is not safe for concurrent use; use one per goroutine.
type ResWorkspace struct {
	rows, batch int
	x           blas64.General // the input rows of the last Forward
	ce, e       []float64      // conditioning pre-activation and features
	h           [][]float64    // h_0 … h_Blocks
	n, u, a, v  [][]float64    // per block: LN(h), modulated, fc1 pre-activation, SiLU
	gb          [][]float64    // per block: (γ, β)
	inv         [][]float64    // per block: 1/σ of the LayerNorm rows
	nf, invf    []float64      // final LayerNorm
	out         []float64
	// backward scratch
	dh, du, dv, da, de, dce, dn []float64
	dgb                         []float64
	dnf                         []float64
}

// Rows returns the largest batch the workspace holds.
func (ws *ResWorkspace) Rows() int { return ws.rows }

// NewWorkspace returns a workspace for batches of at most rows rows.
func (m *ResMLP) NewWorkspace(rows int) *ResWorkspace {
	W, B := m.Width, rows
	f := func(n int) []float64 { return make([]float64, n) }
	ws := &ResWorkspace{rows: rows, ce: f(B * W), e: f(B * W), nf: f(B * W), invf: f(B), out: f(B * m.Out),
		dh: f(B * W), du: f(B * W), dv: f(B * W), da: f(B * W), de: f(B * W), dce: f(B * W), dn: f(B * W),
		dgb: f(2 * B * W), dnf: f(B * W)}
	ws.h = make([][]float64, m.Blocks+1)
	for k := range ws.h {
		ws.h[k] = f(B * W)
	}
	for k := 0; k < m.Blocks; k++ {
		ws.n = append(ws.n, f(B*W))
		ws.u = append(ws.u, f(B*W))
		ws.a = append(ws.a, f(B*W))
		ws.v = append(ws.v, f(B*W))
		ws.gb = append(ws.gb, f(2*B*W))
		ws.inv = append(ws.inv, f(B))
	}
	return ws
}

// affine computes y = x·Wᵀ + b for the rows of x (B × l.in, any stride) into y (B × l.out).
func affine(y []float64, x blas64.General, l linear, w []float64) {
	B := x.Rows
	b := l.b(w)
	for r := 0; r < B; r++ {
		copy(y[r*l.out:(r+1)*l.out], b)
	}
	if l.in == 0 {
		return
	}
	gemm(blas.NoTrans, blas.Trans, 1, x, general(l.out, l.in, l.w(w)), 1, general(B, l.out, y))
}

// affineBack accumulates the gradient of y = x·Wᵀ + b: dW += dyᵀ·x, db += Σ_rows dy, and,
// if dx is not nil, sets dx = dy·W (beta 0) or adds it (beta 1).
func affineBack(grad []float64, dy []float64, x blas64.General, l linear, w []float64, dx []float64, beta float64) {
	B := x.Rows
	dyg := general(B, l.out, dy)
	if l.in > 0 {
		gemm(blas.Trans, blas.NoTrans, 1, dyg, x, 1, general(l.out, l.in, l.w(grad)))
	}
	db := l.b(grad)
	for r := 0; r < B; r++ {
		for i, v := range dy[r*l.out : (r+1)*l.out] {
			db[i] += v
		}
	}
	if dx != nil {
		gemm(blas.NoTrans, blas.NoTrans, 1, dyg, general(l.out, l.in, l.w(w)), beta, general(B, l.in, dx))
	}
}

// Forward computes the outputs of the rows of x (B × InDim(), B ≤ the workspace's rows) at
// parameters w into out (B × Out), keeping the activations in ws for Backward.
func (m *ResMLP) Forward(out, w []float64, x blas64.General, ws *ResWorkspace) {
	if x.Cols != m.InDim() || x.Rows > ws.rows || len(out) != x.Rows*m.Out || len(w) != m.NumParams() {
		panic(fmt.Sprintf("nn: ResMLP.Forward: input %d×%d (want ≤ %d rows × %d), len(out) = %d, len(w) = %d (want %d)",
			x.Rows, x.Cols, ws.rows, m.InDim(), len(out), len(w), m.NumParams()))
	}
	W, B := m.Width, x.Rows
	ws.batch, ws.x = B, x
	in, cond, outL := m.ends()
	xin := blas64.General{Rows: B, Cols: m.In, Stride: x.Stride, Data: x.Data}
	affine(ws.h[0][:B*W], xin, in, w)
	var c blas64.General
	if m.Cond > 0 {
		c = blas64.General{Rows: B, Cols: m.Cond, Stride: x.Stride, Data: x.Data[m.In:]}
	} else {
		c = blas64.General{Rows: B, Cols: 0, Stride: 1, Data: nil}
	}
	affine(ws.ce[:B*W], c, cond, w)
	for i, v := range ws.ce[:B*W] {
		ws.e[i], _ = silu(v)
	}
	e := general(B, W, ws.e)
	for k := 0; k < m.Blocks; k++ {
		bl := m.block(k)
		h, n, u, a, v, gb := ws.h[k][:B*W], ws.n[k][:B*W], ws.u[k][:B*W], ws.a[k][:B*W], ws.v[k][:B*W], ws.gb[k][:2*B*W]
		LayerNorm(n, ws.inv[k][:B], h, W)
		affine(gb, e, bl[0], w)
		for r := 0; r < B; r++ {
			g, be := gb[r*2*W:r*2*W+W], gb[r*2*W+W:(r+1)*2*W]
			for i := 0; i < W; i++ {
				u[r*W+i] = n[r*W+i]*(1+g[i]) + be[i]
			}
		}
		affine(a, general(B, W, u), bl[1], w)
		for i, z := range a {
			v[i], _ = silu(z)
		}
		hn := ws.h[k+1][:B*W]
		copy(hn, h)
		gemm(blas.NoTrans, blas.Trans, 1, general(B, W, v), general(W, W, bl[2].w(w)), 1, general(B, W, hn))
		b2 := bl[2].b(w)
		for r := 0; r < B; r++ {
			for i, bv := range b2 {
				hn[r*W+i] += bv
			}
		}
	}
	LayerNorm(ws.nf[:B*W], ws.invf[:B], ws.h[m.Blocks][:B*W], W)
	affine(out, general(B, W, ws.nf), outL, w)
}

// Backward writes into grad (len NumParams) the gradient Σ_rows dOutᵣ·∂outᵣ/∂w of the last
// Forward on ws, given dOut (B × Out).
func (m *ResMLP) Backward(grad, w, dOut []float64, ws *ResWorkspace) {
	B, W := ws.batch, m.Width
	if len(grad) != m.NumParams() || len(dOut) != B*m.Out {
		panic(fmt.Sprintf("nn: ResMLP.Backward: len(grad) = %d (want %d), len(dOut) = %d (want %d)", len(grad), m.NumParams(), len(dOut), B*m.Out))
	}
	clear(grad)
	in, cond, outL := m.ends()
	dnf := ws.dnf[:B*W]
	affineBack(grad, dOut, general(B, W, ws.nf), outL, w, dnf, 0)
	dh := ws.dh[:B*W]
	LayerNormBackward(dh, dnf, ws.nf[:B*W], ws.invf[:B], W, false)
	de := ws.de[:B*W]
	clear(de)
	e := general(B, W, ws.e)
	for k := m.Blocks - 1; k >= 0; k-- {
		bl := m.block(k)
		n, u, a, v, gb := ws.n[k][:B*W], ws.u[k][:B*W], ws.a[k][:B*W], ws.v[k][:B*W], ws.gb[k][:2*B*W]
		dv, da, du, dn, dgb := ws.dv[:B*W], ws.da[:B*W], ws.du[:B*W], ws.dn[:B*W], ws.dgb[:2*B*W]
		affineBack(grad, dh, general(B, W, v), bl[2], w, dv, 0)
		for i, z := range a {
			_, d := silu(z)
			da[i] = dv[i] * d
		}
		affineBack(grad, da, general(B, W, u), bl[1], w, du, 0)
		for r := 0; r < B; r++ {
			g := gb[r*2*W : r*2*W+W]
			for i := 0; i < W; i++ {
				j := r*W + i
				dgb[r*2*W+i] = du[j] * n[j]
				dgb[r*2*W+W+i] = du[j]
				dn[j] = du[j] * (1 + g[i])
			}
		}
		affineBack(grad, dgb, e, bl[0], w, de, 1)
		LayerNormBackward(dh, dn, n, ws.inv[k][:B], W, true)
	}
	xin := blas64.General{Rows: B, Cols: m.In, Stride: ws.x.Stride, Data: ws.x.Data}
	affineBack(grad, dh, xin, in, w, nil, 0)
	dce := ws.dce[:B*W]
	for i, z := range ws.ce[:B*W] {
		_, d := silu(z)
		dce[i] = de[i] * d
	}
	if m.Cond > 0 {
		c := blas64.General{Rows: B, Cols: m.Cond, Stride: ws.x.Stride, Data: ws.x.Data[m.In:]}
		affineBack(grad, dce, c, cond, w, nil, 0)
	} else {
		db := cond.b(grad)
		for r := 0; r < B; r++ {
			for i, v := range dce[r*W : (r+1)*W] {
				db[i] += v
			}
		}
	}
}
