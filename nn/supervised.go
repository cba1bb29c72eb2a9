package nn

import (
	"fmt"
	"math"
	"sync"

	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// chunkRows bounds the rows of one batched pass; larger index sets are processed in
// chunks of this size so that memory stays bounded on full-dataset evaluations.
const chunkRows = 1024

// Supervised is the empirical risk of a network on a data set,
//
//	L(w) = (1/n) Σᵢ ℓ(f_w(xᵢ), tᵢ),
//
// and implements Objective. Net, Data and Loss must not change after construction.
// Its methods are safe for concurrent use (each call takes scratch space from an internal
// pool) and do not allocate in steady state.
type Supervised struct {
	Net  *MLP
	Data *Dataset
	Loss Loss

	pool sync.Pool
}

// supState is the scratch of one call.
type supState struct {
	ws     *Workspace
	dOut   []float64
	losses []float64
	a2, q  []float64 // per-sample norm scratch
	mf     []float64 // Mask as 0/1 floats

	rz, ra, rd [][]float64 // R{z_l}, R{a_l}, R{e_l} of the R-operator (see HVP)
	vm         []float64   // v⊙Mask
	fd         Hessian     // central-difference fallback of HVP
}

// NewSupervised returns the objective of net on data under loss, after checking that
// they fit together (input width, targets, finiteness of the data).
func NewSupervised(net *MLP, data *Dataset, loss Loss) (*Supervised, error) {
	if net == nil {
		return nil, fmt.Errorf("nn: Supervised.Net is nil")
	}
	if err := net.Validate(); err != nil {
		return nil, err
	}
	if err := data.Validate(); err != nil {
		return nil, err
	}
	if data.Dim() != net.InDim() {
		return nil, fmt.Errorf("nn: Dataset.X has %d columns, network input width is %d", data.Dim(), net.InDim())
	}
	if loss == nil {
		return nil, fmt.Errorf("nn: Supervised.Loss is nil")
	}
	if err := loss.Check(net.OutDim(), data); err != nil {
		return nil, err
	}
	return &Supervised{Net: net, Data: data, Loss: loss}, nil
}

// Dim is the number of network parameters.
func (s *Supervised) Dim() int { return s.Net.NumParams() }

// Len is the number of samples.
func (s *Supervised) Len() int { return s.Data.Len() }

func (s *Supervised) get() *supState {
	if st, ok := s.pool.Get().(*supState); ok {
		return st
	}
	return &supState{ws: s.Net.NewWorkspace(min(chunkRows, 128))}
}

func (s *Supervised) put(st *supState) { s.pool.Put(st) }

// pass runs forward and loss on the rows idx (len <= chunkRows): it writes the per-sample
// losses into st.losses[:len(idx)] and, if wantGrad, scale·∂ℓ/∂out into st.dOut. It returns
// the network output.
func (s *Supervised) pass(st *supState, w []float64, idx []int, wantGrad bool, scale float64) (out, dOut blas64.General) {
	B := len(idx)
	out = s.outputs(st, w, idx)
	if cap(st.losses) < B {
		st.losses = make([]float64, st.ws.cap)
	}
	if wantGrad {
		if len(st.dOut) < B*out.Cols {
			st.dOut = make([]float64, st.ws.cap*out.Cols)
		}
		dOut = general(B, out.Cols, st.dOut)
	}
	s.Loss.Eval(st.losses[:B], dOut, scale, out, s.Data, idx)
	return out, dOut
}

// LossGrad returns (1/|idx|)Σ_{i∈idx} ℓᵢ(w) and, unless grad is nil, writes its gradient
// into grad. It panics if idx is empty.
func (s *Supervised) LossGrad(grad, w []float64, idx []int) float64 {
	if len(idx) == 0 {
		panic("nn: LossGrad with empty idx")
	}
	st := s.get()
	defer s.put(st)
	inv := 1 / float64(len(idx))
	total := 0.0
	for start := 0; start < len(idx); start += chunkRows {
		sub := idx[start:min(start+chunkRows, len(idx))]
		_, dOut := s.pass(st, w, sub, grad != nil, inv)
		for _, v := range st.losses[:len(sub)] {
			total += v
		}
		if grad != nil {
			s.Net.backward(grad, start > 0, blas64.General{}, w, dOut, st.ws)
		}
	}
	return total * inv
}

// Losses writes ℓ_{idx[k]}(w) into dst[k].
func (s *Supervised) Losses(dst, w []float64, idx []int) {
	if len(dst) != len(idx) {
		panic(fmt.Sprintf("nn: len(dst) = %d, want len(idx) = %d", len(dst), len(idx)))
	}
	st := s.get()
	defer s.put(st)
	for start := 0; start < len(idx); start += chunkRows {
		sub := idx[start:min(start+chunkRows, len(idx))]
		s.pass(st, w, sub, false, 1)
		copy(dst[start:], st.losses[:len(sub)])
	}
}

// Accuracy returns the fraction of samples idx whose largest output is at the index of
// their label, (1/|idx|) Σ [argmax_k f_k(xᵢ) = yᵢ] (ties go to the smallest k). It needs
// Data.Labels. It returns NaN if an output is NaN (for example at NaN parameters), where
// no class is largest.
func (s *Supervised) Accuracy(w []float64, idx []int) float64 {
	if s.Data.Labels == nil {
		panic("nn: Accuracy needs Dataset.Labels")
	}
	if len(idx) == 0 {
		panic("nn: Accuracy with empty idx")
	}
	st := s.get()
	defer s.put(st)
	correct := 0
	for start := 0; start < len(idx); start += chunkRows {
		sub := idx[start:min(start+chunkRows, len(idx))]
		out := s.outputs(st, w, sub)
		for r, i := range sub {
			switch argmax(out.Data[r*out.Stride : r*out.Stride+out.Cols]) {
			case -1:
				return math.NaN()
			case s.Data.Labels[i]:
				correct++
			}
		}
	}
	return float64(correct) / float64(len(idx))
}

// outputs gathers the rows idx (len <= chunkRows) of X and runs the forward pass on them.
func (s *Supervised) outputs(st *supState, w []float64, idx []int) blas64.General {
	x := st.ws.input(len(idx))
	X := s.Data.X.RawMatrix()
	for r, i := range idx {
		if i < 0 || i >= X.Rows {
			panic(fmt.Sprintf("nn: sample index %d out of range [0, %d)", i, X.Rows))
		}
		copy(x.Data[r*x.Cols:(r+1)*x.Cols], X.Data[i*X.Stride:i*X.Stride+X.Cols])
	}
	return s.Net.forward(st.ws, w, x)
}

// argmax returns the index of the largest entry of v (ties go to the smallest index), or
// −1 if v holds a NaN, which has no place in the order.
func argmax(v []float64) int {
	best := 0
	for k, x := range v {
		if math.IsNaN(x) {
			return -1
		}
		if x > v[best] {
			best = k
		}
	}
	return best
}

// Predict writes the network outputs f_w(x_{idx[k]}) into row k of dst (len(idx)×OutDim).
func (s *Supervised) Predict(dst *mat.Dense, w []float64, idx []int) {
	r, c := dst.Dims()
	if r != len(idx) || c != s.Net.OutDim() {
		panic(fmt.Sprintf("nn: Predict dst is %d×%d, want %d×%d", r, c, len(idx), s.Net.OutDim()))
	}
	st := s.get()
	defer s.put(st)
	for start := 0; start < len(idx); start += chunkRows {
		sub := idx[start:min(start+chunkRows, len(idx))]
		out := s.outputs(st, w, sub)
		for k := range sub {
			copy(dst.RawRowView(start+k), out.Data[k*c:(k+1)*c])
		}
	}
}
