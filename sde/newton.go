package sde

import (
	"fmt"
	"math"
)

// Defaults of the Newton iterations of the implicit methods.
const (
	// DefaultNewtonTol is the default Newton.Tol.
	DefaultNewtonTol = 1e-10
	// DefaultNewtonMaxIter is the default Newton.MaxIter.
	DefaultNewtonMaxIter = 50
)

// Newton configures the Newton iterations that solve the stage equation
//
//	F(y) = y − θh f(t+h, y) − c = 0
//
// of the implicit methods. Each iteration evaluates the residual F(y) and
// the Jacobian J = ∂f/∂x(t+h, y) (System.DriftJacobian, or forward
// differences of the drift with increments √ε·max(1, |y_j|)), solves
// (I − θhJ) δ = F(y) by a dense LU factorisation with partial pivoting,
// and sets y ← y − δ. The zero value means the defaults.
//
// At a large step on a nonlinear drift the stage equation can have several
// roots. The stage returns the consistent one: the end of the root branch
// of y − λθh f(t+h, y) = c that starts at y = c for λ = 0, i.e. the root
// that tends to X_n as h → 0. On that branch det(I − θhJ) > 0, so a root
// with det(I − θhJ) ≤ 0 is never returned. The branch is followed by
// continuation in λ: a first Newton solve at λ = 1 from y = c, accepted
// only if every Newton matrix has a positive determinant and every full
// step contracts (the simplified correction after a step is at most half
// the step: Deuflhard's test, which keeps the iterates on the branch they
// started near), else Δλ is halved and the branch followed in smaller
// parts. If the branch folds before λ = 1 (no consistent root exists at
// this step size) the solve stops with an error naming the step's times
// and size. See docs/derivations/sde-implicit.md §3 for what this
// guarantees.
type Newton struct {
	// Tol: the iteration has converged when |δ_i| ≤ Tol·max(1, |y_i|) for
	// every component. 0 means DefaultNewtonTol (1e-10); Newton's quadratic
	// convergence leaves the returned y within about Tol² of the root.
	Tol float64
	// MaxIter bounds the Newton iterations of each continuation step (one
	// step, from λ = 0 to 1, is all a mildly nonlinear or a linear stage
	// needs). 0 means DefaultNewtonMaxIter (50).
	MaxIter int
}

// resolve returns the tolerance and iteration cap with defaults applied,
// or an error naming the field (owner is the method's name).
func (n Newton) resolve(owner string) (float64, int, error) {
	tol, it := n.Tol, n.MaxIter
	if math.IsNaN(tol) || tol < 0 || math.IsInf(tol, 0) {
		return 0, 0, fmt.Errorf("sde: %s.Newton.Tol = %v, want ≥ 0 and finite (0 for the default %g)", owner, tol, float64(DefaultNewtonTol))
	}
	if it < 0 {
		return 0, 0, fmt.Errorf("sde: %s.Newton.MaxIter = %d, want ≥ 0 (0 for the default %d)", owner, it, DefaultNewtonMaxIter)
	}
	if tol == 0 {
		tol = DefaultNewtonTol
	}
	if it == 0 {
		it = DefaultNewtonMaxIter
	}
	return tol, it, nil
}

// newtonStage solves the stage equation of one path; it owns its buffers.
type newtonStage struct {
	sys     *System
	owner   string // method name, for errors
	tol     float64
	maxIter int
	fy, fp  []float64 // f(y) and f at a shifted point
	gs      []float64 // diffusion scratch for fused callbacks
	yp, r   []float64 // trial point and residual at y
	rp, dl  []float64 // residual at the trial point, Newton step
	db      []float64 // simplified Newton correction at the trial point
	yt      []float64 // continuation: the corrector's iterate
	jac     []float64 // Dim×Dim: J, then I − θh·J and its LU factors
	piv     []int
}

func newNewtonStage(sys *System, owner string, tol float64, maxIter int) newtonStage {
	d := sys.Dim
	buf := padded(8*d + d*d + sys.DiffusionLen())
	return newtonStage{
		sys: sys, owner: owner, tol: tol, maxIter: maxIter,
		fy: buf[0:d:d], fp: buf[d : 2*d : 2*d], yp: buf[2*d : 3*d : 3*d], r: buf[3*d : 4*d : 4*d],
		rp: buf[4*d : 5*d : 5*d], dl: buf[5*d : 6*d : 6*d], db: buf[6*d : 7*d : 7*d],
		yt:  buf[7*d : 8*d : 8*d],
		jac: buf[8*d : 8*d+d*d : 8*d+d*d], gs: buf[8*d+d*d:],
		piv: make([]int, d),
	}
}

// stageFail says why a Newton run did not produce an admissible root.
type stageFail int

const (
	stageOK       stageFail = iota
	failNotFinite           // the drift (or its difference Jacobian) is not finite
	failDet                 // det(I − θh·J) ≤ 0 (or singular) where it must be > 0
	failMaxIter             // no convergence in maxIter iterations
	failContract            // a full Newton step does not contract (continuation)
)

// Continuation limits: the smallest step Δλ, and the most continuation
// steps of one stage.
const (
	minContinuationStep  = 1.0 / (1 << 16)
	maxContinuationSteps = 400
)

// solve overwrites y with the consistent root of
// F(y) = y − th·f(t, y) − c = 0 (th = θh, t = t_{n+1}, h the step), or
// returns an error saying why there is none.
//
// The consistent root is the end, at λ = 1, of the root branch y(λ) of
//
//	y − λ·th·f(t, y) = c,   λ ∈ [0, 1],
//
// that starts at y(0) = c (the stage equation with its step shrunk to 0).
// Along the branch det(I − λ·th·J) stays > 0, since it is 1 at λ = 0 and
// the branch ends where it would vanish (a fold), so a root with
// det(I − th·J) ≤ 0 is never consistent.
//
// The branch is followed by continuation: from the last point (λ, y) the
// corrector runs Newton's method at λ + Δλ starting from y (for Δλ = 1 from
// λ = 0, a plain Newton solve started at c, which is all a mildly nonlinear
// or a stiff linear stage needs). A corrector that meets
// det(I − λ·th·J) ≤ 0, does not contract, does not converge in MaxIter
// iterations or sees a non-finite drift halves Δλ; a success doubles it.
// Below Δλ = 2⁻¹⁶, or after maxContinuationSteps steps, the branch is
// taken to fold and the error names the time, the step and how far λ got.
func (s *newtonStage) solve(y []float64, t, h, th float64, c []float64) error {
	d := s.sys.Dim
	y, c = y[:d], c[:d]
	copy(y, c)
	lam, step := 0.0, 1.0
	why := stageOK
	for n := 0; lam < 1; n++ {
		if step < minContinuationStep || n == maxContinuationSteps {
			return s.noRoot(t, h, lam, why)
		}
		next := min(1, lam+step)
		copy(s.yt, y)
		var err error
		why, err = s.corrector(s.yt, t, next*th, c)
		if err != nil {
			return err
		}
		if why != stageOK {
			step /= 2
			continue
		}
		copy(y, s.yt)
		lam = next
		step = min(2*step, 1)
	}
	return nil
}

// corrector runs Newton's method with full steps from y on
// y − th·f(t, y) = c. It fails (without an error) if a Newton matrix has
// det ≤ 0, if a full step does not contract (the simplified correction at
// the new point is more than half the step, Deuflhard's test, which keeps
// the iterates on the branch the predictor aimed at), if the drift is not
// finite, or after maxIter iterations. On success s.fy holds f(t, y) and
// s.jac the factors of the last iteration.
func (s *newtonStage) corrector(y []float64, t, th float64, c []float64) (stageFail, error) {
	d := s.sys.Dim
	s.sys.drift(s.fy, s.gs, t, y)
	s.residual(s.r, y, s.fy, th, c)
	for range s.maxIter {
		if !finite(s.r) {
			return failNotFinite, nil
		}
		sign, why, err := s.factor(t, th, y)
		if err != nil || why != stageOK {
			return why, err
		}
		if sign <= 0 {
			return failDet, nil
		}
		dl := s.dl
		copy(dl, s.r)
		luSolve(s.jac, d, s.piv, dl)
		n0 := wnorm(dl, y)
		for i := range y {
			s.yp[i] = y[i] - dl[i]
		}
		s.sys.drift(s.fp, s.gs, t, s.yp)
		s.residual(s.rp, s.yp, s.fp, th, c)
		if !finite(s.rp) {
			return failNotFinite, nil
		}
		if n0 > s.tol {
			copy(s.db, s.rp)
			luSolve(s.jac, d, s.piv, s.db)
			if wnorm(s.db, s.yp) > n0/2 {
				return failContract, nil
			}
		}
		copy(y, s.yp)
		s.fy, s.fp = s.fp, s.fy
		s.r, s.rp = s.rp, s.r
		if n0 <= s.tol {
			return stageOK, nil
		}
	}
	return failMaxIter, nil
}

// factor writes the LU factors of A = I − th·∂f/∂x(t, y) into s.jac and
// s.piv (s.fy must hold f(t, y)) and returns the sign of det A. A
// finite-difference Jacobian that is not finite fails with failNotFinite, a
// singular A with failDet; a System.DriftJacobian that leaves entries
// unset or not finite is an error.
func (s *newtonStage) factor(t, th float64, y []float64) (float64, stageFail, error) {
	d := s.sys.Dim
	ok, err := s.jacobian(t, y)
	if err != nil {
		return 0, stageOK, err
	}
	if !ok {
		return 0, failNotFinite, nil
	}
	a := s.jac
	for i := range d {
		row := a[i*d : i*d+d]
		for j := range row {
			row[j] *= -th
		}
		row[i]++
	}
	if !luFactor(a, d, s.piv) {
		return 0, failDet, nil
	}
	return luDetSign(a, d, s.piv), stageOK, nil
}

// noRoot is the error of a stage whose consistent root could not be
// reached: the branch was followed to lam only, for the reason why.
func (s *newtonStage) noRoot(t, h, lam float64, why stageFail) error {
	var reason string
	switch why {
	case failNotFinite:
		reason = "the drift is not finite"
	case failDet:
		reason = "det(I − λθh·∂f/∂x) reaches 0: the branch folds"
	case failMaxIter:
		reason = fmt.Sprintf("Newton did not converge in Newton.MaxIter = %d iterations", s.maxIter)
	default:
		reason = "Newton does not contract: the branch folds or turns sharply"
	}
	return fmt.Errorf("sde: %s: no consistent root of the implicit stage in the step from t = %v to %v (h = %v): the root branch of y − λθh·f(t, y) = c from y = c at λ = 0 reached only λ = %.4g (%s, down to Δλ = 2⁻¹⁶); a smaller Settings.Step may help", s.owner, t-h, t, h, lam, reason)
}

// wnorm is the weighted max-norm max_i |v_i|/max(1, |y_i|) of the
// tolerance test (NaN if v has a NaN).
func wnorm(v, y []float64) float64 {
	var n float64
	for i, e := range v {
		e = math.Abs(e) / max(1, math.Abs(y[i]))
		if !(e <= n) {
			n = e
		}
	}
	return n
}

// residual writes r = y − th·fy − c.
func (s *newtonStage) residual(r, y, fy []float64, th float64, c []float64) {
	for i := range r {
		r[i] = y[i] - th*fy[i] - c[i]
	}
}

// jacobian writes ∂f/∂x(t, y) into s.jac, from System.DriftJacobian or by
// forward differences (s.fy must hold f(t, y)). It returns false if the
// difference Jacobian is not finite, and an error if DriftJacobian leaves
// an entry unset or not finite.
func (s *newtonStage) jacobian(t float64, y []float64) (bool, error) {
	d := s.sys.Dim
	if jf := s.sys.DriftJacobian; jf != nil {
		for i := range s.jac {
			s.jac[i] = math.NaN()
		}
		jf(s.jac, t, y)
		for k, v := range s.jac {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return false, fmt.Errorf("sde: %s: System.DriftJacobian left jac[%d] (row %d, column %d) = %v at t = %v: want all Dim×Dim = %d entries finite (row-major ∂f_i/∂x_j)", s.owner, k, k/d, k%d, v, t, d*d)
			}
		}
		return true, nil
	}
	const sqrtEps = 1.4901161193847656e-08 // √(2⁻⁵²)
	copy(s.yp, y)
	for j := range d {
		yj := y[j]
		s.yp[j] = yj + sqrtEps*max(1, math.Abs(yj))
		dj := s.yp[j] - yj // the increment actually represented
		s.sys.drift(s.fp, s.gs, t, s.yp)
		for i := range d {
			s.jac[i*d+j] = (s.fp[i] - s.fy[i]) / dj
		}
		s.yp[j] = yj
	}
	return finite(s.jac), nil
}
