package nn

import (
	"fmt"
	"math"
	"sync"

	"gonum.org/v1/gonum/blas/blas64"
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

func (s *GraphSupervised32) coupled() bool { return s.Net.hasBN && !s.Eval }

// f64 returns a GraphSupervised sharing s's graph and state, for the state methods.
func (s *GraphSupervised32) f64() *GraphSupervised {
	return &GraphSupervised{Net: s.Net, Data: s.Data, Loss: s.Loss, State: s.State, Eval: s.Eval, Seed: s.Seed}
}

// MarshalState is GraphSupervised.MarshalState (the same bytes).
func (s *GraphSupervised32) MarshalState() ([]byte, error) { return s.f64().MarshalState() }

// UnmarshalState is GraphSupervised.UnmarshalState.
func (s *GraphSupervised32) UnmarshalState(b []byte) error { return s.f64().UnmarshalState(b) }

// get returns scratch for a call on idx: of the kept workspaces, the smallest that holds
// a block of the call (GraphSupervised.get).
func (s *GraphSupervised32) get(idx []int) *graphWS32 {
	rows := len(idx)
	if !s.coupled() {
		rows = min(rows, graphBlock)
	}
	if ws := s.wss.get(rows); ws != nil {
		return ws
	}
	return s.Net.newWS32()
}

// run evaluates the loss over idx, in blocks unless coupled: per-sample losses to losses
// (unless nil), the mean gradient to grad (unless nil), the network outputs to the rows of
// pred (unless its Data is nil), the hit count in place of the loss sum when acc is set.
// It returns the loss sum.
func (s *GraphSupervised32) run(ws *graphWS32, grad, losses, w []float64, idx []int, step uint64, acc bool, pred blas64.General) float64 {
	s.Net.checkParams(w)
	if grad != nil && len(grad) != len(w) {
		panic(fmt.Sprintf("nn: len(grad) = %d, want %d", len(grad), len(w)))
	}
	if st := s.State; st == nil || len(st.Mean) != s.Net.nbn || len(st.Var) != s.Net.nbn {
		panic("nn: GraphSupervised32.State is nil or does not match the graph's BatchNorm nodes")
	}
	ws.setParams(w)
	block := graphBlock
	if s.coupled() {
		block = len(idx)
	}
	scale := 1 / float64(len(idx))
	total := 0.0
	K := s.Net.OutDim()
	for lo := 0; lo < len(idx); lo += block {
		sub := idx[lo:min(lo+block, len(idx))]
		g := grad
		if lo > 0 && grad != nil {
			g = ws.gblk
		}
		s.pass(ws, sub, step, g != nil, scale)
		B := len(sub)
		if losses != nil {
			copy(losses[lo:], ws.losses[:B])
		}
		if pred.Data != nil {
			for k := range B {
				copy(pred.Data[(lo+k)*pred.Stride:(lo+k)*pred.Stride+K], ws.out[k*K:(k+1)*K])
			}
		}
		if acc {
			for k, i := range sub {
				switch argmax(ws.out[k*K : (k+1)*K]) {
				case -1:
					return math.NaN()
				case s.Data.Labels[i]:
					total++
				}
			}
		} else {
			for _, v := range ws.losses[:B] {
				total += v
			}
		}
		if g != nil {
			ws.grad = g
			s.Net.backward32(ws)
			ws.grad = nil
			if lo > 0 {
				addTo(grad, g)
			}
		}
	}
	return total
}

// pass gathers the rows idx (rounded to float32), runs the forward pass and the loss:
// per-sample losses to ws.losses, outputs (widened) to ws.out and, if wantGrad,
// scale·∂ℓ/∂out (rounded) to the output errors.
func (s *GraphSupervised32) pass(ws *graphWS32, idx []int, step uint64, wantGrad bool, scale float64) {
	ws.ensure(len(idx))
	ws.batch, ws.idx = len(idx), idx
	ws.train, ws.seed, ws.step = !s.Eval, s.Seed, step
	ws.rmean, ws.rvar = s.State.Mean, s.State.Var
	X := s.Data.X.RawMatrix()
	n := X.Cols
	for r, i := range idx {
		if i < 0 || i >= X.Rows {
			panic(fmt.Sprintf("nn: sample index %d out of range [0, %d)", i, X.Rows))
		}
		dst := ws.val[0][r*n : (r+1)*n]
		for j, v := range X.Data[i*X.Stride : i*X.Stride+n] {
			dst[j] = float32(v)
		}
	}
	out := s.Net.forward32(ws)
	B, K := len(idx), s.Net.OutDim()
	for i, v := range out {
		ws.out[i] = float64(v)
	}
	var dOut blas64.General
	if wantGrad {
		dOut = general(B, K, ws.dout)
	}
	s.Loss.Eval(ws.losses[:B], dOut, scale, general(B, K, ws.out[:B*K]), s.Data, idx)
	if wantGrad {
		last := ws.d[len(ws.d)-1]
		for i, v := range ws.dout[:B*K] {
			last[i] = float32(v)
		}
	}
}

// LossGrad returns (1/|idx|)Σ_{i∈idx} ℓᵢ(w) and, unless grad is nil, writes its gradient
// into grad, computed in mixed precision. It panics if idx is empty, or has one sample in
// training mode with BatchNorm.
func (s *GraphSupervised32) LossGrad(grad, w []float64, idx []int) float64 {
	if len(idx) == 0 {
		panic("nn: LossGrad with empty idx")
	}
	ws := s.get(idx)
	defer s.wss.put(ws)
	return s.run(ws, grad, nil, w, idx, s.State.Step, false, blas64.General{}) / float64(len(idx))
}

// LossGradUpdate implements StatefulObjective as GraphSupervised.LossGradUpdate does:
// State.Step is incremented, LossGrad runs at the new step and, in training mode, each
// BatchNorm's running statistics move toward the batch's (float64 statistics).
func (s *GraphSupervised32) LossGradUpdate(grad, w []float64, idx []int) float64 {
	if len(idx) == 0 {
		panic("nn: LossGradUpdate with empty idx")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.State.Step++
	ws := s.get(idx)
	defer s.wss.put(ws)
	loss := s.run(ws, grad, nil, w, idx, s.State.Step, false, blas64.General{}) / float64(len(idx))
	if s.coupled() {
		s.Net.updateRunning(s.State, ws.mean, ws.vari, len(idx))
	}
	return loss
}

// updateRunning moves the running statistics of st toward the batch statistics mean and
// vari (indexed by node) of a batch of b samples: μ_r ← (1−m)μ_r + m·μ,
// σ²_r ← (1−m)σ²_r + m·σ²·N/(N−1), N = b·H·W.
func (g *Graph) updateRunning(st *GraphState, mean, vari [][]float64, b int) {
	for j := range g.nodes {
		gn := &g.nodes[j]
		if gn.kind != gBN {
			continue
		}
		N := float64(b * gn.out.H * gn.out.W)
		m := gn.mom
		rm, rv := st.Mean[gn.bn], st.Var[gn.bn]
		for c := range rm {
			rm[c] = (1-m)*rm[c] + m*mean[j][c]
			rv[c] = (1-m)*rv[c] + m*vari[j][c]*N/(N-1)
		}
	}
}

// Losses writes ℓ_{idx[k]}(w) into dst[k], computed in mixed precision.
func (s *GraphSupervised32) Losses(dst, w []float64, idx []int) {
	if len(dst) != len(idx) {
		panic(fmt.Sprintf("nn: len(dst) = %d, want len(idx) = %d", len(dst), len(idx)))
	}
	if len(idx) == 0 {
		return
	}
	ws := s.get(idx)
	defer s.wss.put(ws)
	s.run(ws, nil, dst, w, idx, s.State.Step, false, blas64.General{})
}

// Accuracy returns the fraction of samples idx whose largest output (computed in mixed
// precision) is at their label (NaN if an output is NaN). It needs Data.Labels.
func (s *GraphSupervised32) Accuracy(w []float64, idx []int) float64 {
	if s.Data.Labels == nil {
		panic("nn: Accuracy needs Dataset.Labels")
	}
	if len(idx) == 0 {
		panic("nn: Accuracy with empty idx")
	}
	ws := s.get(idx)
	defer s.wss.put(ws)
	return s.run(ws, nil, nil, w, idx, s.State.Step, true, blas64.General{}) / float64(len(idx))
}
