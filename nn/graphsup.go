package nn

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/floats"
)

// graphObj is what the passes of GraphSupervised (float64) and GraphSupervised32 (mixed
// precision) read of the objective; the functions below are the body both share, over
// the workspaces of either precision.
type graphObj struct {
	net   *Graph
	data  *Dataset
	loss  Loss
	state *GraphState
	eval  bool
	seed  uint64
	name  string // the objective's type, for panic messages
}

// coupled reports whether the samples of a call are coupled (BatchNorm in training mode).
func (o graphObj) coupled() bool { return o.net.hasBN && !o.eval }

func (o graphObj) checkState() {
	if st := o.state; st == nil || len(st.Mean) != o.net.nbn || len(st.Var) != o.net.nbn {
		panic("nn: " + o.name + ".State is nil or does not match the graph's BatchNorm nodes")
	}
}

// getGraphWS returns scratch for a call on idx: of the workspaces kept in pool, the
// smallest that holds a block of the call (so that the micro-batch passes of m-SAM do not
// take, and grow, the whole-batch workspace of its state pass), else a new one for k.
func getGraphWS[T floatT](o graphObj, pool *capPool[graphWSOf[T], *graphWSOf[T]], idx []int, k graphKernels[T]) *graphWSOf[T] {
	rows := len(idx)
	if !o.coupled() {
		rows = min(rows, graphBlock)
	}
	if ws := pool.get(rows); ws != nil {
		return ws
	}
	return newGraphWS(o.net, k)
}

// runGraph evaluates the loss over idx at w, in blocks of graphBlock samples unless
// coupled: the per-sample losses go to losses (unless nil), the mean gradient to grad
// (unless nil), the network outputs to the rows of pred (unless its Data is nil), the hit
// count is returned in place of the loss sum when acc is set. It returns the loss sum.
func runGraph[T floatT](o graphObj, ws *graphWSOf[T], grad, losses, w []float64, idx []int, step uint64, acc bool, pred blas64.General) float64 {
	o.net.checkParams(w)
	if grad != nil && len(grad) != len(w) {
		panic(fmt.Sprintf("nn: len(grad) = %d, want %d", len(grad), len(w)))
	}
	ws.k.setParams(ws, w)
	ws.fuse = true // only the losses, outputs and gradient are read
	block := graphBlock
	if o.coupled() {
		block = len(idx)
	}
	scale := 1 / float64(len(idx))
	total := 0.0
	K := o.net.OutDim()
	for lo := 0; lo < len(idx); lo += block {
		sub := idx[lo:min(lo+block, len(idx))]
		g := grad
		if lo > 0 && grad != nil {
			g = ws.gblk
		}
		out := passGraph(o, ws, sub, step, g != nil, scale)
		B := len(sub)
		if losses != nil {
			copy(losses[lo:], ws.losses[:B])
		}
		if pred.Data != nil {
			for k := range B {
				copy(pred.Data[(lo+k)*pred.Stride:(lo+k)*pred.Stride+K], out[k*K:(k+1)*K])
			}
		}
		if acc {
			for k, i := range sub {
				switch argmax(out[k*K : (k+1)*K]) {
				case -1:
					return math.NaN()
				case o.data.Labels[i]:
					total++
				}
			}
		} else {
			total = ws.k.lossSum(total, ws.losses[:B])
		}
		if g != nil {
			ws.grad = g
			ws.backward()
			ws.grad = nil
			if lo > 0 {
				floats.Add(grad, g)
			}
		}
	}
	return total
}

// passGraph gathers the rows idx (rounded to T), runs the forward pass at the parameters
// of ws and the loss: per-sample losses to ws.losses and, if wantGrad, scale·∂ℓ/∂out
// (rounded to T) to the output errors. It returns the outputs (widened to float64).
func passGraph[T floatT](o graphObj, ws *graphWSOf[T], idx []int, step uint64, wantGrad bool, scale float64) []float64 {
	o.checkState()
	ws.ensure(len(idx))
	ws.batch, ws.idx = len(idx), idx
	ws.train, ws.seed, ws.step = !o.eval, o.seed, step
	ws.infer = !wantGrad
	ws.rmean, ws.rvar = o.state.Mean, o.state.Var
	X := o.data.X.RawMatrix()
	n := X.Cols
	for r, i := range idx {
		if i < 0 || i >= X.Rows {
			panic(fmt.Sprintf("nn: sample index %d out of range [0, %d)", i, X.Rows))
		}
		setRow(ws.val[0][r*n:(r+1)*n], X.Data[i*X.Stride:i*X.Stride+n])
	}
	B, K := len(idx), o.net.OutDim()
	y := ws.forward()
	out := ws.k.as64(y)
	if out == nil {
		out = ws.out[:B*K]
		for i, v := range y {
			out[i] = float64(v)
		}
	}
	last := ws.d[len(ws.d)-1][:B*K]
	var dOut blas64.General
	errs := ws.k.as64(last) // float64: the loss writes the output errors in place
	if wantGrad {
		if errs == nil {
			errs = ws.dout[:B*K]
		}
		dOut = general(B, K, errs)
	}
	o.loss.Eval(ws.losses[:B], dOut, scale, general(B, K, out), o.data, idx)
	if wantGrad && ws.k.as64(last) == nil {
		setRow(last, ws.dout[:B*K])
	}
	return out
}

// setRow sets dst[i] = src[i] rounded to T.
func setRow[T floatT](dst []T, src []float64) {
	dst = dst[:len(src)]
	for i, v := range src {
		dst[i] = T(v)
	}
}

// graphLossGrad is LossGrad: (1/|idx|)Σ_{i∈idx} ℓᵢ(w) and its gradient into grad unless
// nil.
func graphLossGrad[T floatT](o graphObj, pool *capPool[graphWSOf[T], *graphWSOf[T]], k graphKernels[T], grad, w []float64, idx []int) float64 {
	if len(idx) == 0 {
		panic("nn: LossGrad with empty idx")
	}
	ws := getGraphWS(o, pool, idx, k)
	defer pool.put(ws)
	return runGraph(o, ws, grad, nil, w, idx, o.state.Step, false, blas64.General{}) / float64(len(idx))
}

// graphLossGradUpdate is LossGradUpdate, called under the objective's lock: State.Step is
// incremented, LossGrad runs at the new step and, in training mode, the running statistics
// move toward the batch's (Graph.updateRunning).
func graphLossGradUpdate[T floatT](o graphObj, pool *capPool[graphWSOf[T], *graphWSOf[T]], k graphKernels[T], grad, w []float64, idx []int) float64 {
	if len(idx) == 0 {
		panic("nn: LossGradUpdate with empty idx")
	}
	o.state.Step++
	ws := getGraphWS(o, pool, idx, k)
	defer pool.put(ws)
	loss := runGraph(o, ws, grad, nil, w, idx, o.state.Step, false, blas64.General{}) / float64(len(idx))
	if o.coupled() {
		o.net.updateRunning(o.state, ws.mean, ws.vari, len(idx))
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

// graphLosses is Losses: ℓ_{idx[k]}(w) into dst[k].
func graphLosses[T floatT](o graphObj, pool *capPool[graphWSOf[T], *graphWSOf[T]], k graphKernels[T], dst, w []float64, idx []int) {
	if len(dst) != len(idx) {
		panic(fmt.Sprintf("nn: len(dst) = %d, want len(idx) = %d", len(dst), len(idx)))
	}
	if len(idx) == 0 {
		return
	}
	ws := getGraphWS(o, pool, idx, k)
	defer pool.put(ws)
	runGraph(o, ws, nil, dst, w, idx, o.state.Step, false, blas64.General{})
}

// graphAccuracy is Accuracy: the fraction of samples idx whose largest output is at their
// label (NaN if an output is NaN).
func graphAccuracy[T floatT](o graphObj, pool *capPool[graphWSOf[T], *graphWSOf[T]], k graphKernels[T], w []float64, idx []int) float64 {
	if o.data.Labels == nil {
		panic("nn: Accuracy needs Dataset.Labels")
	}
	if len(idx) == 0 {
		panic("nn: Accuracy with empty idx")
	}
	ws := getGraphWS(o, pool, idx, k)
	defer pool.put(ws)
	return runGraph(o, ws, nil, nil, w, idx, o.state.Step, true, blas64.General{}) / float64(len(idx))
}
