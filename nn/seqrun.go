package nn

import (
	"math"

	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/floats"

	"github.com/sdeml/sdeml/internal/parallel"
)

// seqRound is the number of chunks of seqChunk samples that one round of a SeqSupervised
// method runs concurrently, each on one goroutine with its own scratch. The gradients of a
// round's chunks go to separate buffers and are added to the result in chunk order, as are
// the loss sums, so every method returns the same bits for any GOMAXPROCS (the chunk
// boundaries depend only on the index set). Running whole chunks in parallel keeps each
// core's working set to one chunk and needs no barrier between the layers of a pass:
// on the benchmark CNN it measured faster than splitting each layer of a 32-sample
// chunk over the cores (docs/PERFORMANCE.md).
const seqRound = 8

// seqRun is one call of a SeqSupervised method cut into chunks: it is the parallel.Task
// of a round. Mode selection: with forward set the chunk only runs the network (Losses,
// Accuracy, Predict); otherwise it runs forward and backward, the gradient going to the
// chunk's buffer when wantGrad is set, the output errors weighted by p when p is not nil
// (WeightedLossGrad), and per-sample norms or gradients taken when norms or psg are set.
type seqRun struct {
	s     *SeqSupervised
	w     []float64
	idx   []int
	first int // first chunk of the current round

	forward  bool
	wantGrad bool
	scale    float64         // output-error scale of the pass (1/|idx| for a mean)
	p        []float64       // per-sample loss weights (WeightedLossGrad)
	norms    []float64       // per-sample gradient norms, times normScale
	normC    float64         // normScale
	psg      blas64.General  // per-sample gradients, one row per index
	losses   []float64       // per-sample losses (Losses)
	pred     blas64.General  // network outputs, one row per index (Predict)
	correct  bool            // count argmax hits (Accuracy)
	v        []float64       // direction of an HVP: the chunk "gradient" is then H·v
	second   SecondOrderLoss // the loss of an HVP

	p2    []float64 // weights of a second, weighted gradient from the same pass (LossGradWeighted)
	pgrad []float64 // its destination

	sums   [seqRound]float64   // per-chunk loss sum (or hit count)
	grads  [seqRound][]float64 // per-chunk gradient
	grads2 [seqRound][]float64 // per-chunk weighted gradient (p2)
}

func (s *SeqSupervised) getRun() *seqRun {
	if r := s.runs.get(); r != nil {
		return r
	}
	return &seqRun{s: s}
}

// putRun clears the references of r and returns it to the pool.
func (s *SeqSupervised) putRun(r *seqRun) {
	grads, grads2 := r.grads, r.grads2
	*r = seqRun{s: s, grads: grads, grads2: grads2}
	s.runs.put(r)
}

// exec runs r over all its chunks and returns the sum of the chunk sums; with wantGrad it
// writes the sum of the chunk gradients into grad.
func (r *seqRun) exec(grad []float64) float64 {
	n := len(r.idx)
	chunks := (n + seqChunk - 1) / seqChunk
	if r.wantGrad {
		for c := range min(seqRound, chunks) {
			if len(r.grads[c]) != len(grad) {
				r.grads[c] = make([]float64, len(grad))
			}
			if r.p2 != nil && len(r.grads2[c]) != len(grad) {
				r.grads2[c] = make([]float64, len(grad))
			}
		}
	}
	total := 0.0
	for first := 0; first < chunks; first += seqRound {
		k := min(seqRound, chunks-first)
		r.first = first
		if k == 1 {
			r.Do(0, 0)
		} else {
			parallel.Run(k, r)
		}
		for c := range k {
			total += r.sums[c]
			if !r.wantGrad {
				continue
			}
			if first == 0 && c == 0 {
				copy(grad, r.grads[0])
			} else {
				floats.Add(grad, r.grads[c])
			}
			if r.p2 == nil {
				continue
			}
			if first == 0 && c == 0 {
				copy(r.pgrad, r.grads2[0])
			} else {
				floats.Add(r.pgrad, r.grads2[c])
			}
		}
	}
	return total
}

// Do runs chunk first+c.
func (r *seqRun) Do(_, c int) {
	s := r.s
	lo := (r.first + c) * seqChunk
	hi := min(lo+seqChunk, len(r.idx))
	sub := r.idx[lo:hi]
	st := s.get()
	defer s.put(st)
	if r.forward {
		out := s.pass(st, r.w, sub, false, 1)
		r.sums[c] = r.forwardResults(st, out, lo, hi)
		return
	}
	if r.v != nil {
		s.rop(st, r.second, r.grads[c], r.w, r.v, sub, r.scale)
		return
	}
	back := r.wantGrad || r.norms != nil || r.psg.Data != nil
	s.pass(st, r.w, sub, back, r.scale)
	var g []float64
	if r.wantGrad {
		g = r.grads[c]
	}
	if r.p != nil {
		var dOut blas64.General
		if g != nil {
			dOut = general(len(sub), s.Net.OutDim(), st.ws.d[len(st.ws.d)-1])
		}
		r.sums[c] = weightRows(dOut, st.losses[:len(sub)], r.p[lo:hi])
	} else {
		r.sums[c] = floats.Sum(st.losses[:len(sub)])
	}
	if !back {
		return
	}
	s.Net.backward(g, r.w, st.ws)
	if r.p2 != nil {
		s.Net.weightedGrad(r.grads2[c], st.ws, r.p2[lo:hi], r.scale)
	}
	switch {
	case r.norms != nil:
		st.norm.run(r.norms[lo:hi], r.normC, blas64.General{})
	case r.psg.Data != nil:
		G := r.psg
		st.norm.run(nil, 1, blas64.General{Rows: len(sub), Cols: G.Cols, Stride: G.Stride, Data: G.Data[lo*G.Stride:]})
	}
}

// forwardResults stores what a forward-only method wants from the outputs of samples
// idx[lo:hi] and returns the chunk's count of argmax hits (Accuracy) or 0.
func (r *seqRun) forwardResults(st *seqState, out []float64, lo, hi int) float64 {
	K := r.s.Net.OutDim()
	if r.losses != nil {
		copy(r.losses[lo:hi], st.losses[:hi-lo])
	}
	if r.pred.Data != nil {
		for k := lo; k < hi; k++ {
			copy(r.pred.Data[k*r.pred.Stride:k*r.pred.Stride+K], out[(k-lo)*K:(k-lo+1)*K])
		}
	}
	hits := 0
	if r.correct {
		for k, i := range r.idx[lo:hi] {
			switch argmax(out[k*K : (k+1)*K]) {
			case -1:
				return math.NaN() // a NaN output: the sum, and so Accuracy, is NaN
			case r.s.Data.Labels[i]:
				hits++
			}
		}
	}
	return float64(hits)
}
