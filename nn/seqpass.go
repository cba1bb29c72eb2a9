package nn

import (
	"fmt"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// forward runs the network on the ws.batch rows in ws.x and returns the output
// (batch × OutDim, row-major). A convolution is Z = cols·Wᵀ + 1bᵀ with cols the im2col
// matrix of the batch (one row per sample and output position), A = σ(Z); the product is
// formed first and b added to each of its entries (the rounding of a product accumulated
// onto b), by the activation pass or, for a fused stage, by the following max pool.
func (n *Sequential) forward(ws *seqWorkspace, w []float64) []float64 {
	n.checkParams(w)
	B := ws.batch
	ws.task.w = w
	for s := range n.stages {
		st := &n.stages[s]
		if st.kind != stageConv {
			ws.task.run(opPool, s)
			continue
		}
		if !st.direct {
			ws.task.run(opIm2col, s)
		}
		rows, co := B*st.npos(), st.out.C
		z := ws.z[s][:rows*co]
		gemm(blas.NoTrans, blas.Trans, 1, general(rows, st.k, ws.unfolded(s)), general(co, st.k, w[st.off:]), 0, general(rows, co, z))
		if !st.fused {
			st.act.applyBias(ws.a[s][:rows*co], z, st.bias(w))
		}
	}
	return ws.a[len(n.stages)-1][:B*n.OutDim()]
}

// backward back-propagates the output errors in ws.d[last] (batch × OutDim) of the last
// forward with the same w. It leaves δ = ∂/∂z in ws.d of every convolution stage and
// writes the parameter gradient into grad unless grad is nil: ∂/∂W = δᵀ·cols,
// ∂/∂b = δᵀ1, ∂/∂cols = δ·W folded back by col2im.
func (n *Sequential) backward(grad []float64, w []float64, ws *seqWorkspace) {
	n.checkParams(w)
	if grad != nil && len(grad) != len(w) {
		panic(fmt.Sprintf("nn: len(grad) = %d, want %d", len(grad), len(w)))
	}
	B := ws.batch
	for s := len(n.stages) - 1; s >= 0; s-- {
		st := &n.stages[s]
		if st.kind != stageConv {
			if s > 0 {
				ws.task.run(opPoolBack, s)
			}
			continue
		}
		rows, co := B*st.npos(), st.out.C
		d := ws.d[s][:rows*co]
		if !st.fused { // else the max pool's backward pass applied σ'
			st.act.scaleByDerivative(d, ws.z[s][:rows*co], ws.a[s][:rows*co])
		}
		D := general(rows, co, d)
		if grad != nil {
			ws.weightGrad(grad[st.off:st.off+co*st.k], D, general(rows, st.k, ws.unfolded(s)), false)
			columnSums(grad[st.off+co*st.k:st.off+st.nparams()], D)
		}
		if s == 0 {
			continue
		}
		W := general(co, st.k, w[st.off:])
		if st.direct {
			gemm(blas.NoTrans, blas.NoTrans, 1, D, W, 0, general(rows, st.k, ws.d[s-1]))
			continue
		}
		gemm(blas.NoTrans, blas.NoTrans, 1, D, W, 0, general(rows, st.k, ws.dcols))
		ws.task.run(opCol2im, s)
	}
}

// weightGrad sets g (Out × k, row-major) to δᵀ·A for the errors D (rows × Out) and the
// unfolded inputs A (rows × k), or adds it to g if accumulate is set. The packed product
// packs its second operand whole, so when D is the narrower of the two (Out < k) it forms
// (δᵀA)ᵀ = Aᵀδ into scratch and transposes it: the same sums in the same order, so the
// same bits, with less packing.
func (ws *seqWorkspace) weightGrad(g []float64, D, A blas64.General, accumulate bool) {
	co, k := D.Cols, A.Cols
	if co >= k {
		beta := 0.0
		if accumulate {
			beta = 1
		}
		gemm(blas.Trans, blas.NoTrans, 1, D, A, beta, general(co, k, g))
		return
	}
	t := ws.gradT[:k*co]
	gemm(blas.Trans, blas.NoTrans, 1, A, D, 0, general(k, co, t))
	for j := 0; j < k; j++ {
		for o, v := range t[j*co : (j+1)*co] {
			if accumulate {
				v += g[o*k+j]
			}
			g[o*k+j] = v
		}
	}
}
