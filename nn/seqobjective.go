package nn

import (
	"fmt"

	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// SeqSupervised is the empirical risk L(w) = (1/n)Σᵢ ℓ(f_w(xᵢ), tᵢ) of a Sequential
// network on a data set whose rows are the samples in the HWC layout of Net.In, the
// counterpart of Supervised for convolutional networks. It implements Objective and, like
// Supervised, PerSampleGradNorms, LossGradNorms and PerSampleGrads. Its methods are safe
// for concurrent use (each chunk of a call takes scratch space from an internal free list,
// which keeps it across calls) and do not allocate in steady state. Net, Data and Loss
// must not change after construction.
//
// HVP computes exact Hessian-vector products by the R-operator (a HessianVectorProducer,
// so nn.HVP and Hessian.MulVec use it).
type SeqSupervised struct {
	Net  *Sequential
	Data *Dataset
	Loss Loss

	states freeList[seqState]
	runs   freeList[seqRun]
}

// seqState is the scratch of one call.
type seqState struct {
	ws     *seqWorkspace
	losses []float64
	norm   seqNormTask
}

// NewSeqSupervised returns the objective of net on data under loss, after checking that
// they fit together (input size, targets, finiteness of the data).
func NewSeqSupervised(net *Sequential, data *Dataset, loss Loss) (*SeqSupervised, error) {
	if net == nil || len(net.stages) == 0 {
		return nil, fmt.Errorf("nn: SeqSupervised.Net is nil or not built by NewSequential")
	}
	if err := data.Validate(); err != nil {
		return nil, err
	}
	if data.Dim() != net.InDim() {
		return nil, fmt.Errorf("nn: Dataset.X has %d columns, network input %v has %d values", data.Dim(), net.In, net.InDim())
	}
	if loss == nil {
		return nil, fmt.Errorf("nn: SeqSupervised.Loss is nil")
	}
	if err := loss.Check(net.OutDim(), data); err != nil {
		return nil, err
	}
	return &SeqSupervised{Net: net, Data: data, Loss: loss}, nil
}

// Dim is the number of network parameters.
func (s *SeqSupervised) Dim() int { return s.Net.NumParams() }

// Len is the number of samples.
func (s *SeqSupervised) Len() int { return s.Data.Len() }

func (s *SeqSupervised) get() *seqState {
	if st := s.states.get(); st != nil {
		return st
	}
	st := &seqState{ws: s.Net.newWorkspace(seqChunk), losses: make([]float64, seqChunk)}
	st.norm.st = st
	return st
}

func (s *SeqSupervised) put(st *seqState) { s.states.put(st) }

// pass gathers the rows idx (len <= seqChunk), runs the forward pass and the loss: the
// per-sample losses go to st.losses and, if wantGrad, scale·∂ℓ/∂out to the output errors
// of the workspace. It returns the network output.
func (s *SeqSupervised) pass(st *seqState, w []float64, idx []int, wantGrad bool, scale float64) []float64 {
	ws := st.ws
	ws.batch = len(idx)
	X := s.Data.X.RawMatrix()
	n := X.Cols
	for r, i := range idx {
		if i < 0 || i >= X.Rows {
			panic(fmt.Sprintf("nn: sample index %d out of range [0, %d)", i, X.Rows))
		}
		copy(ws.x[r*n:(r+1)*n], X.Data[i*X.Stride:i*X.Stride+n])
	}
	out := s.Net.forward(ws, w)
	K, B := s.Net.OutDim(), len(idx)
	O := general(B, K, out)
	var dOut blas64.General
	if wantGrad {
		dOut = general(B, K, ws.d[len(ws.d)-1])
	}
	s.Loss.Eval(st.losses[:B], dOut, scale, O, s.Data, idx)
	return out
}

// LossGrad returns (1/|idx|)Σ_{i∈idx} ℓᵢ(w) and, unless grad is nil, writes its gradient
// into grad. It panics if idx is empty.
func (s *SeqSupervised) LossGrad(grad, w []float64, idx []int) float64 {
	if len(idx) == 0 {
		panic("nn: LossGrad with empty idx")
	}
	r := s.getRun()
	defer s.putRun(r)
	inv := 1 / float64(len(idx))
	r.w, r.idx, r.scale, r.wantGrad = w, idx, inv, grad != nil
	return r.exec(grad) * inv
}

// Losses writes ℓ_{idx[k]}(w) into dst[k].
func (s *SeqSupervised) Losses(dst, w []float64, idx []int) {
	if len(dst) != len(idx) {
		panic(fmt.Sprintf("nn: len(dst) = %d, want len(idx) = %d", len(dst), len(idx)))
	}
	r := s.getRun()
	defer s.putRun(r)
	r.w, r.idx, r.forward, r.losses = w, idx, true, dst
	r.exec(nil)
}

// Accuracy returns the fraction of samples idx whose largest output is at the index of
// their label (ties go to the smallest index). It needs Data.Labels. It returns NaN if an
// output is NaN (for example at NaN parameters), where no class is largest.
func (s *SeqSupervised) Accuracy(w []float64, idx []int) float64 {
	if s.Data.Labels == nil {
		panic("nn: Accuracy needs Dataset.Labels")
	}
	if len(idx) == 0 {
		panic("nn: Accuracy with empty idx")
	}
	r := s.getRun()
	defer s.putRun(r)
	r.w, r.idx, r.forward, r.correct = w, idx, true, true
	return r.exec(nil) / float64(len(idx))
}

// Predict writes the network outputs f_w(x_{idx[k]}) into row k of dst (len(idx)×OutDim).
func (s *SeqSupervised) Predict(dst *mat.Dense, w []float64, idx []int) {
	K := s.Net.OutDim()
	if r, c := dst.Dims(); r != len(idx) || c != K {
		panic(fmt.Sprintf("nn: Predict dst is %d×%d, want %d×%d", r, c, len(idx), K))
	}
	r := s.getRun()
	defer s.putRun(r)
	r.w, r.idx, r.forward, r.pred = w, idx, true, dst.RawMatrix()
	r.exec(nil)
}
