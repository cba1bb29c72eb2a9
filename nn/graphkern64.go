package nn

import (
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/floats"
)

// prec64 are the float64 kernels of a Graph pass (graphKernels): every value, product and
// sum in float64.
type prec64 struct{}

// setup sizes the unfolded inputs for a chunk of seqChunk samples (one product per chunk).
func (prec64) setup(ws *graphWS) {
	for j := range ws.g.nodes {
		gn := &ws.g.nodes[j]
		if gn.kind == gStage && gn.st.kind == stageConv && !gn.st.direct {
			ws.maxCols = max(ws.maxCols, seqChunk*gn.st.npos()*gn.st.k)
		}
	}
}

func (prec64) grow(*graphWS, int) {}

// chunkMajor is false: the float64 convolutions unfold a whole chunk (megabytes, beyond the
// cache a chunk-major pass would keep its values in), and measured node by node they ran
// 5–10 % faster on the ResNet-8 steps.
func (prec64) chunkMajor() bool                           { return false }
func (prec64) setParams(ws *graphWS, w []float64)         { ws.w = w }
func (prec64) as64(v []float64) []float64                 { return v }
func (prec64) lossSum(total float64, l []float64) float64 { return total + floats.Sum(l) }
func (prec64) add(dst, s []float64)                       { floats.Add(dst, s) }
func (prec64) act(a Activation, y, x []float64)           { a.apply(y, x) }
func (prec64) keepSize(cn *customNode) int                { return cn.keep }
func (prec64) reluBack(dx, dy, x []float64)               { reluBack(dx, dy, x) }
func (prec64) scaleByDerivative(a Activation, d, z, s []float64) {
	a.scaleByDerivative(d, z, s)
}
func (prec64) bnBackSums(*graphWS, int, []float64) {}

// sum sets dst = a + b.
func (prec64) sum(dst, a, b []float64) {
	copy(dst, a)
	floats.Add(dst, b)
}

func (prec64) custom(ws *graphWS, cn *customNode, off, np int, x [][]float64, y []float64, keep []float64, n int) {
	cn.cl.forward(cn.ins, ws.w[off:off+np], x, y, keep, n)
}

func (prec64) customBack(ws *graphWS, cn *customNode, off, np, k int, x [][]float64, y, dy []float64, keep []float64, dx []float64, gw []float64, n int) {
	cn.cl.backward(cn.ins, k, ws.w[off:off+np], x, y, dy, keep, dx, gw, n)
}

// bnStats turns the chunks' partial sums Σx of BatchNorm node j (gopBNSum, run by the
// forward pass) into the batch statistics of training mode, reduced over the chunks in
// chunk order (two passes: the mean, then the mean squared deviation, gopBNVar).
func (prec64) bnStats(ws *graphWS, j int) {
	gn := &ws.g.nodes[j]
	C := gn.out.C
	mean, vari, istd := ws.mean[j], ws.vari[j], ws.istd[j]
	N := float64(ws.batch * gn.out.H * gn.out.W)
	ws.reduce(mean, C)
	floats.Scale(1/N, mean)
	ws.task.run(gopBNVar, j)
	ws.reduce(vari, C)
	floats.Scale(1/N, vari)
	for c, v := range vari {
		istd[c] = 1 / math.Sqrt(v+gn.eps)
	}
}

// bnChunk runs the BatchNorm operation op on chunk c: the partial sums Σx (gopBNSum)
// and Σ(x−μ)² (gopBNVar), y = γ·x̂ + β (gopBNApply), Σdy and Σdy·x̂ (gopBNBackSum), ∂/∂x
// (gopBNBackApply).
func (prec64) bnChunk(_ *graphWS, op, c int, o bnOperands[float64]) {
	C, x := o.C, o.x
	switch op {
	case gopBNSum, gopBNVar:
		p := o.part[:C]
		clear(p)
		for r := 0; r+C <= len(x); r += C {
			row := x[r : r+C]
			if op == gopBNSum {
				floats.Add(p, row)
				continue
			}
			mu, p := o.mean[:len(row)], p[:len(row)]
			for k := range row {
				e := row[k] - mu[k]
				p[k] += e * e
			}
		}
	case gopBNApply:
		for r := 0; r+C <= len(x); r += C {
			xr := x[r : r+C]
			// Slices of len(xr): the compiler drops the bounds checks of the inner loop.
			yr, mu, is, ga, be := o.y[r:r+len(xr)], o.mean[:len(xr)], o.istd[:len(xr)], o.gamma[:len(xr)], o.beta[:len(xr)]
			for k := range xr {
				h := (xr[k] - mu[k]) * is[k] // x̂, recomputed (same bits) by the backward pass
				yr[k] = ga[k]*h + be[k]
			}
		}
	case gopBNBackSum:
		p := o.part[:2*C]
		clear(p)
		ps, pg := p[:C], p[C:2*C]
		for r := 0; r+C <= len(o.dy); r += C {
			dr := o.dy[r : r+C]
			xr, mu, is, ps, pg := x[r:r+len(dr)], o.mean[:len(dr)], o.istd[:len(dr)], ps[:len(dr)], pg[:len(dr)]
			for k := range dr {
				v := dr[k]
				ps[k] += v
				pg[k] += v * ((xr[k] - mu[k]) * is[k])
			}
		}
	case gopBNBackApply:
		// dx = γ·istd·(dy − Σdy/N − x̂·Σdy·x̂/N) in training mode, γ·istd·dy in evaluation
		// mode.
		invN := o.invN
		for r := 0; r+C <= len(o.dy); r += C {
			dr := o.dy[r : r+C]
			xr, dxr, ga, mu, is := x[r:r+len(dr)], o.dx[r:r+len(dr)], o.gamma[:len(dr)], o.mean[:len(dr)], o.istd[:len(dr)]
			if !o.train {
				for k := range dr {
					dxr[k] = ga[k] * is[k] * dr[k]
				}
				continue
			}
			ss, sg := o.sdy[:len(dr)], o.second[:len(dr)]
			for k := range dr {
				v := dr[k] - (ss[k]*invN + ((xr[k]-mu[k])*is[k])*sg[k]*invN)
				dxr[k] = ga[k] * is[k] * v
			}
		}
	}
}

// convForward is z = A·Wᵀ + b (A the chunk's unfolded input, one product per chunk),
// y = act(z).
func (prec64) convForward(ws *graphWS, o convOperands[float64]) {
	gn, st := o.gn, &o.gn.st
	rows, co := o.n*st.npos(), st.out.C
	A := ws.unfold(o.worker, st, o.x, o.n)
	gemm(blas.NoTrans, blas.Trans, 1, general(rows, st.k, A), general(co, st.k, ws.w[gn.off:]), 0, general(rows, co, o.z))
	if b := ws.w[gn.off+co*st.k : gn.off+gn.np]; gn.act == Identity {
		addRows(o.y, b) // z is y: the bias in place, as applyBias would add it
	} else {
		gn.act.applyBias(o.y, o.z, b)
	}
}

// convBackward is ∂/∂W = Dᵀ·A and ∂/∂b = Σ rows of D into ws.gpart[c] (D = ∂/∂z),
// ∂/∂x = col2im(D·W) into dx unless nil.
func (prec64) convBackward(ws *graphWS, o convOperands[float64]) {
	gn, st, n := o.gn, &o.gn.st, o.n
	rows, co := n*st.npos(), st.out.C
	D := general(rows, co, o.dy)
	A := ws.unfold(o.worker, st, o.x, n)
	gp := ws.gpart[o.c]
	gemm(blas.Trans, blas.NoTrans, 1, D, general(rows, st.k, A), 0, general(co, st.k, gp))
	columnSums(gp[co*st.k:gn.np], D)
	if o.dx == nil {
		return
	}
	W := general(co, st.k, ws.w[gn.off:])
	if st.direct {
		gemm(blas.NoTrans, blas.NoTrans, 1, D, W, 0, general(rows, st.k, o.dx))
		return
	}
	m := st.npos() * st.k
	dc := ws.dcols[o.worker][:n*m]
	gemm(blas.NoTrans, blas.NoTrans, 1, D, W, 0, general(rows, st.k, dc))
	for s := range n {
		st.col2im(o.dx[s*o.ni:(s+1)*o.ni], dc[s*m:(s+1)*m])
	}
}

// unfold returns the unfolded input (n·npos × k) of a convolution on the n samples x: x
// itself for a direct stage, else their im2col in the worker's scratch.
func (ws *graphWSOf[T]) unfold(worker int, st *stage, x []T, n int) []T {
	if st.direct {
		return x
	}
	m, ni := st.npos()*st.k, st.in.Size()
	cols := ws.cols[worker][:n*m]
	for s := range n {
		im2colT(st, cols[s*m:(s+1)*m], x[s*ni:(s+1)*ni])
	}
	return cols
}

// reluBack sets dx = dy·ReLU'(x) in one pass, with the bits of copying dy and applying
// Activation.scaleByDerivative (the same branch-free mask: dy kept iff x > 0).
func reluBack(dx, dy, x []float64) {
	dx, dy = dx[:len(x)], dy[:len(x)]
	for i, v := range x {
		b := int64(math.Float64bits(v))
		m := uint64((-b >> 63) &^ (b >> 63))
		dx[i] = math.Float64frombits(math.Float64bits(dy[i]) & m)
	}
}
