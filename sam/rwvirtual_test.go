package sam

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/sdeml/sdeml/nn"
)

// quadSamples has per-sample quadratic losses ℓ_i(w) = ½ Σ_k a_ik (w_k − c_ik)², so every
// Hessian is constant and a gradient difference is exactly a Hessian-vector product:
// first-order expansions in ε hold without remainder.
type quadSamples struct {
	a, c [][]float64
}

func newQuadSamples(seed uint64, n, dim int) *quadSamples {
	rng := rand.New(rand.NewPCG(seed, 9))
	q := &quadSamples{}
	for range n {
		a, c := make([]float64, dim), make([]float64, dim)
		for k := range a {
			a[k] = 0.2 + 2*rng.Float64()
			c[k] = rng.NormFloat64()
		}
		q.a, q.c = append(q.a, a), append(q.c, c)
	}
	return q
}

func (q *quadSamples) Dim() int { return len(q.a[0]) }
func (q *quadSamples) Len() int { return len(q.a) }
func (q *quadSamples) LossGrad(g, w []float64, idx []int) float64 {
	p := make([]float64, len(idx))
	for k := range p {
		p[k] = 1 / float64(len(idx))
	}
	return q.WeightedLossGrad(g, p, w, idx)
}
func (q *quadSamples) WeightedLossGrad(g, p, w []float64, idx []int) float64 {
	if g != nil {
		clear(g)
	}
	var f float64
	for k, i := range idx {
		for j, a := range q.a[i] {
			r := w[j] - q.c[i][j]
			f += p[k] * 0.5 * a * r * r
			if g != nil {
				g[j] += p[k] * a * r
			}
		}
	}
	return f
}
func (q *quadSamples) Losses(dst, w []float64, idx []int) {
	for k, i := range idx {
		dst[k] = 0
		for j, a := range q.a[i] {
			r := w[j] - q.c[i][j]
			dst[k] += 0.5 * a * r * r
		}
	}
}

// plainObj hides every optional method of an objective (WeightedLossGrad in particular).
type plainObj struct{ o nn.Objective }

func (p plainObj) Dim() int                                   { return p.o.Dim() }
func (p plainObj) Len() int                                   { return p.o.Len() }
func (p plainObj) LossGrad(g, w []float64, idx []int) float64 { return p.o.LossGrad(g, w, idx) }
func (p plainObj) Losses(dst, w []float64, idx []int)         { p.o.Losses(dst, w, idx) }

// weightedOnly hides DiagNet.LossGradWeighted but keeps WeightedLossGrad.
type weightedOnly struct{ *DiagNet }

func (weightedOnly) LossGradWeighted() {}

// zeroSumSigns calls f with every vector of K signs having ⌊K/2⌋ entries +1, ⌊K/2⌋ entries
// −1 and (K odd) one 0: the support of drawSigns, each equally likely.
func zeroSumSigns(k int, f func(s []float64)) {
	s := make([]float64, k)
	var rec func(j, plus, minus, zero int)
	rec = func(j, plus, minus, zero int) {
		if j == k {
			f(s)
			return
		}
		for _, c := range []struct {
			v    float64
			left int
		}{{1, plus}, {-1, minus}, {0, zero}} {
			if c.left == 0 {
				continue
			}
			s[j] = c.v
			switch c.v {
			case 1:
				rec(j+1, plus-1, minus, zero)
			case -1:
				rec(j+1, plus, minus-1, zero)
			default:
				rec(j+1, plus, minus, zero-1)
			}
		}
	}
	rec(0, k/2, k/2, k%2)
}

// virtualReference is one VirtualMicro direction computed from its definition with
// per-sample gradients: p_i = (1 + b s_{u(i)})/B, g_p = Σ p_i g_i, ε = ρ g_p (USAM) or
// ρ g_p/‖g_p‖, d = g_B + [Σ p_i ∇ℓ_i(w + ε) − g_p] − [∇f_B(w + ε) − g_B].
func virtualReference(obj nn.Objective, w []float64, batch []int, m int, s []float64, rho float64, nm Norm) []float64 {
	b, k, n := len(batch), len(batch)/m, len(w)
	v := 1.0
	if k%2 == 1 {
		v = float64(k-1) / float64(k)
	}
	amp := math.Sqrt(float64(k-1) / v)
	gi := make([]float64, n)
	gB, gp := make([]float64, n), make([]float64, n)
	for r, i := range batch {
		obj.LossGrad(gi, w, []int{i})
		p := (1 + amp*s[r/m]) / float64(b)
		for j := range gi {
			gB[j] += gi[j] / float64(b)
			gp[j] += p * gi[j]
		}
	}
	c := rho
	if nm == Normalized {
		c = rho / (norm(gp) + 1e-12)
	}
	wp := make([]float64, n)
	for j := range wp {
		wp[j] = w[j] + c*gp[j]
	}
	d := make([]float64, n)
	for r, i := range batch {
		obj.LossGrad(gi, wp, []int{i})
		p := (1 + amp*s[r/m]) / float64(b)
		for j := range gi {
			d[j] += (p - 1/float64(b)) * gi[j]
		}
	}
	for j := range d {
		d[j] += 2*gB[j] - gp[j]
	}
	return d
}

// The step direction matches virtualReference for fixed signs (the uncapped step,
// DriftTrust = +Inf; TestVirtualMicroDriftTrust checks the cap), on the fused path
// (DiagNet.LossGradWeighted), the two-pass weighted path (quadSamples) and the sign-group
// path of plain objectives.
func TestVirtualMicroMatchesDefinition(t *testing.T) {
	dn, wd := smallTask(41, 16, 5)
	qs := newQuadSamples(42, 16, 5)
	wq := randVec(rand.New(rand.NewPCG(43, 1)), 5, 1)
	batch := []int{3, 9, 0, 14, 7, 1, 12, 5, 2, 11, 8, 15}
	for _, c := range []struct {
		name string
		obj  nn.Objective
		w    []float64
	}{{"diagnet", dn, wd}, {"diagnet weighted", weightedOnly{dn}, wd}, {"diagnet plain", plainObj{dn}, wd},
		{"quad", qs, wq}, {"quad plain", plainObj{qs}, wq}} {
		for _, m := range []int{1, 2, 3, 4} { // K = 12, 6, 4, 3
			for _, nm := range []Norm{Normalized, Unnormalized} {
				k := len(batch) / m
				s := make([]float64, k)
				for j := range s {
					s[j] = float64(1 - 2*(j*5%3%2)) // a fixed mixed pattern
				}
				if k%2 == 1 {
					s[k-1] = 0
				}
				rec := &recorder{}
				opt := &RWSAM{Base: rec, Rho: 0.3, Norm: nm, EquivM: m, DriftTrust: math.Inf(1), forceSigns: s}
				if _, err := opt.Step(c.w, c.obj, batch); err != nil {
					t.Fatal(err)
				}
				want := virtualReference(c.obj, c.w, batch, m, s, 0.3, nm)
				// Sums of ≤ 12 O(1) terms in a different order: a few ulps.
				if e := dist(rec.g, want); e > 1e-13*(1+norm(want)) {
					t.Errorf("%s m=%d %v: ‖d − reference‖ = %g", c.name, m, nm, e)
				}
			}
		}
	}
}

// Averaged over every zero-sum sign vector (the sign distribution, uniform), the uncapped
// (DriftTrust = +Inf) USAM-form direction on quadratic losses is g_B + (d_mUSAM − d_USAM): the gradient plus m-USAM's
// variance drift ρ(1/K)Σ_j H_{γ_j} g_{γ_j} − ρ H_B g_B over the same consecutive units,
// exactly (quadratic losses: no O(ρ²) remainder); and E‖g_p‖² = (1/K)Σ_j ‖g_{γ_j}‖² (the
// SGN identity for one m-sample unit).
func TestVirtualMicroUnbiasedForVarianceDrift(t *testing.T) {
	qs := newQuadSamples(44, 12, 6)
	w := randVec(rand.New(rand.NewPCG(45, 1)), 6, 1)
	batch := []int{4, 11, 0, 7, 2, 9, 5, 1, 10, 3, 8, 6}
	for _, m := range []int{1, 2, 3, 4, 6} {
		ms, us := &recorder{}, &recorder{}
		if _, err := (&SAM{Base: ms, Rho: 0.2, Norm: Unnormalized, Micro: m}).Step(w, qs, batch); err != nil {
			t.Fatal(err)
		}
		if _, err := (&SAM{Base: us, Rho: 0.2, Norm: Unnormalized}).Step(w, qs, batch); err != nil {
			t.Fatal(err)
		}
		gB := make([]float64, len(w))
		qs.LossGrad(gB, w, batch)
		want := make([]float64, len(w))
		for i := range want {
			want[i] = gB[i] + ms.g[i] - us.g[i]
		}
		k := len(batch) / m
		var unitSq float64
		g := make([]float64, len(w))
		for j := range k {
			qs.LossGrad(g, w, batch[j*m:(j+1)*m])
			unitSq += dot(g, g) / float64(k)
		}
		mean := make([]float64, len(w))
		var cnt, gpSq float64
		zeroSumSigns(k, func(s []float64) {
			rec := &recorder{}
			opt := &RWSAM{Base: rec, Rho: 0.2, Norm: Unnormalized, EquivM: m, DriftTrust: math.Inf(1), forceSigns: s}
			if _, err := opt.Step(w, qs, batch); err != nil {
				t.Fatal(err)
			}
			for i := range mean {
				mean[i] += rec.g[i]
			}
			gpSq += dot(opt.gp, opt.gp)
			cnt++
		})
		scale(mean, 1/cnt)
		gpSq /= cnt
		// Averages of ≤ 924 directions of norm O(1): rounding of order 1e-15 per term.
		if e := dist(mean, want); e > 1e-12*(1+norm(want)) {
			t.Errorf("m=%d (K=%d): ‖E[d] − (g_B + d_mUSAM − d_USAM)‖ = %g (‖·‖ = %g)", m, k, e, norm(want))
		}
		if math.Abs(gpSq-unitSq) > 1e-12*unitSq {
			t.Errorf("m=%d: E‖g_p‖² = %v, mean unit ‖g_γ‖² = %v", m, gpSq, unitSq)
		}
	}
}

// drawSigns gives a zero-sum vector with the counts of zeroSumSigns, a different one from
// step to step; with one unit (or a batch of one) there is no variance drift and the step
// is the plain gradient.
func TestVirtualMicroSignsAndOneUnit(t *testing.T) {
	r := &RWSAM{Seed: 3}
	seen := map[string]bool{}
	for range 20 {
		for _, k := range []int{2, 5, 16} {
			amp := r.drawSigns(k)
			var sum, sq float64
			for _, s := range r.signs {
				sum += s
				sq += s * s
			}
			if sum != 0 || sq != float64(2*(k/2)) {
				t.Fatalf("K=%d signs %v: sum %v, nonzero %v", k, r.signs, sum, sq)
			}
			v := 1.0
			if k%2 == 1 {
				v = float64(k-1) / float64(k)
			}
			if want := math.Sqrt(float64(k-1) / v); amp != want {
				t.Errorf("K=%d: amplitude %v, want %v", k, amp, want)
			}
			if k == 16 {
				seen[fmtSigns(r.signs)] = true
			}
		}
	}
	if len(seen) < 15 {
		t.Errorf("only %d distinct sign vectors in 20 draws of 16 units", len(seen))
	}
	// EquivM = B: one unit, b = 0, p_i = 1/B: d = g_B up to the rounding of the weighted
	// sums (a few ulps of O(1) gradients).
	dn, w := smallTask(46, 8, 4)
	a := &recorder{}
	if _, err := (&RWSAM{Base: a, Rho: 0.2, EquivM: 8}).Step(w, dn, seq(8)); err != nil {
		t.Fatal(err)
	}
	g := make([]float64, len(w))
	dn.LossGrad(g, w, seq(8))
	if e := dist(a.g, g); e > 1e-14*(1+norm(g)) {
		t.Errorf("one unit: ‖d − g_B‖ = %g", e)
	}
	// The default m: 4 for B = 128 and 20, 2 for B = 10, 3 for B = 6, 1 for B = 2 and 7, B for B = 1.
	for b, want := range map[int]int{128: 4, 20: 4, 10: 2, 6: 3, 2: 1, 1: 1, 7: 1} {
		if got := (&RWSAM{}).equivM(b); got != want {
			t.Errorf("equivM(%d) = %d, want %d", b, got, want)
		}
	}
}

func fmtSigns(s []float64) string {
	var sb strings.Builder
	for _, v := range s {
		switch v {
		case 1:
			sb.WriteByte('+')
		case -1:
			sb.WriteByte('-')
		default:
			sb.WriteByte('0')
		}
	}
	return sb.String()
}

func TestVirtualMicroBadInput(t *testing.T) {
	obj, w := smallTask(47, 8, 3)
	nan := append([]float64(nil), w...)
	nan[1] = math.NaN()
	cases := []struct {
		opt  *RWSAM
		w    []float64
		want string
	}{
		{&RWSAM{Base: &SGD{}, Rho: 0.1, EquivM: 3}, w, "RWSAM.EquivM = 3 does not divide len(batch) = 8"},
		{&RWSAM{Base: &SGD{}, Rho: 0.1, EquivM: -2}, w, "RWSAM.EquivM = -2 must be >= 0"},
		{&RWSAM{Base: &SGD{}, Rho: 0.1, Temperature: 2}, w, "RWSAM.Temperature = 2 applies to Form = GibbsAscent or Corrections only"},
		{&RWSAM{Base: &SGD{}, Rho: 0.1, Temperature: math.NaN()}, w, "RWSAM.Temperature = NaN"},
		{&RWSAM{Form: GibbsAscent, Base: &SGD{}, Rho: 0.1, Temperature: math.NaN()}, w, "RWSAM.Temperature = NaN"},
		{&RWSAM{Base: &SGD{}, Rho: 0.1, Score: &ExactNorm{}}, w, "RWSAM.Score = *sam.ExactNorm applies"},
		{&RWSAM{Base: &SGD{}, Rho: math.NaN()}, w, "Rho = NaN"},
		{&RWSAM{Base: &SGD{}, Rho: 0.1}, nan, "w[1] = NaN"},
		{&RWSAM{Base: &SGD{}, Rho: 0.1, ClipNorm: math.NaN()}, w, "ClipNorm = NaN"},
	}
	for _, c := range cases {
		if _, err := c.opt.Step(c.w, obj, seq(8)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: err = %v, want %q", *c.opt, err, c.want)
		}
	}
}

// A non-finite loss or gradient stops the step with an error and leaves w unchanged, on
// both the weighted and the sign-group path.
func TestVirtualMicroNonFinite(t *testing.T) {
	dn, w := smallTask(48, 8, 3)
	dn.Y[5] = math.Inf(1)
	for _, obj := range []nn.Objective{dn, plainObj{dn}} {
		w0 := append([]float64(nil), w...)
		rec := &recorder{}
		if _, err := (&RWSAM{Base: rec, Rho: 0.1, Seed: 1}).Step(w, obj, seq(8)); err == nil || !strings.Contains(err.Error(), "not finite") {
			t.Errorf("%T: err = %v, want a non-finite error", obj, err)
		}
		if rec.n != 0 || !bitsEqual(w, w0) {
			t.Errorf("%T: base called %d times, w changed %v", obj, rec.n, !bitsEqual(w, w0))
		}
	}
}

// The zero value costs two passes over the whole batch on a DualGrader, three on a
// WeightedLossGrader, and on a plain objective four sign-group passes that cover the batch
// twice in total (K = 4 units of 4: two groups of 8 at w and at w + ε).
func TestVirtualMicroCost(t *testing.T) {
	dn, w := smallTask(49, 16, 3)
	opt := &RWSAM{Base: &SGD{LR: 0.01}, Rho: 0.1, Seed: 2}
	for _, c := range []struct {
		obj             nn.Objective
		passes, samples int
	}{{dn, 2, 32}, {weightedOnly{dn}, 3, 48}, {plainObj{dn}, 4, 32}} {
		if _, err := opt.Step(w, c.obj, seq(16)); err != nil {
			t.Fatal(err)
		}
		if got := opt.LastCost(); got.Forward != c.passes || got.BackwardSamples != c.samples || got.Serial != c.passes {
			t.Errorf("%T: cost %+v, want %d passes, %d samples", c.obj, got, c.passes, c.samples)
		}
	}
}
