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
//	y − θh f(t+h, y) = c
//
// of the implicit methods. Each iteration evaluates the residual
// r = y − θh f(t+h, y) − c and the Jacobian J = ∂f/∂x(t+h, y)
// (System.DriftJacobian, or forward differences of the drift with
// increments √ε·max(1, |y_j|)), solves (I − θhJ) δ = r by a dense LU
// factorisation with partial pivoting, and sets y ← y − δ. The zero value
// means the defaults.
type Newton struct {
	// Tol: the iteration has converged when |δ_i| ≤ Tol·max(1, |y_i|) for
	// every component. 0 means DefaultNewtonTol (1e-10); Newton's quadratic
	// convergence leaves the returned y within about Tol² of the root.
	Tol float64
	// MaxIter bounds the iterations per step; a stage that has not
	// converged after MaxIter iterations stops the solve with an error.
	// 0 means DefaultNewtonMaxIter (50).
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
	jac     []float64 // Dim×Dim: J, then I − θhJ and its LU factors
	piv     []int
}

func newNewtonStage(sys *System, owner string, tol float64, maxIter int) newtonStage {
	d := sys.Dim
	buf := padded(7*d + d*d + sys.DiffusionLen())
	return newtonStage{
		sys: sys, owner: owner, tol: tol, maxIter: maxIter,
		fy: buf[0:d:d], fp: buf[d : 2*d : 2*d], yp: buf[2*d : 3*d : 3*d], r: buf[3*d : 4*d : 4*d],
		rp: buf[4*d : 5*d : 5*d], dl: buf[5*d : 6*d : 6*d], db: buf[6*d : 7*d : 7*d],
		jac: buf[7*d : 7*d+d*d : 7*d+d*d], gs: buf[7*d+d*d:],
		piv: make([]int, d),
	}
}

// maxHalvings bounds the step halvings of the line search in solve.
const maxHalvings = 10

// solve overwrites y, the starting guess, with the solution of
// y − th·f(t, y) = c (th = θh), or returns an error saying why not.
//
// Each Newton step δ = A⁻¹r (A = I − th·J) is damped by a backtracking
// line search on the natural monotonicity test (Deuflhard): y − αδ with
// α = 1, ½, ¼, … is accepted as soon as the simplified Newton correction
// A⁻¹r(y − αδ), computed with the same LU factors, is no larger than δ in
// the weighted max-norm max_i |v_i|/max(1, |y_i|) (after maxHalvings
// halvings the last trial is taken). Unlike the residual's norm this test
// does not depend on the scaling of the equations, so a stiff component
// with a nonlinear coupling does not reject the full Newton step. Near the
// root the full step passes, and the convergence is Newton's.
func (s *newtonStage) solve(y []float64, t, th float64, c []float64) error {
	d := s.sys.Dim
	y, c = y[:d], c[:d]
	s.sys.drift(s.fy, s.gs, t, y)
	s.residual(s.r, y, s.fy, th, c)
	last := math.Inf(1)
	for it := 1; it <= s.maxIter; it++ {
		if !finite(s.r) {
			return fmt.Errorf("sde: %s: drift is not finite at Newton iterate %d of the stage at t = %v", s.owner, it, t)
		}
		if err := s.jacobian(t, y); err != nil {
			return err
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
			return fmt.Errorf("sde: %s: Newton matrix I − θh·∂f/∂x is singular at t = %v (θh = %v)", s.owner, t, th)
		}
		dl := s.dl
		copy(dl, s.r)
		luSolve(a, d, s.piv, dl)
		n0 := wnorm(dl, y)
		alpha := 1.0
		for k := 0; ; k++ {
			for i := range y {
				s.yp[i] = y[i] - alpha*dl[i]
			}
			s.sys.drift(s.fp, s.gs, t, s.yp)
			s.residual(s.rp, s.yp, s.fp, th, c)
			if k == maxHalvings {
				break
			}
			copy(s.db, s.rp)
			luSolve(a, d, s.piv, s.db)
			if wnorm(s.db, s.yp) <= n0 {
				break
			}
			alpha *= 0.5
		}
		last = alpha * n0
		copy(y, s.yp)
		s.fy, s.fp = s.fp, s.fy
		s.r, s.rp = s.rp, s.r
		if last <= s.tol && finite(s.r) {
			return nil
		}
	}
	return fmt.Errorf("sde: %s: Newton stage at t = %v did not converge in Newton.MaxIter = %d iterations (last relative step %.3g > Newton.Tol = %g)", s.owner, t, s.maxIter, last, s.tol)
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
// forward differences (s.fy must hold f(t, y)).
func (s *newtonStage) jacobian(t float64, y []float64) error {
	d := s.sys.Dim
	if jf := s.sys.DriftJacobian; jf != nil {
		for i := range s.jac {
			s.jac[i] = math.NaN()
		}
		jf(s.jac, t, y)
		for k, v := range s.jac {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("sde: %s: System.DriftJacobian left jac[%d] (row %d, column %d) = %v at t = %v: want all Dim×Dim = %d entries finite (row-major ∂f_i/∂x_j)", s.owner, k, k/d, k%d, v, t, d*d)
			}
		}
		return nil
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
	if !finite(s.jac) {
		return fmt.Errorf("sde: %s: finite-difference drift Jacobian is not finite at t = %v", s.owner, t)
	}
	return nil
}
