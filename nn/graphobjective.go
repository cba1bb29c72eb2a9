package nn

import (
	"fmt"
	"sync"

	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// StatefulObjective is an Objective whose model has state besides the parameters, which
// training advances: the running statistics of batch normalisation and the step index of
// dropout streams. LossGrad and Losses never change the state; one call of
// LossGradUpdate per training step does. The optimizers of package sam call
// LossGradUpdate once per step, for the first clean pass at the unperturbed parameters
// (SGD, Adam, SAM), or as a forward-only pass on the whole batch before the step's other
// passes (m-SAM, n-SAM, RW-SAM), so ascent and perturbed passes leave the statistics alone.
type StatefulObjective interface {
	Objective
	// LossGradUpdate opens a new training step (dropout streams of the next step index)
	// and returns LossGrad(grad, w, idx) in it (grad nil: the forward pass only); then it
	// moves the running statistics toward the statistics of the batch idx. It must not
	// run concurrently with other calls on the same state.
	LossGradUpdate(grad, w []float64, idx []int) float64
}

// GraphState is the model state of a GraphSupervised: for each BatchNorm node in node
// order its running mean and variance (C values each; a new state holds 0 and 1), and the
// number of training steps taken, which indexes the dropout streams.
type GraphState struct {
	Mean, Var [][]float64
	Step      uint64
}

// NewGraphState returns the initial state of g: running means 0, variances 1, Step 0.
func NewGraphState(g *Graph) *GraphState {
	st := &GraphState{}
	for j := range g.nodes {
		if gn := &g.nodes[j]; gn.kind == gBN {
			v := make([]float64, gn.out.C)
			for c := range v {
				v[c] = 1
			}
			st.Mean = append(st.Mean, make([]float64, gn.out.C))
			st.Var = append(st.Var, v)
		}
	}
	return st
}

// GraphSupervised is the empirical risk of a Graph on a data set, the counterpart of
// SeqSupervised, in training mode (Eval false: BatchNorm uses the statistics of the batch
// idx of each call and Dropout drops) or evaluation mode (Eval true: BatchNorm uses the
// running statistics of State and Dropout is the identity).
//
// In training mode with BatchNorm the samples of a call are coupled: ℓᵢ depends on every
// sample of idx through the batch statistics. A call runs the whole of idx as one batch
// (its memory grows with |idx|); otherwise calls run in blocks of graphBlock samples. The
// per-sample gradient (PerSampleGrads) is then the exact derivative ∂ℓᵢ/∂w of sample i's
// loss within the batch, statistics included, so that the mean of the rows is LossGrad's
// gradient.
//
// HVP is exact: the R-operator through every layer, BatchNorm's batch statistics included.
//
// Methods other than LossGradUpdate are safe for concurrent use and do not allocate in
// steady state. Net, Data, Loss, Seed and Eval must not change during a call.
type GraphSupervised struct {
	Net   *Graph
	Data  *Dataset
	Loss  Loss
	State *GraphState
	Eval  bool
	Seed  uint64 // seed of the dropout streams

	mu   sync.Mutex
	wss  wsPool
	rops freeList[graphR]
}

// graphBlock is the number of samples of one block of a call whose samples are
// independent (evaluation mode, or no BatchNorm).
const graphBlock = 64

// NewGraphSupervised returns the objective of g on data under loss in training mode,
// with a new state, after checking that they fit together.
func NewGraphSupervised(g *Graph, data *Dataset, loss Loss) (*GraphSupervised, error) {
	if g == nil || len(g.nodes) == 0 {
		return nil, fmt.Errorf("nn: GraphSupervised.Net is nil or not built by NewGraph")
	}
	if err := data.Validate(); err != nil {
		return nil, err
	}
	if data.Dim() != g.InDim() {
		return nil, fmt.Errorf("nn: Dataset.X has %d columns, graph input %v has %d values", data.Dim(), g.In, g.InDim())
	}
	if loss == nil {
		return nil, fmt.Errorf("nn: GraphSupervised.Loss is nil")
	}
	if err := loss.Check(g.OutDim(), data); err != nil {
		return nil, err
	}
	return &GraphSupervised{Net: g, Data: data, Loss: loss, State: NewGraphState(g)}, nil
}

// EvalOn returns an objective in evaluation mode on data that shares s's network, loss,
// seed and state (so it sees the running statistics as training moves them).
func (s *GraphSupervised) EvalOn(data *Dataset) (*GraphSupervised, error) {
	e, err := NewGraphSupervised(s.Net, data, s.Loss)
	if err != nil {
		return nil, err
	}
	e.State, e.Eval, e.Seed = s.State, true, s.Seed
	return e, nil
}

// Dim is the number of parameters.
func (s *GraphSupervised) Dim() int { return s.Net.NumParams() }

// MinBatch is the smallest number of samples a call accepts: 2 in training mode with
// BatchNorm (a one-sample batch has no spread to normalise by), else 1. Package sam checks
// its batches and micro-batches against it and returns an error instead of the panic.
func (s *GraphSupervised) MinBatch() int {
	if s.coupled() {
		return 2
	}
	return 1
}

// Len is the number of samples.
func (s *GraphSupervised) Len() int { return s.Data.Len() }

// get returns scratch for a call on idx: of the kept workspaces, the smallest that holds
// a block of the call, so that the micro-batch passes of m-SAM do not take (and grow) the
// whole-batch workspace of its state pass.
func (s *GraphSupervised) get(idx []int) *graphWS { return getGraphWS(s.obj(), &s.wss, idx, prec64{}) }

// coupled reports whether the samples of a call are coupled (BatchNorm in training mode).
func (s *GraphSupervised) coupled() bool { return s.obj().coupled() }

func (s *GraphSupervised) checkState() { s.obj().checkState() }

// obj returns what a pass reads of s.
func (s *GraphSupervised) obj() graphObj {
	return graphObj{net: s.Net, data: s.Data, loss: s.Loss, state: s.State, eval: s.Eval, seed: s.Seed, name: "GraphSupervised"}
}

// run evaluates the loss over idx, in blocks unless coupled: the per-sample losses go to
// losses (unless nil), the mean gradient to grad (unless nil), the hit count is returned
// in place of the loss sum when acc is set. It returns the loss sum.
func (s *GraphSupervised) run(ws *graphWS, grad, losses, w []float64, idx []int, step uint64, acc bool) float64 {
	return runGraph(s.obj(), ws, grad, losses, w, idx, step, acc, blas64.General{})
}

// pass gathers the rows idx, runs the forward pass at w and the loss: per-sample losses to
// ws.losses and, if wantGrad, scale·∂ℓ/∂out to the output errors. It returns the output.
func (s *GraphSupervised) pass(ws *graphWS, w []float64, idx []int, step uint64, wantGrad bool, scale float64) []float64 {
	ws.w = w
	ws.fuse = false // the R-operators read every node's value
	return passGraph(s.obj(), ws, idx, step, wantGrad, scale)
}

// LossGrad returns (1/|idx|)Σ_{i∈idx} ℓᵢ(w) and, unless grad is nil, writes its gradient
// into grad. It panics if idx is empty, or has one sample in training mode with BatchNorm.
func (s *GraphSupervised) LossGrad(grad, w []float64, idx []int) float64 {
	return graphLossGrad(s.obj(), &s.wss, prec64{}, grad, w, idx)
}

// LossGradUpdate implements StatefulObjective: State.Step is incremented, LossGrad runs
// at the new step and, in training mode, each BatchNorm's running statistics move toward
// the batch's: μ_r ← (1−m)μ_r + m·μ, σ²_r ← (1−m)σ²_r + m·σ²·N/(N−1).
func (s *GraphSupervised) LossGradUpdate(grad, w []float64, idx []int) float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return graphLossGradUpdate(s.obj(), &s.wss, prec64{}, grad, w, idx)
}

// Losses writes ℓ_{idx[k]}(w) into dst[k].
func (s *GraphSupervised) Losses(dst, w []float64, idx []int) {
	graphLosses(s.obj(), &s.wss, prec64{}, dst, w, idx)
}

// Accuracy returns the fraction of samples idx whose largest output is at their label
// (NaN if an output is NaN). It needs Data.Labels.
func (s *GraphSupervised) Accuracy(w []float64, idx []int) float64 {
	return graphAccuracy(s.obj(), &s.wss, prec64{}, w, idx)
}

// Predict writes the network outputs f_w(x_{idx[k]}) into row k of dst (len(idx)×OutDim),
// in the objective's mode (in training mode with BatchNorm, normalised with the statistics
// of the batch idx).
func (s *GraphSupervised) Predict(dst *mat.Dense, w []float64, idx []int) {
	K := s.Net.OutDim()
	if r, c := dst.Dims(); r != len(idx) || c != K {
		panic(fmt.Sprintf("nn: Predict dst is %d×%d, want %d×%d", r, c, len(idx), K))
	}
	if len(idx) == 0 {
		return
	}
	ws := s.get(idx)
	defer s.wss.put(ws)
	runGraph(s.obj(), ws, nil, nil, w, idx, s.State.Step, false, dst.RawMatrix())
}

// PerSampleGrads writes ∇ℓ_{idx[k]}(w) into row k of dst (len(idx)×Dim()), where in
// training mode with BatchNorm ℓ_{idx[k]} is sample k's loss within the batch idx, its
// derivative taken through the batch statistics too (the rows then average to LossGrad's
// gradient). It runs one forward pass and one backward pass per sample.
func (s *GraphSupervised) PerSampleGrads(dst *mat.Dense, w []float64, idx []int) {
	r, c := dst.Dims()
	if r != len(idx) || c != s.Dim() {
		panic(fmt.Sprintf("nn: PerSampleGrads dst is %d×%d, want %d×%d", r, c, len(idx), s.Dim()))
	}
	ws := s.get(idx)
	defer s.wss.put(ws)
	s.Net.checkParams(w)
	ws.w, ws.fuse = w, false
	block := graphBlock
	if s.coupled() {
		block = len(idx)
	}
	G := dst.RawMatrix()
	K := s.Net.OutDim()
	for lo := 0; lo < len(idx); lo += block {
		sub := idx[lo:min(lo+block, len(idx))]
		passGraph(s.obj(), ws, sub, s.State.Step, true, 1)
		B := len(sub)
		copy(ws.dout[:B*K], ws.d[len(ws.d)-1][:B*K])
		for k := range B {
			last := ws.d[len(ws.d)-1] // the backward pass may swap buffers (Add)
			clear(last[:B*K])
			copy(last[k*K:(k+1)*K], ws.dout[k*K:(k+1)*K])
			ws.grad = G.Data[(lo+k)*G.Stride : (lo+k)*G.Stride+c]
			ws.backward()
		}
		ws.grad = nil
	}
}
