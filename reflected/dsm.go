package reflected

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/sdeml/sdeml/internal/parallel"
)

// DSM is the denoising score-matching risk of a ScoreNet's architecture, as an nn.Objective
// over the training points (docs/derivations/reflected.md §5):
//
//	ℓᵢ(θ) = λ(t)·‖s_θ(X_t, t) − ∇ₓ log q_t(X_t | X₀ⁱ)‖²,
//
// where t is drawn from Times on [T0, T1], X_t = fold(X₀ⁱ + √t·Z) is an exact reflected-BM
// draw from the training point X₀ⁱ, and the target is the product-kernel score Score1D per
// coordinate. Its expectation over (t, Z) equals the explicit score-matching risk up to a
// constant (Vincent 2011; Lou & Ermon 2023 for bounded domains). The weight is λ(t) = t
// (WeightT, the default) or λ(t) = 1/c_out(t)² (WeightUnit, with c_out from Net.Pre or, for
// a network without preconditioning, from Pre), which gives every noise level the same
// share of the loss. The loss is computed in the network's output space: with s = skip +
// a(t)·f (a = c_out with Net.Pre, 1/√t without), ℓ = λa²‖f − (∇log q − skip)/a‖², so with
// Net.Pre and WeightUnit it is ‖f − target‖² with a target of unit mean square; without
// preconditioning and with WeightT it is ‖f − √t·∇ₓ log q_t‖², the earlier default.
//
// The draw (t, Z) of sample i depends only on (Seed, Round, i) through the stream
// parallel.Stream(Seed, Round·n + i), a distinct stream for every (round, sample), so every LossGrad call
// of one optimizer step (e.g. SAM's ascent and descent) sees the same draws; Train advances
// Round every step to resample. DSM is safe for concurrent use with distinct buffers as long
// as Round is not changed meanwhile.
type DSM struct {
	// Net supplies the architecture and embedding (its W is not used).
	Net *ScoreNet
	// Data holds the n training points, row-major n×D, inside [0,1]^D.
	Data []float64
	// T0 < T1 bound the training times.
	T0, T1 float64
	// Times is the law of t on [T0, T1]; nil means LogUniform.
	Times TimeDist
	// Weighting selects λ(t): WeightT (the zero value) or WeightUnit.
	Weighting Weighting
	// Pre supplies c_out for WeightUnit when Net.Pre is nil (NewPrecond on the same data,
	// times and Process; Train sets it); when Net.Pre is set, Net.Pre is used.
	Pre *Precond
	// Seed and Round select the noise draws.
	Seed, Round uint64
	// Process is the forward process (Reflected, the zero value, or Free). With Free the
	// noised point is X₀ + √t·Z, unfolded, and the target is −Z (the free Gaussian score).
	Process Process
}

// NewDSM returns the DSM objective of net on data (n×D row-major, not copied) with times in
// [t0, t1]. It returns an error naming the problem for a nil net, empty or ragged data, a
// coordinate outside [0,1] or non-finite, or not 0 < t0 < t1 < ∞.
func NewDSM(net *ScoreNet, data []float64, t0, t1 float64, seed uint64) (*DSM, error) {
	if net == nil {
		return nil, fmt.Errorf("reflected: DSM.Net is nil")
	}
	if err := checkPoints("NewDSM", "data", data, net.Dim()); err != nil {
		return nil, err
	}
	if !(t0 > 0) || !(t1 > t0) || math.IsInf(t1, 0) {
		return nil, fmt.Errorf("reflected: DSM times T0 = %v, T1 = %v, need 0 < T0 < T1 < ∞", t0, t1)
	}
	return &DSM{Net: net, Data: data, T0: t0, T1: t1, Seed: seed}, nil
}

// Weighting selects the DSM loss weight λ(t).
type Weighting int

const (
	// WeightT is λ(t) = t (the default): with the preconditioned network the loss is
	// t·c_out(t)²·‖f − target‖², with the plain one ‖f − √t·∇ₓ log q_t‖². Measured best
	// (docs/REPRODUCTION.md, "reflected: training recipe").
	WeightT Weighting = iota
	// WeightUnit is λ(t) = 1/c_out(t)², EDM's choice, which makes the regression target of
	// unit mean square at every t so that every noise level counts equally. For the
	// reflected kernel c_out(t) → 0 exponentially as t approaches mixing (the conditional
	// score vanishes), so this weight puts up to ~10⁸ times more weight on the last times
	// than on the first; with the plain parametrisation that ruins training, with Precond it
	// is about neutral (docs/derivations/reflected.md §5.1).
	WeightUnit
)

// String returns "unit" or "t".
func (w Weighting) String() string {
	switch w {
	case WeightUnit:
		return "unit"
	case WeightT:
		return "t"
	}
	return fmt.Sprintf("Weighting(%d)", int(w))
}

func (w Weighting) valid() bool { return w == WeightUnit || w == WeightT }

// checkPoints returns an error, prefixed "reflected: fn:", unless the slice called name is a
// non-empty n×D set of points in [0,1]^D (NaN is outside). A length that is not a multiple
// of D is reported as a dimension mismatch between the model (or caller) and the data.
func checkPoints(fn, name string, data []float64, D int) error {
	if D < 1 {
		return fmt.Errorf("reflected: %s: D = %d, need ≥ 1", fn, D)
	}
	if len(data) == 0 {
		return fmt.Errorf("reflected: %s: %s is empty (0 points)", fn, name)
	}
	if len(data)%D != 0 {
		return fmt.Errorf("reflected: %s: len(%s) = %d is not a multiple of D = %d (dimension mismatch)", fn, name, len(data), D)
	}
	for i, v := range data {
		if !(v >= 0 && v <= 1) {
			return fmt.Errorf("reflected: %s: %s[%d] = %v (point %d, coordinate %d) outside [0,1]", fn, name, i, v, i/D, i%D)
		}
	}
	return nil
}

// Dim returns the number of network parameters.
func (o *DSM) Dim() int { return o.Net.NumParams() }

// Len returns the number n of training points.
func (o *DSM) Len() int { return len(o.Data) / o.Net.Dim() }

// LossGrad implements nn.Objective: the mean of ℓᵢ over idx and, unless grad is nil, its
// gradient in w.
func (o *DSM) LossGrad(grad, w []float64, idx []int) float64 {
	sc := o.forward(w, idx)
	D := o.Net.Dim()
	var loss float64
	scale := 2 / float64(len(idx))
	for k, v := range sc.outBuf[:len(idx)*D] {
		wr := sc.rowScales[k/D]
		r := v - sc.target[k]
		loss += wr * r * r
		sc.dOutBuf[k] = scale * wr * r
	}
	if grad != nil {
		o.Net.backward(grad, w, sc)
	}
	o.Net.release(sc)
	return loss / float64(len(idx))
}

// Losses implements nn.Objective: dst[k] = ℓ_{idx[k]}(w).
func (o *DSM) Losses(dst, w []float64, idx []int) {
	if len(dst) != len(idx) {
		panic("reflected: DSM.Losses: len(dst) != len(idx)")
	}
	sc := o.forward(w, idx)
	D := o.Net.Dim()
	for k := range idx {
		var l float64
		for i := k * D; i < k*D+D; i++ {
			r := sc.outBuf[i] - sc.target[i]
			l += r * r
		}
		dst[k] = sc.rowScales[k] * l
	}
	o.Net.release(sc)
}

// forward draws the noised inputs, the targets in output space and the row weights λa² for
// idx, and runs the network at w.
func (o *DSM) forward(w []float64, idx []int) *netScratch {
	D := o.Net.Dim()
	in := o.Net.inDim()
	n := o.Len()
	sc := o.Net.scratch(len(idx))
	base := int(o.Round) * n
	times := o.Times
	if times == nil {
		times = LogUniform{}
	}
	pre := o.Net.Pre
	weightPre := pre
	if weightPre == nil {
		weightPre = o.Pre
	}
	if o.Weighting == WeightUnit && weightPre == nil {
		panic("reflected: DSM: Weighting = WeightUnit needs Net.Pre or DSM.Pre (see NewPrecond)")
	}
	if sc.rnd == nil {
		sc.pcg = new(rand.PCG)
		sc.rnd = rand.New(sc.pcg)
	}
	rnd := sc.rnd
	for k, i := range idx {
		if i < 0 || i >= n {
			panic(fmt.Sprintf("reflected: DSM: sample index %d out of range [0, %d)", i, n))
		}
		*sc.pcg = *parallel.Stream(o.Seed, base+i)
		t := times.Quantile(rnd.Float64(), o.T0, o.T1)
		st := math.Sqrt(t)
		x0 := o.Data[i*D : i*D+D]
		row := sc.inBuf[k*in : k*in+in]
		tg := sc.target[k*D : k*D+D]
		// a2 is a(t)², the square of the output scale: s = skip + a·f.
		var a2 float64
		switch {
		case pre == nil && o.Process == Free:
			for j, y := range x0 {
				z := rnd.NormFloat64()
				row[j] = centre(y + st*z)
				tg[j] = -z
			}
			a2 = 1 / t
		case pre == nil:
			for j, y := range x0 {
				x := Fold(y + st*rnd.NormFloat64())
				row[j] = centre(x)
				tg[j] = st * Score1D(x, y, t)
			}
			a2 = 1 / t
		default:
			c := pre.COut(t)
			inv := 1 / c
			for j, y := range x0 {
				z := rnd.NormFloat64()
				var x, s float64
				if o.Process == Free {
					x, s = y+st*z, -z/st
				} else {
					x = Fold(y + st*z)
					s = Score1D(x, y, t)
				}
				row[j] = pre.cIn(j, t) * (x - pre.Mean[j])
				tg[j] = (s - pre.skip1(x, j, t)) * inv
			}
			a2 = c * c
		}
		switch {
		case o.Weighting == WeightT && pre == nil:
			sc.rowScales[k] = 1 // t·(1/t), exactly the earlier loss
		case o.Weighting == WeightT:
			sc.rowScales[k] = t * a2
		case pre != nil:
			sc.rowScales[k] = 1 // λa² = a²/c_out² with a = c_out
		default:
			c := weightPre.COut(t)
			sc.rowScales[k] = a2 / (c * c)
		}
		o.Net.Embed.Embed(row[D:], t)
	}
	o.Net.forward(sc, w)
	return sc
}
