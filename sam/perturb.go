package sam

import (
	"fmt"
	"gonum.org/v1/gonum/floats"
	"math"

	"github.com/sdeml/sdeml/nn"
)

// Norm selects how a perturbation is scaled from the ascent gradient u.
type Norm int

const (
	// Normalized is SAM's ε = ρ T²u/‖Tu‖ (‖T⁻¹ε‖ = ρ; T = I unless adaptive).
	Normalized Norm = iota
	// Unnormalized is USAM's ε = ρ T²u (‖ε‖ = ρ‖u‖ when T = I).
	Unnormalized
	// Unified is Oikonomou & Loizou's ε = ρ(1 − λ + λ/‖Tu‖) T²u with λ = Lambda
	// (λ = 1 is SAM, λ = 0 is USAM).
	Unified
)

// perturbation is the ascent step shared by the SAM family. With g the ascent gradient at w
// on the ascent samples, u = g + AscentWD·w (the gradient of f + AscentWD‖w‖²/2, so weight
// decay enters the ascent only if AscentWD > 0) and T = diag(t) with t_i = |w_i| + Eta if
// Adaptive (and AdaptiveMask is nil or AdaptiveMask[i]), t_i = 1 otherwise (ASAM, Kwon et
// al. 2021; Eta = 0 is davda54's |w|, the official code uses Eta = 0.01 on weights only),
//
//	ε = ρ·s(‖Tu‖)·T²u,   s(n) = 1/(n+eps) (Normalized), 1 (Unnormalized), 1−λ+λ/(n+eps) (Unified).
//
// If ‖Tu‖ = 0 (a zero gradient) ε = 0: the zero-gradient guard.
//
// AscentSteps > 1 repeats the ascent from w + ε (A&F's multi-step SAM): each step
// re-evaluates the gradient at w + ε on the same samples and adds AscentStepSize (default ρ)
// times the scaled direction; for the Normalized form ε is then projected back onto the ball
// ‖T⁻¹ε‖ ≤ ρ. Each extra step costs one more pass.
//
// AscentClip > 0 clips the Euclidean norm of u before it is scaled: u ← u·min(1, C/‖u‖)
// with C = AscentClip, the whole vector at once (never per coordinate, so the direction of
// u is kept). The Normalized form divides by ‖Tu‖ and so does not change with the clip
// (up to rounding); USAM and the Unified form do.
type perturbation struct {
	Rho            float64
	Norm           Norm
	Lambda         float64
	Adaptive       bool
	Eta            float64
	AdaptiveMask   []bool
	AscentSteps    int
	AscentStepSize float64
	AscentWD       float64
	AscentClip     float64
	// Eps is added to the norm in the Normalized and Unified forms: 0 means the common
	// 1e-12 (davda54, Keras, Composer), a negative value means none (google-research).
	Eps float64
}

// Validate returns an error naming the first invalid field.
func (p *perturbation) Validate() error {
	switch {
	case p.Rho < 0 || !finite(p.Rho):
		return fmt.Errorf("sam: Rho = %v must be finite and >= 0", p.Rho)
	case p.Norm < Normalized || p.Norm > Unified:
		return fmt.Errorf("sam: Norm = %d is not Normalized, Unnormalized or Unified", int(p.Norm))
	case p.Lambda < 0 || p.Lambda > 1 || math.IsNaN(p.Lambda):
		return fmt.Errorf("sam: Lambda = %v must be in [0, 1]", p.Lambda)
	case p.Eta < 0 || !finite(p.Eta):
		return fmt.Errorf("sam: Eta = %v must be finite and >= 0", p.Eta)
	case p.AscentSteps < 0:
		return fmt.Errorf("sam: AscentSteps = %d must be >= 0", p.AscentSteps)
	case p.AscentStepSize < 0 || !finite(p.AscentStepSize):
		return fmt.Errorf("sam: AscentStepSize = %v must be finite and >= 0", p.AscentStepSize)
	case p.AscentWD < 0 || !finite(p.AscentWD):
		return fmt.Errorf("sam: AscentWD = %v must be finite and >= 0", p.AscentWD)
	case math.IsNaN(p.Eps) || math.IsInf(p.Eps, 0):
		return fmt.Errorf("sam: Eps = %v must be finite", p.Eps)
	case p.AscentClip < 0 || !finite(p.AscentClip):
		return fmt.Errorf("sam: AscentClipNorm = %v must be finite and >= 0", p.AscentClip)
	}
	return nil
}

func (p *perturbation) eps() float64 {
	switch {
	case p.Eps == 0:
		return 1e-12
	case p.Eps < 0:
		return 0
	}
	return p.Eps
}

func (p *perturbation) lambda() float64 {
	switch p.Norm {
	case Normalized:
		return 1
	case Unnormalized:
		return 0
	}
	return p.Lambda
}

// scales fills t with the ASAM scales t_i for parameters w, or returns nil if not adaptive.
func (p *perturbation) scales(t, w []float64) []float64 {
	if !p.Adaptive {
		return nil
	}
	if p.AdaptiveMask != nil && len(p.AdaptiveMask) != len(w) {
		panic(fmt.Sprintf("sam: len(AdaptiveMask) = %d, len(w) = %d", len(p.AdaptiveMask), len(w)))
	}
	t = resize(t, len(w))
	for i, x := range w {
		if p.AdaptiveMask == nil || p.AdaptiveMask[i] {
			t[i] = math.Abs(x) + p.Eta
		} else {
			t[i] = 1
		}
	}
	return t
}

// scratch is the per-worker memory for one perturbed-gradient unit.
type scratch struct {
	g, wp, delta, tmp []float64
	// gnorm is ‖T u‖ of the first ascent step, set by perturb when ρ > 0.
	gnorm, tmpNorm float64
	// keep is set by the engine while a unit runs alone in its round: the scratch is then
	// not reused before the unit's vector is reduced, so unit may return scratch memory as
	// the vector to subtract.
	keep bool
}

func (s *scratch) ensure(n int) {
	s.g = resize(s.g, n)
	s.wp = resize(s.wp, n)
}

// perturb sets s.wp = w + ε for the ascent samples asc, given g0 = ∇f_asc(w) (usually
// s.g); t are the ASAM scales (nil: T = I). It returns false, with s.wp = w, if ε = 0
// (ρ = 0 or the zero-gradient guard). Extra ascent passes are counted in c.
func (p *perturbation) perturb(s *scratch, g0, t, w []float64, obj nn.Objective, asc []int, c *Cost) bool {
	steps := max(p.AscentSteps, 1)
	if p.Rho == 0 {
		copy(s.wp, w)
		return false
	}
	if steps == 1 {
		coef, ok := p.coef(p.Rho, g0, w, nil, t, &s.gnorm)
		if !ok {
			copy(s.wp, w)
			return false
		}
		p.move(s.wp, w, coef, g0, w, t)
		return true
	}
	n := len(w)
	s.delta, s.tmp = resize(s.delta, n), resize(s.tmp, n)
	clear(s.delta)
	alpha := p.AscentStepSize
	if alpha == 0 {
		alpha = p.Rho
	}
	moved := false
	g := g0
	for r := 0; r < steps; r++ {
		if r > 0 {
			obj.LossGrad(s.tmp, s.wp, asc)
			c.grad(len(asc))
			g = s.tmp
		}
		nrm := &s.tmpNorm
		if r == 0 {
			nrm = &s.gnorm
		}
		coef, ok := p.coef(alpha, g, s.wp, w, t, nrm)
		if ok {
			moved = true
			for i := range s.delta {
				ti := 1.0
				if t != nil {
					ti = t[i]
				}
				s.delta[i] += coef * ti * ti * (g[i] + p.AscentWD*s.wp[i])
			}
			if p.Norm == Normalized {
				p.project(s.delta, t)
			}
		}
		for i := range s.wp {
			s.wp[i] = w[i] + s.delta[i]
		}
		if !ok {
			break
		}
	}
	return moved
}

// coef returns the factor ρ·s(‖Tu‖) for u = g + AscentWD·x, and false if ‖Tu‖ = 0; it
// stores ‖Tu‖ in *nrm. x are the parameters at which g was taken (nil means w0 = the
// unperturbed w).
func (p *perturbation) coef(rho float64, g, x, w0, t []float64, nrm *float64) (float64, bool) {
	if x == nil {
		x = w0
	}
	var ss float64
	if t == nil && p.AscentWD == 0 {
		ss = dot(g, g)
	} else {
		ss = p.sqNorm(g, x, t)
	}
	n := math.Sqrt(ss)
	*nrm = n
	if n == 0 {
		return 0, false
	}
	c := p.clipFactor(n, g, x, t)
	n *= c // ‖T u_c‖ of the clipped u_c = c·u
	l := p.lambda()
	return rho * (1 - l + l/(n+p.eps())) * c, true
}

// clipFactor returns min(1, AscentClip/‖u‖) for u = g + AscentWD·x (1 without a clip); tn
// is ‖Tu‖, which is ‖u‖ when T = I.
func (p *perturbation) clipFactor(tn float64, g, x, t []float64) float64 {
	if p.AscentClip <= 0 {
		return 1
	}
	un := tn
	if t != nil {
		un = math.Sqrt(p.sqNorm(g, x, nil))
	}
	if un > p.AscentClip {
		return p.AscentClip / un
	}
	return 1
}

// sqNorm returns ‖T(g + AscentWD·x)‖².
func (p *perturbation) sqNorm(g, x, t []float64) float64 {
	var ss float64
	for i, gi := range g {
		u := gi + p.AscentWD*x[i]
		if t != nil {
			u *= t[i]
		}
		ss += u * u
	}
	return ss
}

// move sets dst = w + coef·T²(g + AscentWD·w).
func (p *perturbation) move(dst, w []float64, coef float64, g, x, t []float64) {
	wd := p.AscentWD
	if t == nil && wd == 0 {
		floats.AddScaledTo(dst, w[:len(dst)], coef, g[:len(dst)]) // w_i + coef·g_i, vectorized
		return
	}
	if t == nil {
		for i, gi := range g {
			dst[i] = w[i] + coef*(gi+wd*x[i])
		}
		return
	}
	for i, gi := range g {
		dst[i] = w[i] + coef*t[i]*t[i]*(gi+wd*x[i])
	}
}

// project rescales δ so that ‖T⁻¹δ‖ <= ρ.
func (p *perturbation) project(delta, t []float64) {
	var ss float64
	for i, d := range delta {
		if t != nil {
			if t[i] == 0 {
				continue
			}
			d /= t[i]
		}
		ss += d * d
	}
	if n := math.Sqrt(ss); n > p.Rho {
		scale(delta, p.Rho/n)
	}
}
