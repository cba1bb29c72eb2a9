package nn

import (
	"fmt"

	"gonum.org/v1/gonum/blas"
)

// HVP writes into dst the exact Hessian-vector product H(w)v of the mean loss
// L(w) = (1/|idx|)Σ_{i∈idx} ℓᵢ(w) over the samples idx (entries may repeat), by
// Pearlmutter's R-operator R{·} = d/dr (·)(w + r v)|_{r=0}, as Supervised.HVP does for an
// MLP (docs/derivations/conv.md). With V, β the blocks of v for a convolution, forward
//
//	R{cols} = im2col(R{x}),   R{z} = cols·Vᵀ + R{cols}·Wᵀ + 1βᵀ,   R{a} = σ'(z)⊙R{z},
//
// a max pool passes R{a} through its argmax and an average pool averages it; the loss
// gives R{e} = ∇²_o ℓ·R{o}; backward, with δ = e⊙σ'(z),
//
//	R{δ} = R{e}⊙σ'(z) + e⊙σ″(z)⊙R{z},
//	(Hv)_W = R{δ}ᵀ·cols + δᵀ·R{cols},   (Hv)_b = R{δ}ᵀ1,
//	R{e_in} = col2im(R{δ}·W + δ·V),
//
// and the pools pass R{e} back like e. Every line is a batched product or a per-sample
// pass of the same kind as the gradient's, in the same chunks (added in chunk order, so
// the result is the same bits for any GOMAXPROCS). For ReLU σ″ = 0 off the kinks and a max
// pool's argmax is locally constant, so on ReLU networks this is the Hessian of the loss on
// the current activation region and argmax pattern — what central differences of gradients
// approximate only while no pre-activation changes sign and no window changes its maximum
// within the step. If Loss is not a SecondOrderLoss, HVP falls back to central differences
// of LossGrad with Hessian's default step. HVP panics if idx is empty. It is safe for
// concurrent use and does not allocate in steady state.
func (s *SeqSupervised) HVP(dst, w, v []float64, idx []int) {
	n := s.Dim()
	if len(dst) != n || len(w) != n || len(v) != n {
		panic(fmt.Sprintf("nn: SeqSupervised.HVP lengths dst %d, w %d, v %d, want %d", len(dst), len(w), len(v), n))
	}
	if len(idx) == 0 {
		panic("nn: HVP with empty idx")
	}
	sl, ok := s.Loss.(SecondOrderLoss)
	if !ok {
		(&Hessian{Obj: s, Difference: true}).MulVec(dst, w, v, idx)
		return
	}
	r := s.getRun()
	defer s.putRun(r)
	r.w, r.idx, r.scale, r.wantGrad, r.v, r.second = w, idx, 1/float64(len(idx)), true, v, sl
	r.exec(dst)
}

// rop runs the R-operator pass of one chunk: forward and loss as in pass (scaled by
// scale), then the R-forward, R{e} at the output and the R-backward, writing the chunk's
// scale·Σᵢ ∇²ℓᵢ(w)v into hv.
func (s *SeqSupervised) rop(st *seqState, sl SecondOrderLoss, hv, w, v []float64, idx []int, scale float64) {
	ws := st.ws
	ws.ensureR()
	out := s.pass(st, w, idx, true, scale)
	n := s.Net
	n.rforward(ws, w, v)
	last := len(n.stages) - 1
	B, K := ws.batch, n.OutDim()
	sl.HessVec(general(B, K, ws.r.d[last]), scale, general(B, K, out), general(B, K, ws.r.a[last]), s.Data, idx)
	n.rbackward(hv, w, v, ws)
}

// rforward fills ws.r with the directional derivatives R{z} (bias direction included)
// and R{a} of every stage along v, from the forward pass held in ws; R{x} = 0.
func (n *Sequential) rforward(ws *seqWorkspace, w, v []float64) {
	r := ws.r
	B := ws.batch
	for s := range n.stages {
		st := &n.stages[s]
		if st.kind != stageConv {
			ws.task.runOn(opPool, s, true)
			continue
		}
		rows, co := B*st.npos(), st.out.C
		rz := r.z[s][:rows*co]
		gemm(blas.NoTrans, blas.Trans, 1, general(rows, st.k, ws.unfolded(s)), general(co, st.k, v[st.off:]), 0, general(rows, co, rz))
		if s > 0 {
			if !st.direct {
				ws.task.runOn(opIm2col, s, true)
			}
			gemm(blas.NoTrans, blas.Trans, 1, general(rows, st.k, r.unfolded(ws, s)), general(co, st.k, w[st.off:]), 1, general(rows, co, rz))
		}
		addRows(rz, st.bias(v))
		if !st.fused { // a fused stage's pool reads R{z} itself
			ra := r.a[s][:rows*co]
			copy(ra, rz)
			st.act.scaleByDerivative(ra, ws.z[s][:rows*co], ws.a[s][:rows*co])
		}
	}
}

// rbackward back-propagates the errors e (ws.d) and R{e} (ws.r.d) of the output and writes
// the Hessian-vector product into hv (see HVP).
func (n *Sequential) rbackward(hv, w, v []float64, ws *seqWorkspace) {
	r := ws.r
	B := ws.batch
	for s := len(n.stages) - 1; s >= 0; s-- {
		st := &n.stages[s]
		if st.kind != stageConv {
			if s > 0 {
				ws.task.runOn(opPoolBack, s, false)
				ws.task.runOn(opPoolBack, s, true)
			}
			continue
		}
		rows, co := B*st.npos(), st.out.C
		d, rd := ws.d[s][:rows*co], r.d[s][:rows*co]
		if !st.fused { // else the pool's backward passes applied ReLU' (and σ″ = 0)
			z, a := ws.z[s][:rows*co], ws.a[s][:rows*co]
			st.act.scaleByDerivative(rd, z, a)
			st.act.addCurvature(rd, d, r.z[s][:rows*co], z, a)
			st.act.scaleByDerivative(d, z, a)
		}
		D, RD := general(rows, co, d), general(rows, co, rd)
		gW := hv[st.off : st.off+co*st.k]
		ws.weightGrad(gW, RD, general(rows, st.k, ws.unfolded(s)), false)
		if s > 0 {
			ws.weightGrad(gW, D, general(rows, st.k, r.unfolded(ws, s)), true)
		}
		columnSums(st.bias(hv), RD)
		if s == 0 {
			continue
		}
		W, V := general(co, st.k, w[st.off:]), general(co, st.k, v[st.off:])
		if st.direct {
			gemm(blas.NoTrans, blas.NoTrans, 1, D, W, 0, general(rows, st.k, ws.d[s-1]))
			gemm(blas.NoTrans, blas.NoTrans, 1, RD, W, 0, general(rows, st.k, r.d[s-1]))
			gemm(blas.NoTrans, blas.NoTrans, 1, D, V, 1, general(rows, st.k, r.d[s-1]))
			continue
		}
		gemm(blas.NoTrans, blas.NoTrans, 1, D, W, 0, general(rows, st.k, ws.dcols))
		ws.task.runOn(opCol2im, s, false)
		gemm(blas.NoTrans, blas.NoTrans, 1, RD, W, 0, general(rows, st.k, r.dcols))
		gemm(blas.NoTrans, blas.NoTrans, 1, D, V, 1, general(rows, st.k, r.dcols))
		ws.task.runOn(opCol2im, s, true)
	}
}

// addRows adds b to every row of z (rows of len(b) values).
func addRows(z, b []float64) {
	n := len(b)
	for o := 0; o+n <= len(z); o += n {
		row := z[o : o+n]
		for j, bj := range b {
			row[j] += bj
		}
	}
}
