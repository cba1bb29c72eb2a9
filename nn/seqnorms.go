package nn

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/sdeml/sdeml/internal/parallel"
)

// PerSampleGradNorms writes ‖∇ℓ_{idx[k]}(w)‖ into dst[k] from one batched forward and
// backward pass. For a convolution with unfolded input A_i (npos×k) and errors D_i
// (npos×Out) of sample i, the weight gradient is G_i = D_iᵀA_i and
//
//	‖G_i‖²_F = ⟨D_iD_iᵀ, A_iA_iᵀ⟩_F,   ‖∂ℓᵢ/∂b‖² = ‖D_iᵀ1‖²,
//
// so the norm needs either the two npos×npos Gram matrices or G_i itself; each layer uses
// whichever costs fewer multiplications (npos²(Out + k) against npos·Out·k), both exact.
// A Dense layer (npos = 1) gives the MLP's ‖δ‖²‖a‖².
func (s *SeqSupervised) PerSampleGradNorms(dst []float64, w []float64, idx []int) {
	if len(dst) != len(idx) {
		panic(fmt.Sprintf("nn: len(dst) = %d, want len(idx) = %d", len(dst), len(idx)))
	}
	r := s.getRun()
	defer s.putRun(r)
	r.w, r.idx, r.scale, r.norms, r.normC = w, idx, 1, dst, 1
	r.exec(nil)
}

// LossGradNorms returns the mean loss over idx, writes its gradient into grad (unless nil)
// and the per-sample gradient norms ‖∇ℓ_{idx[k]}(w)‖ into norms[k], from one forward and
// backward pass (the errors carry the 1/|idx| of the mean, undone in the norms). grad is
// bit-identical to LossGrad's. It panics if idx is empty or len(norms) != len(idx).
func (s *SeqSupervised) LossGradNorms(grad, norms, w []float64, idx []int) float64 {
	if len(idx) == 0 {
		panic("nn: LossGradNorms with empty idx")
	}
	if len(norms) != len(idx) {
		panic(fmt.Sprintf("nn: len(norms) = %d, want len(idx) = %d", len(norms), len(idx)))
	}
	r := s.getRun()
	defer s.putRun(r)
	b := float64(len(idx))
	r.w, r.idx, r.scale, r.wantGrad, r.norms, r.normC = w, idx, 1/b, grad != nil, norms, b
	return r.exec(grad) / b
}

// PerSampleGrads writes ∇ℓ_{idx[k]}(w) (not divided by the batch size) into row k of dst
// (len(idx)×Dim()): per convolution G_i = D_iᵀA_i and D_iᵀ1 from the batched pass.
func (s *SeqSupervised) PerSampleGrads(dst *mat.Dense, w []float64, idx []int) {
	r, c := dst.Dims()
	if r != len(idx) || c != s.Dim() {
		panic(fmt.Sprintf("nn: PerSampleGrads dst is %d×%d, want %d×%d", r, c, len(idx), s.Dim()))
	}
	run := s.getRun()
	defer s.putRun(run)
	run.w, run.idx, run.scale, run.psg = w, idx, 1, dst.RawMatrix()
	run.exec(nil)
}

// seqNormTask computes per-sample gradient norms into nrm (scaled by c), or, if g.Data
// is not nil, the per-sample gradients into the rows of g, for every sample of the last
// backward pass, in parallel over samples with per-worker scratch.
type seqNormTask struct {
	st      *seqState
	nrm     []float64
	c       float64
	g       blas64.General
	scratch [][]float64
}

func (t *seqNormTask) run(nrm []float64, c float64, g blas64.General) {
	B := t.st.ws.batch
	for len(t.scratch) < parallel.Workers(B) {
		t.scratch = append(t.scratch, nil)
	}
	t.nrm, t.c, t.g = nrm, c, g
	parallel.Run(B, t)
}

// useGram reports whether the Gram form of a stage's per-sample norm is the cheaper one.
func (st *stage) useGram() bool {
	P := st.npos()
	return P > 1 && P*(st.out.C+st.k) < st.out.C*st.k
}

// Do handles sample i.
func (t *seqNormTask) Do(worker, i int) {
	ws := t.st.ws
	sq := 0.0
	for s := range ws.net.stages {
		st := &ws.net.stages[s]
		if st.kind != stageConv {
			continue
		}
		P, co, k := st.npos(), st.out.C, st.k
		A := general(P, k, ws.unfolded(s)[i*P*k:])
		D := general(P, co, ws.d[s][i*P*co:])
		if t.g.Data != nil {
			row := t.g.Data[i*t.g.Stride:]
			gemm(blas.Trans, blas.NoTrans, 1, D, A, 0, general(co, k, row[st.off:]))
			columnSums(row[st.off+co*k:st.off+st.nparams()], D)
			continue
		}
		if P == 1 {
			sq += floats.Dot(D.Data, D.Data) * (floats.Dot(A.Data, A.Data) + 1)
			continue
		}
		need := co + co*k
		if st.useGram() {
			need = co + 2*P*P
		}
		if len(t.scratch[worker]) < need {
			t.scratch[worker] = make([]float64, need)
		}
		buf := t.scratch[worker]
		gb := buf[:co]
		columnSums(gb, D)
		sq += floats.Dot(gb, gb)
		if st.useGram() {
			GD, GA := general(P, P, buf[co:]), general(P, P, buf[co+P*P:])
			gemm(blas.NoTrans, blas.Trans, 1, D, D, 0, GD)
			gemm(blas.NoTrans, blas.Trans, 1, A, A, 0, GA)
			sq += floats.Dot(GD.Data, GA.Data)
		} else {
			G := general(co, k, buf[co:])
			gemm(blas.Trans, blas.NoTrans, 1, D, A, 0, G)
			sq += floats.Dot(G.Data, G.Data)
		}
	}
	if t.g.Data == nil {
		t.nrm[i] = t.c * math.Sqrt(sq)
	}
}

// columnSums sets dst[j] = Σ_r D[r, j], each sum taken in increasing r from +0. Four rows
// are added per pass over dst (in the same order), so dst is loaded and stored a quarter
// as often.
func columnSums(dst []float64, D blas64.General) {
	dst = dst[:D.Cols]
	clear(dst)
	r := 0
	for ; r+4 <= D.Rows; r += 4 {
		o := r * D.Stride
		r0 := D.Data[o:][:len(dst)]
		r1 := D.Data[o+D.Stride:][:len(dst)]
		r2 := D.Data[o+2*D.Stride:][:len(dst)]
		r3 := D.Data[o+3*D.Stride:][:len(dst)]
		for j, s := range dst {
			dst[j] = s + r0[j] + r1[j] + r2[j] + r3[j]
		}
	}
	for ; r < D.Rows; r++ {
		for j, v := range D.Data[r*D.Stride : r*D.Stride+len(dst)] {
			dst[j] += v
		}
	}
}
