package nn

import (
	"fmt"
	"math"
	"sync"
)

// GraphSupervised32 is GraphSupervised computed in mixed precision: the opt-in float32
// compute path of a Graph, with the same contract (float64 parameters in, float64 loss and
// gradient out; StatefulObjective, MinBatch, EvalOn, Accuracy, MarshalState), so that the
// optimizers of package sam and their Train take it unchanged.
//
// What runs in float32: the inputs (the rows of Data.X rounded when a pass gathers them),
// the parameters of the convolutions and Dense layers (w rounded on every call: the
// float64 w stays the master copy that the optimizer updates), the activations and their
// errors, every matrix product (im2col and internal/gemm's Sgemm), ReLU, residual
// additions and pooling. What stays float64: the batch statistics of BatchNorm (sums of
// the float32 values in float64) and its normalisation (formed in float64 from the float32
// value and the float64 γ, β, rounded once), the running statistics, the global average
// pool's sums, the loss and its derivative with respect to the outputs (the outputs are
// widened, Loss.Eval runs in float64), the sums over samples of the bias, γ and β
// gradients, the sums over chunks of every parameter gradient, and the gradient returned.
//
// Each float32 product of length k is accurate to about k·2⁻²⁴ of Σ|a||b|; the tests
// (graph32_test.go) bound the difference to GraphSupervised entry by entry by a running
// first-order error analysis. The samples of a call are coupled and batched exactly as in
// GraphSupervised, the running statistics move only in LossGradUpdate, and results are the
// same bits for any GOMAXPROCS and kernel level on one architecture (Go fuses the
// multiply-adds of the elementwise loops on arm64, not on amd64). The graph must have float32 kernels for all its nodes
// (all built-in layers have them); NewGraphSupervised32 returns an error naming a node without.
//
// GraphSupervised32 has no Hessian-vector product or per-sample gradients: those methods
// exist on GraphSupervised only, so asking for them here is a compile-time error.
//
// Methods other than LossGradUpdate are safe for concurrent use and do not allocate in
// steady state. Net, Data, Loss, Seed and Eval must not change during a call.
type GraphSupervised32 struct {
	Net   *Graph
	Data  *Dataset
	Loss  Loss
	State *GraphState
	Eval  bool
	Seed  uint64 // seed of the dropout streams

	mu  sync.Mutex
	wss capPool[graphWS32, *graphWS32]
}

// NewGraphSupervised32 returns the mixed-precision objective of g on data under loss in
// training mode, with a new state, after the checks of NewGraphSupervised, a check that g
// has float32 kernels, and a check that every input is finite in float32.
func NewGraphSupervised32(g *Graph, data *Dataset, loss Loss) (*GraphSupervised32, error) {
	s, err := NewGraphSupervised(g, data, loss)
	if err != nil {
		return nil, err
	}
	if err := g.check32(); err != nil {
		return nil, err
	}
	X := data.X.RawMatrix()
	for i := range X.Rows {
		for j, v := range X.Data[i*X.Stride : i*X.Stride+X.Cols] {
			if math.IsInf(float64(float32(v)), 0) {
				return nil, fmt.Errorf("nn: Dataset.X[%d][%d] = %g overflows float32", i, j, v)
			}
		}
	}
	return &GraphSupervised32{Net: g, Data: data, Loss: loss, State: s.State}, nil
}

// EvalOn returns an objective in evaluation mode on data that shares s's network, loss,
// seed and state (so it sees the running statistics as training moves them).
func (s *GraphSupervised32) EvalOn(data *Dataset) (*GraphSupervised32, error) {
	e, err := NewGraphSupervised32(s.Net, data, s.Loss)
	if err != nil {
		return nil, err
	}
	e.State, e.Eval, e.Seed = s.State, true, s.Seed
	return e, nil
}

// Dim is the number of parameters.
func (s *GraphSupervised32) Dim() int { return s.Net.NumParams() }

// Len is the number of samples.
func (s *GraphSupervised32) Len() int { return s.Data.Len() }

// MinBatch is GraphSupervised.MinBatch: 2 in training mode with BatchNorm, else 1.
func (s *GraphSupervised32) MinBatch() int {
	if s.coupled() {
		return 2
	}
	return 1
}

func (s *GraphSupervised32) coupled() bool { return s.obj().coupled() }

// obj returns what a pass reads of s.
func (s *GraphSupervised32) obj() graphObj {
	return graphObj{net: s.Net, data: s.Data, loss: s.Loss, state: s.State, eval: s.Eval, seed: s.Seed, name: "GraphSupervised32"}
}

// f64 returns a GraphSupervised sharing s's graph and state, for the state methods.
func (s *GraphSupervised32) f64() *GraphSupervised {
	return &GraphSupervised{Net: s.Net, Data: s.Data, Loss: s.Loss, State: s.State, Eval: s.Eval, Seed: s.Seed}
}

// MarshalState is GraphSupervised.MarshalState (the same bytes).
func (s *GraphSupervised32) MarshalState() ([]byte, error) { return s.f64().MarshalState() }

// UnmarshalState is GraphSupervised.UnmarshalState.
func (s *GraphSupervised32) UnmarshalState(b []byte) error { return s.f64().UnmarshalState(b) }

// LossGrad returns (1/|idx|)Σ_{i∈idx} ℓᵢ(w) and, unless grad is nil, writes its gradient
// into grad, computed in mixed precision. It panics if idx is empty, or has one sample in
// training mode with BatchNorm.
func (s *GraphSupervised32) LossGrad(grad, w []float64, idx []int) float64 {
	return graphLossGrad(s.obj(), &s.wss, prec32{}, grad, w, idx)
}

// LossGradUpdate implements StatefulObjective as GraphSupervised.LossGradUpdate does:
// State.Step is incremented, LossGrad runs at the new step and, in training mode, each
// BatchNorm's running statistics move toward the batch's (float64 statistics).
func (s *GraphSupervised32) LossGradUpdate(grad, w []float64, idx []int) float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return graphLossGradUpdate(s.obj(), &s.wss, prec32{}, grad, w, idx)
}

// Losses writes ℓ_{idx[k]}(w) into dst[k], computed in mixed precision.
func (s *GraphSupervised32) Losses(dst, w []float64, idx []int) {
	graphLosses(s.obj(), &s.wss, prec32{}, dst, w, idx)
}

// Accuracy returns the fraction of samples idx whose largest output (computed in mixed
// precision) is at their label (NaN if an output is NaN). It needs Data.Labels.
func (s *GraphSupervised32) Accuracy(w []float64, idx []int) float64 {
	return graphAccuracy(s.obj(), &s.wss, prec32{}, w, idx)
}
