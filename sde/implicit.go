package sde

import (
	"fmt"
	"math"
)

// ImplicitEuler is the drift-implicit Euler scheme (stochastic θ-method)
//
//	X_{n+1} = X_n + [θ f(t_{n+1}, X_{n+1}) + (1−θ) f(t_n, X_n)] h + g(t_n, X_n) ΔW_n,
//
// for stiff drifts: the drift is taken implicitly, the noise explicitly
// (Itô). The stage equation for X_{n+1} is solved by Newton iterations
// (see Newton). On the linear test equation dX = λX dt + μX dW it is
// mean-square stable iff
//
//	(1 + (1−θ)λh)² + μ²h < (1 − θλh)²,
//
// which for θ = 1 holds whenever the equation itself is mean-square stable
// (2λ + μ² < 0), for every h; Euler–Maruyama (θ = 0) needs
// (1 + λh)² + μ²h < 1 (docs/derivations/sde-implicit.md). Strong order 0.5
// (1 on additive noise), weak order 1, as Euler–Maruyama, for every noise
// kind.
type ImplicitEuler struct {
	// Theta is the implicitness θ in [0, 1]; the zero value means θ = 1
	// (backward Euler in the drift). θ = 0 is Euler–Maruyama: use
	// EulerMaruyama for it. θ = ½ is the trapezoidal rule in the drift.
	Theta float64
	// Newton configures the stage solve; the zero value means defaults.
	Newton Newton
}

// ImplicitMilstein is the drift-implicit Milstein scheme: the θ-method's
// implicit drift with Milstein's explicit noise terms,
//
//	X_{n+1} = X_n + [θ f(t_{n+1}, X_{n+1}) + (1−θ) f(t_n, X_n)] h + g ΔW + ½ (L g)(ΔW² − h)
//
// (no −h in the Stratonovich form), with L g = (∂g/∂x) g from
// System.DiffusionDeriv or, with DerivativeFree, the difference of g used
// by Milstein. Strong order 1 and weak order 1 for commuting noise
// (Diagonal, Scalar, Additive); General noise is not supported. On the
// linear test equation its mean-square amplification is
// ((1 + (1−θ)λh)² + μ²h + μ⁴h²/2) / (1 − θλh)².
//
// Large steps: as for ImplicitEuler, the stage returns the consistent root
// (the branch from θh = 0; det(I − θh ∂f/∂x) > 0) or an error naming the
// step where none exists.
type ImplicitMilstein struct {
	// Theta is the implicitness θ in [0, 1]; the zero value means θ = 1.
	Theta float64
	// DerivativeFree replaces System.DiffusionDeriv by a difference of g
	// (as in Milstein).
	DerivativeFree bool
	// Stratonovich selects the Stratonovich form of the noise terms.
	Stratonovich bool
	// Newton configures the stage solve; the zero value means defaults.
	Newton Newton
}

// resolveTheta applies the default θ = 1 to zero and checks the range.
func resolveTheta(owner string, th float64) (float64, error) {
	if math.IsNaN(th) || th < 0 || th > 1 {
		return 0, fmt.Errorf("sde: %s.Theta = %v, want in [0, 1] (0 means the default 1)", owner, th)
	}
	if th == 0 {
		return 1, nil
	}
	return th, nil
}

// thetaName appends θ to name when it is not the default 1.
func thetaName(name string, th float64) string {
	if th == 0 || th == 1 {
		return name
	}
	return fmt.Sprintf("%s(θ=%g)", name, th)
}

// Name returns "ImplicitEuler", with θ if it is not 1.
func (m ImplicitEuler) Name() string { return thetaName("ImplicitEuler", m.Theta) }

// Calculus returns Ito.
func (ImplicitEuler) Calculus() Calculus { return Ito }

// Order returns Euler–Maruyama's orders: strong 0.5 (1 for Additive),
// weak 1.
func (ImplicitEuler) Order(k NoiseKind) (strong, weak float64) { return EulerMaruyama{}.Order(k) }

// LevyArea returns false.
func (ImplicitEuler) LevyArea() bool { return false }

// NewStepper returns an implicit Euler stepper for sys, or an error naming
// an invalid Theta or Newton field.
func (m ImplicitEuler) NewStepper(sys *System) (Stepper, error) {
	th, err := resolveTheta("ImplicitEuler", m.Theta)
	if err != nil {
		return nil, err
	}
	if err := checkKind(m, sys); err != nil {
		return nil, err
	}
	return newImplicitStepper(sys, m.Name(), "ImplicitEuler", th, m.Newton, func(e *System) Stepper {
		return &emStepper{newScratch(e)}
	})
}

// Name returns "ImplicitMilstein" with its variant and θ if it is not 1.
func (m ImplicitMilstein) Name() string {
	n := "ImplicitMilstein"
	if m.DerivativeFree {
		n += "DF"
	}
	if m.Stratonovich {
		n += "(Strat)"
	}
	return thetaName(n, m.Theta)
}

// Calculus returns Stratonovich if m.Stratonovich is set, else Ito.
func (m ImplicitMilstein) Calculus() Calculus { return m.explicit().Calculus() }

// Order returns Milstein's orders: strong 1 and weak 1 for Diagonal,
// Scalar and Additive noise.
func (m ImplicitMilstein) Order(k NoiseKind) (strong, weak float64) { return m.explicit().Order(k) }

// LevyArea returns false.
func (ImplicitMilstein) LevyArea() bool { return false }

func (m ImplicitMilstein) explicit() Milstein {
	return Milstein{DerivativeFree: m.DerivativeFree, Stratonovich: m.Stratonovich}
}

// NewStepper returns a drift-implicit Milstein stepper for sys. Without
// DerivativeFree, sys.DiffusionDeriv must be set unless the noise is
// Additive.
func (m ImplicitMilstein) NewStepper(sys *System) (Stepper, error) {
	th, err := resolveTheta("ImplicitMilstein", m.Theta)
	if err != nil {
		return nil, err
	}
	if err := checkKind(m, sys); err != nil {
		return nil, err
	}
	if !m.DerivativeFree && sys.Noise != Additive && sys.DiffusionDeriv == nil {
		return nil, fmt.Errorf("sde: ImplicitMilstein with DerivativeFree = false needs System.DiffusionDeriv, which is nil")
	}
	return newImplicitStepper(sys, m.Name(), "ImplicitMilstein", th, m.Newton, func(e *System) Stepper {
		return &milsteinStepper{scratch: newScratch(e), m: m.explicit()}
	})
}

// implicitStepper computes the explicit part
//
//	c = X_n + (1−θ)h f(t_n, X_n) + (noise terms of the base scheme)
//
// by one step of the explicit base scheme (EulerMaruyama or Milstein) on
// the System whose drift is scaled by 1−θ (explicitPart), and solves
// y − θh f(t_{n+1}, y) = c for X_{n+1} = y by Newton with continuation from
// y = c (newtonStage.solve), which picks the consistent root.
// Computing c directly, rather than as the full explicit step minus
// θh f(t_n, X_n), avoids a cancellation of relative size |λh|·ε on stiff
// problems. If the stage fails Step writes NaN into dst (which the solver
// sees as a non-finite state) and keeps the error for stageError until the
// next Reset.
type implicitStepper struct {
	base  Stepper // the explicit scheme on explicitPart(sys, 1−θ)
	theta float64
	stage newtonStage
	c     []float64
	err   error
}

// explicitPart returns a System equal to sys except that its drift is
// scaled by w (its DriftDiffusion evaluates sys's drift and diffusion in
// one call when sys can).
func explicitPart(sys *System, w float64) *System {
	gs := padded(sys.DiffusionLen())
	fs := padded(sys.Dim)
	e := *sys
	e.BatchDriftDiffusion = nil
	e.Drift = func(f []float64, t float64, x []float64) {
		sys.drift(f, gs, t, x)
		for i := range f {
			f[i] *= w
		}
	}
	e.Diffusion = func(g []float64, t float64, x []float64) { sys.diffusion(fs, g, t, x) }
	e.DriftDiffusion = func(f, g []float64, t float64, x []float64) {
		sys.both(f, g, t, x)
		for i := range f {
			f[i] *= w
		}
	}
	return &e
}

func newImplicitStepper(sys *System, name, owner string, theta float64, nw Newton, base func(*System) Stepper) (Stepper, error) {
	tol, it, err := nw.resolve(owner)
	if err != nil {
		return nil, err
	}
	return &implicitStepper{
		base: base(explicitPart(sys, 1-theta)), theta: theta,
		stage: newNewtonStage(sys, name, tol, it),
		c:     padded(sys.Dim),
	}, nil
}

func (s *implicitStepper) Step(dst []float64, t, h float64, x, dw, u []float64) {
	c := s.c
	s.base.Step(c, t, h, x, dw, u)
	dst = dst[:len(c)]
	copy(dst, x) // the starting guess X_n (dst and x may be the same)
	if !finite(c) {
		return // a non-finite explicit part: the solver reports the state
	}
	if err := s.stage.solve(dst, t+h, h, s.theta*h, c); err != nil {
		if s.err == nil {
			s.err = err
		}
		for i := range dst {
			dst[i] = math.NaN()
		}
	}
}

// Reset forgets the stage error of the previous path (the scheme is
// one-step and keeps no other state).
func (s *implicitStepper) Reset(float64, []float64) { s.err = nil }

// stageErr returns the error of the first stage solve that failed since
// the last Reset, or nil. A failed stage makes the state NaN, which ends
// the solve, so this is the cause of that end (the adaptive loop may take
// further trial steps on the same path before it notices).
func (s *implicitStepper) stageErr() error { return s.err }

// stageError returns the error of st's last implicit stage if st is an
// implicit stepper whose last stage failed, else nil. The solvers call it
// when a step produced a non-finite state, to report the cause.
func stageError(st Stepper) error {
	if s, ok := st.(interface{ stageErr() error }); ok {
		return s.stageErr()
	}
	return nil
}
