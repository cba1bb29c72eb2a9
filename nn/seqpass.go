package nn

import (
	"fmt"

	"gonum.org/v1/gonum/blas"
)

// forward runs the network on the ws.batch rows in ws.x and returns the output
// (batch × OutDim, row-major). A convolution is Z = cols·Wᵀ + 1bᵀ with cols the im2col
// matrix of the batch (one row per sample and output position), A = σ(Z).
func (n *Sequential) forward(ws *seqWorkspace, w []float64) []float64 {
	n.checkParams(w)
	B := ws.batch
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
		b := w[st.off+co*st.k : st.off+st.nparams()]
		for r := 0; r < rows; r++ {
			copy(z[r*co:(r+1)*co], b)
		}
		gemm(blas.NoTrans, blas.Trans, 1, general(rows, st.k, ws.unfolded(s)), general(co, st.k, w[st.off:]), 1, general(rows, co, z))
		st.act.apply(ws.a[s][:rows*co], z)
	}
	return ws.a[len(n.stages)-1][:B*n.OutDim()]
}

// backward back-propagates the output errors in ws.d[last] (batch × OutDim) of the last
// forward with the same w. It leaves δ = ∂/∂z in ws.d of every convolution stage and
// writes (accumulate=false) or adds (accumulate=true) the parameter gradient into grad
// unless grad is nil: ∂/∂W = δᵀ·cols, ∂/∂b = δᵀ1, ∂/∂cols = δ·W folded back by col2im.
func (n *Sequential) backward(grad []float64, accumulate bool, w []float64, ws *seqWorkspace) {
	n.checkParams(w)
	if grad != nil && len(grad) != len(w) {
		panic(fmt.Sprintf("nn: len(grad) = %d, want %d", len(grad), len(w)))
	}
	beta := 0.0
	if accumulate {
		beta = 1
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
		st.act.scaleByDerivative(d, ws.z[s][:rows*co], ws.a[s][:rows*co])
		D := general(rows, co, d)
		if grad != nil {
			gemm(blas.Trans, blas.NoTrans, 1, D, general(rows, st.k, ws.unfolded(s)), beta, general(co, st.k, grad[st.off:]))
			gb := grad[st.off+co*st.k : st.off+st.nparams()]
			if !accumulate {
				clear(gb)
			}
			for r := 0; r < rows; r++ {
				for j, v := range d[r*co : (r+1)*co] {
					gb[j] += v
				}
			}
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
