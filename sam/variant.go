package sam

import (
	"fmt"
	"math"

	"github.com/sdeml/sdeml/internal/binfmt"
	"github.com/sdeml/sdeml/nn"
)

// pair is the step machinery shared by the SAM variants GSAM, WSAM, ESAM, LookSAM,
// FriendlySAM and IntervalSAM: the batch gradient g = ∇f_γ(w), a SAM perturbation
// ε = ρ u/(‖u‖ + eps) along an ascent direction u (g itself or a variant's u), the gradient
// g_p = ∇f_γ(w + ε) at the perturbed point, and the final direction d handed to Base after
// the Euclidean-norm clip. w is never written before Base.Update.
type pair struct {
	p    perturbation
	sc   scratch   // sc.g = g, sc.wp = w + ε
	gp   []float64 // g_p
	d    []float64 // the final direction
	cost Cost
}

// begin validates the configuration shared by the variants (who names the type in
// errors), sizes the buffers and computes the batch gradient g into v.sc.g. It returns the
// batch loss at w.
func (v *pair) begin(who string, base Updater, rho, eps, clipNorm, ascentClip float64, w []float64, obj nn.Objective, batch []int) (float64, error) {
	v.p = perturbation{Rho: rho, Eps: eps, AscentClip: ascentClip}
	if err := v.p.Validate(); err != nil {
		return 0, fmt.Errorf("%w (%s)", err, who)
	}
	if clipNorm < 0 || !finite(clipNorm) {
		return 0, fmt.Errorf("sam: %s.ClipNorm = %v must be finite and >= 0", who, clipNorm)
	}
	if err := checkStep(base, w, obj, batch); err != nil {
		return 0, err
	}
	n := len(w)
	v.sc.ensure(n)
	v.gp = resize(v.gp, n)
	v.d = resize(v.d, n)
	v.cost = Cost{}
	loss := cleanGrad(obj, v.sc.g, w, batch) // moves a stateful objective's model state once
	v.cost.grad(len(batch))
	return loss, checkFinite(loss, v.sc.g)
}

// ascend sets v.sc.wp = w + ε with ε = ρ u/(‖u‖ + eps) (u clipped first if AscentClipNorm
// is set) and, if ε ≠ 0, writes ∇f_samples(w + ε) into v.gp and returns true. With ε = 0
// (ρ = 0 or u = 0) it copies g into v.gp without a pass and returns false.
func (v *pair) ascend(u, w []float64, obj nn.Objective, samples []int) (bool, error) {
	if !v.p.perturb(&v.sc, u, nil, w, obj, samples, &v.cost) {
		copy(v.gp, v.sc.g)
		return false, nil
	}
	v.perturbed(obj, samples)
	return true, checkFinite(0, v.gp)
}

// perturbed writes ∇f_samples(v.sc.wp) into v.gp and counts the pass.
func (v *pair) perturbed(obj nn.Objective, samples []int) {
	obj.LossGrad(v.gp, v.sc.wp, samples)
	v.cost.grad(len(samples))
}

// finish clips d to clipNorm, checks it and hands it to base at the unperturbed w. Every
// pass of a variant's step runs after the previous one, so Serial = Depth = the number of
// passes.
func (v *pair) finish(base Updater, clipNorm float64, w []float64, loss float64) (float64, error) {
	v.cost.Serial, v.cost.Depth = v.cost.Forward, v.cost.Forward
	if err := checkFinite(loss, v.d); err != nil {
		return loss, err
	}
	clip(v.d, clipNorm)
	base.Update(w, v.d)
	return loss, checkParams(w)
}

// checkUnit returns an error unless x is in [lo, hi] (hiOpen: [lo, hi)); NaN is never in.
func checkRange(field string, x, lo, hi float64, hiOpen bool) error {
	ok := x >= lo && x <= hi && !(hiOpen && x == hi)
	if ok {
		return nil
	}
	r := "]"
	if hiOpen {
		r = ")"
	}
	return fmt.Errorf("sam: %s = %v must be in [%v, %v%s", field, x, lo, hi, r)
}

// orDefaultPos is x, or def if x is 0.
func orDefaultPos(x, def float64) float64 {
	if x == 0 {
		return def
	}
	return x
}

// projOut sets dst = a − (⟨a, b⟩/‖b‖²) b, the component of a orthogonal to b (dst = a if
// b = 0), and returns ‖b‖.
func projOut(dst, a, b []float64) float64 {
	bb := dot(b, b)
	if bb == 0 {
		copy(dst, a)
		return 0
	}
	c := dot(a, b) / bb
	for i := range dst {
		dst[i] = a[i] - c*b[i]
	}
	return math.Sqrt(bb)
}

// countState encodes Base's state and a step count t.
func countState(who string, base Updater, t int) ([]byte, error) {
	bs, err := baseState(who, base)
	if err != nil {
		return nil, err
	}
	e := binfmt.NewBody()
	e.Blob(bs)
	e.Int(t)
	return e.Bytes(), nil
}

// restoreCount decodes what countState wrote into Base and *t.
func restoreCount(who string, base Updater, t *int, b []byte) error {
	d := binfmt.NewDecoder(b)
	bs := d.Blob(who + " Base state")
	n := d.Int(who+" step count", 0, 1<<62)
	if err := d.Err(); err != nil {
		return fmt.Errorf("sam: %s.UnmarshalState: %w", who, err)
	}
	if err := restoreBase(who, base, bs); err != nil {
		return err
	}
	*t = n
	return nil
}
