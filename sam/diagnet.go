package sam

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// DiagNet is the diagonal linear network of Andriushchenko & Flammarion (ICML 2022), the
// smallest model that shows the m-sharpness effect: parameters w = (u, v) ∈ R^{2p}, predictor
// β = u ⊙ v, per-sample loss ℓ_i(w) = ½(x_iᵀβ − y_i)², so the empirical risk is
// ‖Xβ − y‖²/(2n). X is n×p row-major (X[i*p+k] = x_ik). It implements nn.Objective and
// the optional per-sample gradient norms used by RW-SAM's exact score (alone and fused with
// the batch gradient).
type DiagNet struct {
	X []float64
	Y []float64
	P int
}

// Dim is 2p.
func (d *DiagNet) Dim() int { return 2 * d.P }

// Len is the number of samples n.
func (d *DiagNet) Len() int { return len(d.Y) }

func (d *DiagNet) check(w []float64) {
	if len(w) != 2*d.P {
		panic(fmt.Sprintf("sam: DiagNet: len(w) = %d, want %d", len(w), 2*d.P))
	}
}

// residual returns r_i = x_iᵀ(u ⊙ v) − y_i.
func (d *DiagNet) residual(w []float64, i int) float64 {
	p := d.P
	x, u, v := d.X[i*p:(i+1)*p], w[:p], w[p:2*p]
	var s float64
	for k, xk := range x {
		s += xk * u[k] * v[k]
	}
	return s - d.Y[i]
}

// LossGrad returns (1/|idx|)Σ ½r_i² and writes ∇_u = mean r_i x_i ⊙ v, ∇_v = mean r_i x_i ⊙ u.
func (d *DiagNet) LossGrad(grad, w []float64, idx []int) float64 {
	return d.lossGrad(grad, nil, nil, w, idx)
}

// WeightedLossGrad returns Σ_k p[k]·½r_{idx[k]}² and writes its gradient into grad (unless
// nil): LossGrad with the per-sample factor 1/|idx| replaced by p[k] (RW-SAM's reweighted
// passes). It panics if len(p) != len(idx).
func (d *DiagNet) WeightedLossGrad(grad, p, w []float64, idx []int) float64 {
	if len(p) != len(idx) {
		panic(fmt.Sprintf("sam: DiagNet: len(p) = %d, want len(idx) = %d", len(p), len(idx)))
	}
	return d.lossGrad(grad, nil, p, w, idx)
}

// LossGradWeighted returns the mean loss over idx and writes its gradient into grad and the
// weighted gradient Σ_k p[k]∇ℓ_{idx[k]}(w) into pgrad, in one loop over the samples (the
// residual r_i serves both; grad has LossGrad's bits, pgrad WeightedLossGrad's).
func (d *DiagNet) LossGradWeighted(grad, pgrad, p, w []float64, idx []int) float64 {
	if len(p) != len(idx) || len(pgrad) != 2*d.P {
		panic(fmt.Sprintf("sam: DiagNet: len(p) = %d, len(pgrad) = %d, want %d and %d", len(p), len(pgrad), len(idx), 2*d.P))
	}
	clear(pgrad)
	pu, pv := pgrad[:d.P], pgrad[d.P:]
	u, v := w[:d.P], w[d.P:]
	for k, i := range idx {
		r := d.residual(w, i)
		for j, xj := range d.X[i*d.P : (i+1)*d.P] {
			c := p[k] * r * xj
			pu[j] += c * v[j]
			pv[j] += c * u[j]
		}
	}
	return d.lossGrad(grad, nil, nil, w, idx)
}

// LossGradNorms is LossGrad that also writes the per-sample gradient norms
// ‖∇ℓ_{idx[k]}(w)‖ (as PerSampleGradNorms, same bits) into norms[k], in the same loop over
// the samples: the residual r_i serves both.
func (d *DiagNet) LossGradNorms(grad, norms, w []float64, idx []int) float64 {
	if len(norms) != len(idx) {
		panic(fmt.Sprintf("sam: DiagNet: len(norms) = %d, want len(idx) = %d", len(norms), len(idx)))
	}
	return d.lossGrad(grad, norms, nil, w, idx)
}

// lossGrad is LossGrad, LossGradNorms if norms is not nil, and WeightedLossGrad if p is
// not nil.
func (d *DiagNet) lossGrad(grad, norms, pw, w []float64, idx []int) float64 {
	d.check(w)
	p := d.P
	if grad != nil {
		if len(grad) != 2*p {
			panic(fmt.Sprintf("sam: DiagNet: len(grad) = %d, want %d", len(grad), 2*p))
		}
		clear(grad)
	}
	var loss float64
	inv := 1 / float64(len(idx))
	u, v := w[:p], w[p:]
	for k, i := range idx {
		r := d.residual(w, i)
		wk := inv
		if pw != nil {
			wk = pw[k]
			loss += wk * 0.5 * r * r
		} else {
			loss += 0.5 * r * r
		}
		if norms != nil {
			norms[k] = math.Abs(r) * d.normFactor(w, i)
		}
		if grad != nil {
			x := d.X[i*p : (i+1)*p]
			gu, gv := grad[:p], grad[p:]
			for j, xj := range x {
				c := wk * r * xj
				gu[j] += c * v[j]
				gv[j] += c * u[j]
			}
		}
	}
	if pw != nil {
		return loss
	}
	return loss * inv
}

// Losses writes ½r_i² for each i in idx.
func (d *DiagNet) Losses(dst, w []float64, idx []int) {
	d.check(w)
	for k, i := range idx {
		r := d.residual(w, i)
		dst[k] = 0.5 * r * r
	}
}

// PerSampleGradNorms writes ‖∇ℓ_i(w)‖ = |r_i|·sqrt(Σ_k x_ik²(u_k² + v_k²)).
func (d *DiagNet) PerSampleGradNorms(dst, w []float64, idx []int) {
	d.check(w)
	for k, i := range idx {
		dst[k] = math.Abs(d.residual(w, i)) * d.normFactor(w, i)
	}
}

// normFactor is sqrt(Σ_k x_ik²(u_k² + v_k²)) = ‖∇ℓ_i(w)‖/|r_i|.
func (d *DiagNet) normFactor(w []float64, i int) float64 {
	p := d.P
	x, u, v := d.X[i*p:(i+1)*p], w[:p], w[p:2*p]
	var s float64
	for j, xj := range x {
		s += xj * xj * (u[j]*u[j] + v[j]*v[j])
	}
	return math.Sqrt(s)
}

// PerSampleGrads writes ∇ℓ_{idx[k]}(w) into row k of dst (len(idx)×2p).
func (d *DiagNet) PerSampleGrads(dst *mat.Dense, w []float64, idx []int) {
	d.check(w)
	if r, c := dst.Dims(); r != len(idx) || c != 2*d.P {
		panic(fmt.Sprintf("sam: DiagNet.PerSampleGrads: dst is %d×%d, want %d×%d", r, c, len(idx), 2*d.P))
	}
	for k, i := range idx {
		d.LossGrad(dst.RawRowView(k), w, []int{i})
	}
}

// DiagNetTask is A&F's sparse regression: x ~ N(0, I_p), θ* with |N(0,1)| entries on the
// first R coordinates and 0 elsewhere, normalised to ‖θ*‖ = 1, noiseless y = xᵀθ*.
type DiagNetTask struct {
	Train, Test *DiagNet
	Theta       []float64
}

// NewDiagNetTask draws a task with n training and nTest test samples in dimension p with
// sparsity r from src. It returns an error naming the field if a size is invalid.
func NewDiagNetTask(src rand.Source, n, nTest, p, r int) (*DiagNetTask, error) {
	switch {
	case n < 1:
		return nil, fmt.Errorf("sam: NewDiagNetTask: n = %d must be >= 1", n)
	case nTest < 1:
		return nil, fmt.Errorf("sam: NewDiagNetTask: nTest = %d must be >= 1", nTest)
	case p < 1:
		return nil, fmt.Errorf("sam: NewDiagNetTask: p = %d must be >= 1", p)
	case r < 1 || r > p:
		return nil, fmt.Errorf("sam: NewDiagNetTask: r = %d must be in [1, p = %d]", r, p)
	}
	rng := rand.New(src)
	theta := make([]float64, p)
	for k := range r {
		theta[k] = math.Abs(rng.NormFloat64())
	}
	scale(theta, 1/norm(theta))
	gen := func(m int) *DiagNet {
		d := &DiagNet{X: make([]float64, m*p), Y: make([]float64, m), P: p}
		for i := range m {
			for k := range p {
				d.X[i*p+k] = rng.NormFloat64()
			}
			d.Y[i] = dot(d.X[i*p:(i+1)*p], theta)
		}
		return d
	}
	tr := gen(n)
	return &DiagNetTask{Train: tr, Test: gen(nTest), Theta: theta}, nil
}

// Init returns A&F's initialisation u = alpha·1, v = 0.
func (t *DiagNetTask) Init(alpha float64) []float64 {
	w := make([]float64, 2*t.Train.P)
	for k := range t.Train.P {
		w[k] = alpha
	}
	return w
}
