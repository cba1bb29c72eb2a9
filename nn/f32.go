package nn

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/blas/blas64"

	igemm "github.com/sdeml/sdeml/internal/gemm"
)

// Supervised32 is the empirical risk of Supervised, L(w) = (1/n)Σᵢ ℓ(f_w(xᵢ), tᵢ), computed
// in mixed precision: an opt-in float32 compute path for training, with the same
// Objective contract (float64 parameters in, float64 loss and gradient out), so every
// optimizer of package sam takes it unchanged.
//
// What runs in float32: the inputs (Data.X rounded once, at construction), the
// parameters (w rounded to float32 on every call: the float64 w stays the master copy that
// the optimizer updates), the activations, the output errors and every matrix product
// (internal/gemm's Sgemm: float32 FMA chains, twice the vector lanes of float64). What
// stays float64: the loss and its derivative with respect to the outputs (the network
// output is widened, Loss.Eval runs in float64 and its result is rounded once), the sums
// over samples of the loss and of the bias gradients, the sum of the chunks of a large
// index set, and the gradient returned.
//
// Each float32 dot product of length k is accurate to γ_k·Σ|a||b|, γ_k ≈ k·2⁻²⁴, so a
// gradient of the 784-256-256-10 MLP agrees with Supervised's to about 10⁻⁶ relative
// (tests in f32_test.go state the bound); the float64 Supervised stays the bit-exact
// default for research use. Results are the same bits for any GOMAXPROCS and kernel level.
//
// The matrix products and the element-wise passes (rounding w, gathering the batch, the
// activations, widening the weight gradients, the bias sums: f32par.go) run on
// internal/parallel's pool, each part of the output written by one block with the serial
// operations, so the parallel split never changes a bit.
//
// Net, Data and Loss must not change after construction. Methods are safe for concurrent
// use and do not allocate in steady state.
type Supervised32 struct {
	Net  *MLP
	Data *Dataset
	Loss Loss

	x      []float32 // Data.X rounded to float32, row-major n×InDim
	states freeList[state32]
}

// wide32Rows is the largest chunk whose weight gradients are formed in float64 (Dgemm on
// the widened errors and activations, written straight into the gradient): for a few rows
// the product is cheap and the pass that widens a float32 gradient of out·in values is not
// (on the 784-256-256-10 MLP at 4 rows, the widening took about as long as the products).
// It is also the more accurate way; either way the result is within the bound of the tests.
const wide32Rows = 16

// state32 is the scratch of one call. Activations are stored feature-major: for B rows,
// layer l's pre-activations z, activations a and errors d (∂/∂a, then ∂/∂z in place) are
// out_l×B row-major (entry (o, r) at o·B + r), the gathered inputs x likewise in_0×B. Every
// product then reads the float32 parameters w (the layout of the float64 w) as they are:
// forward Zᵀ = W·Aᵀ (W in place, A's rows contiguous), input errors Eᵀ = Wᵀ·Δ (W read
// in place as Wᵀ), weight gradient Δ·A; so the parameters are never transposed, and a call
// on a few rows costs little more than rounding w. g is one layer's float32 weight
// gradient, out, dOut and losses the float64 outputs (row-major B×K), output errors and
// losses.
type state32 struct {
	cap     int
	w       []float32
	x       []float32
	z, a, d [][]float32
	g       []float32
	d64     []float64 // Δ_l and A_{l-1} widened, for chunks of at most wide32Rows rows
	a64     []float64
	out     []float64
	dOut    []float64
	losses  []float64
	pass    pass32 // the element-wise passes, run in parallel blocks (f32par.go)
}

// NewSupervised32 returns the mixed-precision objective of net on data under loss, after
// the checks of NewSupervised and a check that every input is finite in float32 (an entry
// of Data.X beyond ±3.4·10³⁸ is an error naming it).
func NewSupervised32(net *MLP, data *Dataset, loss Loss) (*Supervised32, error) {
	if _, err := NewSupervised(net, data, loss); err != nil {
		return nil, err
	}
	X := data.X.RawMatrix()
	x := make([]float32, X.Rows*X.Cols)
	for i := 0; i < X.Rows; i++ {
		for j, v := range X.Data[i*X.Stride : i*X.Stride+X.Cols] {
			f := float32(v)
			if math.IsInf(float64(f), 0) {
				return nil, fmt.Errorf("nn: Dataset.X[%d][%d] = %g overflows float32", i, j, v)
			}
			x[i*X.Cols+j] = f
		}
	}
	return &Supervised32{Net: net, Data: data, Loss: loss, x: x}, nil
}

// Dim is the number of network parameters.
func (s *Supervised32) Dim() int { return s.Net.NumParams() }

// Len is the number of samples.
func (s *Supervised32) Len() int { return s.Data.Len() }

func (s *Supervised32) get(rows int) *state32 {
	st := s.states.get()
	if st == nil {
		L := s.Net.NumLayers()
		st = &state32{w: make([]float32, s.Net.NumParams()), z: make([][]float32, L),
			a: make([][]float32, L), d: make([][]float32, L)}
		g := 0
		for l := 0; l < L; l++ {
			g = max(g, s.Net.Sizes[l]*s.Net.Sizes[l+1])
		}
		st.g = make([]float32, g)
	}
	if rows > st.cap {
		sz := s.Net.Sizes
		st.x = make([]float32, rows*sz[0])
		for l := range st.z {
			st.z[l] = make([]float32, rows*sz[l+1])
			st.a[l] = make([]float32, rows*sz[l+1])
			st.d[l] = make([]float32, rows*sz[l+1])
		}
		K := s.Net.OutDim()
		st.out, st.dOut, st.losses = make([]float64, rows*K), make([]float64, rows*K), make([]float64, rows)
		st.cap = rows
	}
	if rows <= wide32Rows && st.d64 == nil { // a state first made for more rows lacks them
		wmax := slices.Max(s.Net.Sizes)
		st.d64, st.a64 = make([]float64, wide32Rows*wmax), make([]float64, wide32Rows*wmax)
	}
	return st
}

// release returns st to the free list, without references to the caller's slices.
func (s *Supervised32) release(st *state32) {
	st.pass = pass32{}
	s.states.put(st)
}

// setParams rounds w (times Mask, if any) to float32 into st.w.
func (s *Supervised32) setParams(st *state32, w []float64) {
	s.Net.checkParams(w)
	st.pass = pass32{s: s, st: st, w: w}
	st.pass.run(passRound, len(w), 1)
}

// forward gathers the rows idx (transposed, into st.x) and runs the network in float32 on
// st.w: Zᵀ_l = W_l·Aᵀ_{l-1} + b_l1ᵀ (the bias preloaded into Zᵀ, the product accumulated
// onto it: the rounding of Supervised's forward pass, in float32), Aᵀ_l = σ(Zᵀ_l). The
// output, widened to float64, goes to st.out (row-major B×K).
func (s *Supervised32) forward(st *state32, idx []int) {
	sz := s.Net.Sizes
	B, n := len(idx), sz[0]
	for _, i := range idx {
		if i < 0 || i >= s.Len() {
			panic(fmt.Sprintf("nn: sample index %d out of range [0, %d)", i, s.Len()))
		}
	}
	st.pass = pass32{s: s, st: st, idx: idx}
	st.pass.run(passGather, n, B)
	prev := st.x[:n*B]
	off := 0
	for l := 0; l < s.Net.NumLayers(); l++ {
		in, out := sz[l], sz[l+1]
		W, b := st.w[off:off+out*in], st.w[off+out*in:off+out*(in+1)]
		off += out * (in + 1)
		z := st.z[l][:out*B]
		for o, v := range b {
			row := z[o*B : (o+1)*B]
			for r := range row {
				row[r] = v
			}
		}
		igemm.Sgemm(false, false, out, B, in, 1, W, in, prev, B, 1, z, B)
		st.pass = pass32{s: s, st: st, act: s.Net.activation(l), z: z, a: st.a[l][:out*B], B: B}
		st.pass.run(passApply, out, B)
		prev = st.a[l][:out*B]
	}
	K := s.Net.OutDim()
	for k := 0; k < K; k++ {
		for r, v := range prev[k*B : (k+1)*B] {
			st.out[r*K+k] = float64(v)
		}
	}
}

// chunk runs forward and the loss on the rows idx (len ≤ chunkRows) and returns the sum of
// their losses (float64); with grad it back-propagates scale·∂ℓ/∂out and writes the
// chunk's gradient into grad (accumulate = false) or adds it (true).
func (s *Supervised32) chunk(st *state32, grad []float64, accumulate bool, idx []int, scale float64) float64 {
	s.forward(st, idx)
	B, K := len(idx), s.Net.OutDim()
	out := general(B, K, st.out)
	var dOut blas64.General
	if grad != nil {
		dOut = general(B, K, st.dOut)
	}
	s.Loss.Eval(st.losses[:B], dOut, scale, out, s.Data, idx)
	total := 0.0
	for _, v := range st.losses[:B] {
		total += v
	}
	if grad != nil {
		dL := st.d[len(st.d)-1]
		for r := 0; r < B; r++ {
			for k, v := range st.dOut[r*K : (r+1)*K] {
				dL[k*B+r] = float32(v)
			}
		}
		s.backward(st, grad, accumulate, B)
	}
	return total
}

// backward is MLP.backward in float32 for the last forward on st (B rows, feature-major):
// Δ_l = E_l⊙σ'(Z_l), ∂/∂W_l = Δ_l·A_{l-1} (widened into grad), ∂/∂b_l = Δ_l1 summed in
// float64, Eᵀ_{l-1} = W_lᵀ·Δ_l.
func (s *Supervised32) backward(st *state32, grad []float64, accumulate bool, B int) {
	sz := s.Net.Sizes
	off := len(st.w)
	for l := s.Net.NumLayers() - 1; l >= 0; l-- {
		in, out := sz[l], sz[l+1]
		off -= out * (in + 1)
		d := st.d[l][:out*B]
		st.pass = pass32{s: s, st: st, act: s.Net.activation(l), z: st.z[l][:out*B], a: st.a[l][:out*B], d: d, B: B}
		st.pass.run(passDeriv, out, B)
		var prev []float32
		if l > 0 {
			prev = st.a[l-1][:in*B]
		} else {
			prev = st.x[:in*B]
		}
		gw, gb := grad[off:off+out*in], grad[off+out*in:off+out*(in+1)]
		var g []float32
		if B <= wide32Rows {
			// Few rows: widen Δ and A (small) and form Δ·Aᵀ in float64 directly into
			// grad, instead of a float32 product and a widening pass over out·in values.
			d64, a64 := st.d64[:out*B], st.a64[:in*B]
			for i, v := range d {
				d64[i] = float64(v)
			}
			for i, v := range prev {
				a64[i] = float64(v)
			}
			beta := 0.0
			if accumulate {
				beta = 1
			}
			igemm.Dgemm(false, true, out, in, B, 1, d64, B, a64, B, beta, gw, in)
		} else {
			g = st.g[:out*in]
			igemm.Sgemm(false, true, out, in, B, 1, d, B, prev, B, 0, g, in)
		}
		// Widen g into gw (if formed in float32) and sum the bias gradients, by rows.
		st.pass = pass32{s: s, st: st, g: g, d: d, gw: gw, gb: gb, in: in, B: B, accumulate: accumulate}
		per := B
		if g != nil {
			per += in
		}
		st.pass.run(passWiden, out, per)
		if l > 0 {
			igemm.Sgemm(true, false, in, B, out, 1, st.w[off:off+out*in], in, d, B, 0, st.d[l-1][:in*B], B)
		}
	}
}

// LossGrad returns (1/|idx|)Σ_{i∈idx} ℓᵢ(w) and, unless grad is nil, writes its gradient
// into grad, both computed in mixed precision (see Supervised32). It panics if idx is
// empty or a length is wrong.
func (s *Supervised32) LossGrad(grad, w []float64, idx []int) float64 {
	if len(idx) == 0 {
		panic("nn: LossGrad with empty idx")
	}
	if grad != nil && len(grad) != len(w) {
		panic(fmt.Sprintf("nn: len(grad) = %d, want len(w) = %d", len(grad), len(w)))
	}
	st := s.get(min(len(idx), chunkRows))
	defer s.release(st)
	s.setParams(st, w)
	inv := 1 / float64(len(idx))
	total := 0.0
	for start := 0; start < len(idx); start += chunkRows {
		sub := idx[start:min(start+chunkRows, len(idx))]
		total += s.chunk(st, grad, start > 0, sub, inv)
	}
	if grad != nil && s.Net.Mask != nil {
		for i, keep := range s.Net.Mask {
			if !keep {
				grad[i] = 0
			}
		}
	}
	return total * inv
}

// Losses writes ℓ_{idx[k]}(w) into dst[k], computed in mixed precision.
func (s *Supervised32) Losses(dst, w []float64, idx []int) {
	if len(dst) != len(idx) {
		panic(fmt.Sprintf("nn: len(dst) = %d, want len(idx) = %d", len(dst), len(idx)))
	}
	if len(idx) == 0 {
		return
	}
	st := s.get(min(len(idx), chunkRows))
	defer s.release(st)
	s.setParams(st, w)
	for start := 0; start < len(idx); start += chunkRows {
		sub := idx[start:min(start+chunkRows, len(idx))]
		s.chunk(st, nil, false, sub, 1)
		copy(dst[start:], st.losses[:len(sub)])
	}
}

// Accuracy returns the fraction of samples idx whose largest output (computed in mixed
// precision) is at the index of their label, as Supervised.Accuracy.
func (s *Supervised32) Accuracy(w []float64, idx []int) float64 {
	if s.Data.Labels == nil {
		panic("nn: Accuracy needs Dataset.Labels")
	}
	if len(idx) == 0 {
		panic("nn: Accuracy with empty idx")
	}
	st := s.get(min(len(idx), chunkRows))
	defer s.release(st)
	s.setParams(st, w)
	K, correct := s.Net.OutDim(), 0
	for start := 0; start < len(idx); start += chunkRows {
		sub := idx[start:min(start+chunkRows, len(idx))]
		s.forward(st, sub)
		for r, i := range sub {
			switch argmax(st.out[r*K : (r+1)*K]) {
			case -1:
				return math.NaN()
			case s.Data.Labels[i]:
				correct++
			}
		}
	}
	return float64(correct) / float64(len(idx))
}
