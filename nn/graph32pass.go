package nn

import (
	"fmt"
	"math"

	"github.com/sdeml/sdeml/internal/bnorm"
	igemm "github.com/sdeml/sdeml/internal/gemm"
	"github.com/sdeml/sdeml/internal/relu32"
	"github.com/sdeml/sdeml/internal/vec32"
)

// check32 returns an error if a node of g has no float32 kernel (a custom layer without
// one).
func (g *Graph) check32() error {
	for j := range g.nodes {
		gn := &g.nodes[j]
		switch {
		case gn.kind == gCustom:
			if _, ok := gn.cn.cl.(customLayer32); !ok {
				return fmt.Errorf("nn: Graph node %d (%s) has no float32 kernel", j, layerName(gn.cn.cl))
			}
		}
	}
	return nil
}

// prec32 are the mixed-precision kernels of a Graph pass (graphKernels): float32 values,
// errors and products (internal/gemm's Sgemm), float64 statistics, normalisation
// coefficients and sums over samples.
type prec32 struct{}

// chunkMajor is true: a chunk's float32 values (and the one-sample unfolded inputs of its
// convolutions) stay in cache across the nodes of a segment.
func (prec32) chunkMajor() bool { return true }

// bnStats turns the chunks' partial sums Σx and Σx² of BatchNorm node j (gopBNSum, run by
// the forward pass) into float64 batch statistics, reduced over the chunks in chunk order.
func (prec32) bnStats(ws *graphWS32, j int) {
	gn := &ws.g.nodes[j]
	C := gn.out.C
	mean, vari, istd := ws.mean[j], ws.vari[j], ws.istd[j]
	// One pass: Σx and Σx² per channel in float64 (exact for sums of up to 2²⁹
	// products of float32 values), σ² = Σx²/N − μ². The float64 cancellation error,
	// about 2⁻⁵³·(μ² + σ²)/σ² relative, stays far below float32's 2⁻²⁴ unless
	// |μ| > 10⁴σ.
	inv := 1 / float64(ws.batch*gn.out.H*gn.out.W)
	ws.reduce(ws.part[0][:2*C], 2*C)
	s := ws.part[0]
	for c := range mean {
		mean[c] = s[c] * inv
		vari[c] = max(s[C+c]*inv-mean[c]*mean[c], 0)
		istd[c] = 1 / math.Sqrt(vari[c]+gn.eps)
	}
}

// bnBackSums turns the second sum, Σdy·x per channel, into Σdy·x̂ = istd·(Σdy·x − μ·Σdy):
// the float64 cancellation error, about 2⁻⁵³·|μ|·Σ|dy|, stays far below the float32
// rounding of dy (u·Σ|dy||x̂|) unless |μ| > 10⁶σ.
func (prec32) bnBackSums(ws *graphWS32, j int, s []float64) {
	C := ws.g.nodes[j].out.C
	mean, istd := ws.mean[j], ws.istd[j]
	for c := range C {
		s[C+c] = istd[c] * (s[C+c] - mean[c]*s[c])
	}
}

// bnChunk runs the BatchNorm operation op on chunk c: the partial sums Σx and Σx²
// (gopBNSum), y = a·x + b (gopBNApply), Σdy and Σdy·x (gopBNBackSum), ∂/∂x
// (gopBNBackApply), in float64 from the float32 values (internal/bnorm).
func (prec32) bnChunk(ws *graphWS32, op, c int, o bnOperands[float32]) {
	C := o.C
	switch op {
	case gopBNSum:
		p := o.part[:2*C]
		clear(p)
		bnorm.Sums(p[:C], p[C:], o.x, o.x)
	case gopBNApply:
		// y = a·x + b in float64 from the float32 x, a = γ·istd, b = β − a·μ, rounded
		// once.
		a, b := o.part[:C], o.part[C:2*C]
		for k := range C {
			a[k] = o.gamma[k] * o.istd[k]
			b[k] = o.beta[k] - a[k]*o.mean[k]
		}
		bnorm.Affine(o.y, o.x, a, b)
	case gopBNBackSum:
		// Σdy and Σdy·x per channel; bnBackSums turns the second into
		// Σdy·x̂ = istd·(Σdy·x − μ·Σdy).
		p := o.part[:2*C]
		clear(p)
		bnorm.Sums(p[:C], p[C:], o.dy, o.x)
	case gopBNBackApply:
		// dx = γ·istd·(dy − Σdy/N − x̂·Σdy·x̂/N) = a·dy + b·x + c per channel, in float64:
		// a = γ·istd, b = −a·istd·Σdy·x̂/N, c = −a·Σdy/N − b·μ (training mode), a·dy
		// in evaluation mode. The coefficients go to the chunk's partial sums, which
		// are free again.
		co := o.part[:2*C]
		if c == 0 {
			co = ws.gpart[c][:2*C] // chunk 0's partial sums hold the reduced Σdy, Σdy·x̂
		}
		ca, cb, m := co[:C], co[C:2*C], o.part[2*C:3*C]
		for k := range C {
			ca[k] = o.gamma[k] * o.istd[k]
			cb[k] = 0
			m[k] = 0
			if o.train {
				cb[k] = -ca[k] * o.istd[k] * o.second[k] * o.invN
				m[k] = o.sdy[k] * o.invN
			}
		}
		if !o.train {
			for r := 0; r+C <= len(o.dy); r += C {
				dr := o.dy[r : r+C]
				dxr, ca := o.dx[r:r+len(dr)], ca[:len(dr)]
				for k, v := range dr {
					dxr[k] = float32(ca[k] * float64(v))
				}
			}
			return
		}
		// ca·(dy − m) + cb·(x − μ), m = Σdy/N (internal/bnorm).
		bnorm.Back(o.dx, o.dy, o.x, ca, m, cb, o.mean)
	}
}

// convForward is z = A·Wᵀ + b in float32 (A the unfolded input: convForward32 reads it
// from the padded image's sliding windows or forms it one sample at a time), y = act(z).
func (prec32) convForward(ws *graphWS32, o convOperands[float32]) {
	gn, st, n := o.gn, &o.gn.st, o.n
	co, x, z := st.out.C, o.x, o.z
	W := ws.w32[gn.off : gn.off+co*st.k]
	b := ws.w32[gn.off+co*st.k : gn.off+gn.np]
	if st.direct {
		igemm.Sgemm(false, true, n*st.npos(), co, st.k, 1, x, st.k, W, st.k, 0, z, co)
		igemm.AddBias32(z, z, b)
	} else {
		convForward32(st, ws.cols[o.worker], z, x, W, b, n)
	}
	if gn.act != Identity {
		gn.act.apply32(o.y, z)
	}
}

// convBackward is ∂/∂W = Dᵀ·A in float32 widened and ∂/∂b = Σ rows of D in float64 into
// ws.gpart[c] (D = ∂/∂z); ∂/∂x into dx unless nil: the convolution of D with the flipped
// kernel for a "same" convolution (transposed32), else convInputGrad32 (strided products,
// or col2im(D·W)).
func (prec32) convBackward(ws *graphWS32, o convOperands[float32]) {
	gn, st, n := o.gn, &o.gn.st, o.n
	co, x, dy, dx := st.out.C, o.x, o.dy, o.dx
	g32, gp := ws.g32[o.c][:co*st.k], ws.gpart[o.c][:gn.np]
	if st.direct {
		igemm.Sgemm(true, false, co, st.k, n*st.npos(), 1, dy, co, x, st.k, 0, g32, st.k)
	} else {
		convWeightGrad32(st, ws.cols[o.worker], ws.dcols[o.worker], g32, dy, x, n)
	}
	for i, v := range g32 {
		gp[i] = float64(v)
	}
	gb := gp[co*st.k:]
	clear(gb)
	vec32.ColSums(gb, dy[:n*st.npos()*co]) // Σ rows in row order, in float64
	if dx == nil {
		return
	}
	W := ws.w32[gn.off : gn.off+co*st.k]
	if st.direct {
		igemm.Sgemm(false, false, n*st.npos(), st.k, co, 1, dy, co, W, st.k, 0, dx, st.k)
		return
	}
	if ts := ws.tstage(o.j); ts != nil {
		// ∂/∂x as the convolution of ∂/∂y with the flipped kernel (transposed32):
		// one forward convolution of dy per sample (convForward32), no col2im.
		wT := ws.wT[o.worker][:ts.out.C*ts.k]
		flipKernel(wT, W, st)
		convForward32(ts, ws.dcols[o.worker], dx, dy, wT, nil, n)
		return
	}
	convInputGrad32(st, ws.dcols[o.worker], dx, dy, W, n)
}

func (prec32) act(a Activation, y, x []float32) { a.apply32(y, x) }
func (prec32) reluBack(dx, dy, x []float32)     { reluBack32(dx, dy, x) }
func (prec32) scaleByDerivative(a Activation, d, z, s []float32) {
	a.scaleByDerivative32(d, z, s)
}

// reluBack32 sets dx = dy·ReLU'(x) in one pass (dy kept iff x > 0, the branch-free mask
// of scaleByDerivative32, internal/relu32).
func reluBack32(dx, dy, x []float32) {
	relu32.Back(dx[:len(x)], dy[:len(x)], x)
}

// transposed32 returns, for a "same" convolution stage (stride 1, odd square kernel, padding
// (k−1)/2: output and input pixels coincide), the stage of its transposed convolution:
// ∂/∂x[p, c] = Σ_{i,j,o} ∂/∂y[p + (i−pad, j−pad), o]·W[o, (k−1−i, k−1−j, c)], a convolution
// of ∂/∂y (out.C channels) with the flipped kernel W' (in.C × k·k·out.C, flipKernel) and
// the same padding. Other stages return nil (their ∂/∂x goes through col2im).
func transposed32(st *stage) *stage {
	if st.kind != stageConv || st.direct || st.stride != 1 || st.kh != st.kw || st.kh%2 == 0 || st.pad != st.kh/2 {
		return nil
	}
	ts := &stage{kind: stageConv, in: st.out, out: st.in, kh: st.kh, kw: st.kw, stride: 1, pad: st.pad, k: st.kh * st.kw * st.out.C}
	return ts
}

// tstage returns the transposed stage of node j, or nil.
func (ws *graphWSOf[T]) tstage(j int) *stage {
	if ws.tst == nil {
		return nil
	}
	return ws.tst[j]
}

// flipKernel writes W'[c, (i, j, o)] = W[o, (kh−1−i, kw−1−j, c)] (W: out.C × kh·kw·in.C)
// into wT (in.C × kh·kw·out.C).
func flipKernel(wT, W []float32, st *stage) {
	ci, co, kh, kw := st.in.C, st.out.C, st.kh, st.kw
	k2 := kh * kw * co
	for o := range co {
		for i := range kh {
			for j := range kw {
				src := W[o*st.k+((kh-1-i)*kw+(kw-1-j))*ci:][:ci]
				for c, v := range src {
					wT[c*k2+(i*kw+j)*co+o] = v
				}
			}
		}
	}
}
