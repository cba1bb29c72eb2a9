package sde

import (
	"fmt"
	"math"
	"sync"
)

// Sensitivity asks for pathwise derivatives of the solution with respect to
// the initial state and to k parameters θ, by the forward sensitivity
// (tangent) equations on the same Brownian path: Y = ∂X/∂(x0, θ) (a
// d×(d+k) matrix) solves
//
//	dY = (∂f/∂x Y + [0 | ∂f/∂θ]) dt + Σ_j (∂g_·j/∂x Y + [0 | ∂g_·j/∂θ]) dW_j,
//	Y(t0) = [I | 0],
//
// in the calculus of the System (differentiating the equation path by path
// commutes with both integrals). Then ∂/∂(x0, θ) E φ(X_T) = E[∇φ(X_T)ᵀ Y_T].
// TangentSystem builds the augmented system (X, Y); solving it with
// Euler–Maruyama gives exactly the derivative of the Euler–Maruyama path
// when the Jacobians are exact.
type Sensitivity struct {
	// Params is the number k ≥ 0 of parameters.
	Params int
	// DriftParam writes ∂f/∂θ (d×k row-major: jac[i*k+c] = ∂f_i/∂θ_c).
	// Required when Params > 0.
	DriftParam func(jac []float64, t float64, x []float64)
	// DiffusionParam writes ∂g/∂θ in g's layout (DiffusionLen()×k:
	// jac[l*k+c] = ∂g_l/∂θ_c). Required when Params > 0.
	DiffusionParam func(jac []float64, t float64, x []float64)
	// DiffusionJVP, optional, writes the directional derivative
	// (∂g/∂x)v in g's layout; without it forward differences
	// (g(x + εv) − g(x))/ε are used. The drift's directional derivative
	// uses System.DriftJacobian, or forward differences without it.
	DiffusionJVP func(dst []float64, t float64, x, v []float64)
}

// TangentSystem returns the augmented system for (X, Y): Dim d(1+n), n =
// d + Params, state [x, Y row-major (Y[i*n+c] = ∂x_i/∂(x0,θ)_c)], General
// noise with the NoiseDim of sys and the same Calculus. TangentX0 gives
// its initial state. It returns an error naming the field if Params < 0 or
// a parameter Jacobian is missing.
func TangentSystem(sys *System, s *Sensitivity) (*System, error) {
	if err := sys.Validate(); err != nil {
		return nil, err
	}
	if s == nil {
		return nil, fmt.Errorf("sde: TangentSystem: Sensitivity is nil")
	}
	if s.Params < 0 {
		return nil, fmt.Errorf("sde: Sensitivity.Params = %d, want ≥ 0", s.Params)
	}
	if s.Params > 0 && (s.DriftParam == nil || s.DiffusionParam == nil) {
		return nil, fmt.Errorf("sde: Sensitivity.Params = %d but Sensitivity.DriftParam or DiffusionParam is nil: parameter Jacobians are required (write zeros for a parameter f or g does not depend on)", s.Params)
	}
	d, m, k := sys.Dim, sys.M(), s.Params
	n := d + k
	gl := sys.DiffusionLen()
	pool := sync.Pool{New: func() any {
		return &tangentScratch{
			f: make([]float64, d), f2: make([]float64, d), g: make([]float64, gl), g2: make([]float64, gl),
			y: make([]float64, d), v: make([]float64, d), jac: make([]float64, d*d),
			fp: make([]float64, d*k), gp: make([]float64, gl*k),
		}
	}}
	// full maps g's layout entry l to its (row, column) in the d×m matrix.
	full := func(l int) (int, int) {
		switch sys.Noise {
		case Diagonal, Additive:
			return l, l
		case Scalar:
			return l, 0
		}
		return l / m, l % m
	}
	eps := func(x, v []float64) float64 {
		var xn, vn float64
		for i := range x {
			xn += x[i] * x[i]
			vn += v[i] * v[i]
		}
		if vn == 0 {
			return 0
		}
		return math.Sqrt(0x1p-52) * (1 + math.Sqrt(xn)) / math.Sqrt(vn)
	}
	aug := &System{Dim: d * (1 + n), NoiseDim: m, Noise: General, Calculus: sys.Calculus}
	aug.Drift = func(dst []float64, t float64, z []float64) {
		sc := pool.Get().(*tangentScratch)
		defer pool.Put(sc)
		x, y := z[:d], z[d:]
		sys.drift(dst[:d], sc.g, t, x)
		if sys.DriftJacobian != nil {
			sys.DriftJacobian(sc.jac, t, x)
		}
		if k > 0 {
			s.DriftParam(sc.fp, t, x)
		}
		for c := range n {
			for i := range d {
				sc.v[i] = y[i*n+c]
			}
			if sys.DriftJacobian != nil {
				for i := range d {
					var a float64
					for l := range d {
						a += sc.jac[i*d+l] * sc.v[l]
					}
					sc.f2[i] = a
				}
			} else if e := eps(x, sc.v); e == 0 {
				clear(sc.f2)
			} else {
				for i := range d {
					sc.y[i] = x[i] + e*sc.v[i]
				}
				sys.drift(sc.f2, sc.g, t, sc.y)
				for i := range d {
					sc.f2[i] = (sc.f2[i] - dst[i]) / e
				}
			}
			for i := range d {
				v := sc.f2[i]
				if c >= d {
					v += sc.fp[i*k+c-d]
				}
				dst[d+i*n+c] = v
			}
		}
	}
	aug.Diffusion = func(dst []float64, t float64, z []float64) {
		sc := pool.Get().(*tangentScratch)
		defer pool.Put(sc)
		x, y := z[:d], z[d:]
		clear(dst)
		sys.diffusion(sc.f, sc.g, t, x)
		for l, v := range sc.g {
			i, j := full(l)
			dst[i*m+j] = v
		}
		if k > 0 {
			s.DiffusionParam(sc.gp, t, x)
		}
		for c := range n {
			for i := range d {
				sc.v[i] = y[i*n+c]
			}
			switch e := eps(x, sc.v); {
			case s.DiffusionJVP != nil:
				s.DiffusionJVP(sc.g2, t, x, sc.v)
			case e == 0:
				clear(sc.g2)
			default:
				for i := range d {
					sc.y[i] = x[i] + e*sc.v[i]
				}
				sys.diffusion(sc.f2, sc.g2, t, sc.y)
				for l := range sc.g2 {
					sc.g2[l] = (sc.g2[l] - sc.g[l]) / e
				}
			}
			for l, v := range sc.g2 {
				if c >= d {
					v += sc.gp[l*k+c-d]
				}
				i, j := full(l)
				dst[(d+i*n+c)*m+j] = v
			}
		}
	}
	return aug, nil
}

type tangentScratch struct {
	f, f2, g, g2, y, v, jac, fp, gp []float64
}

// TangentX0 returns the initial state of TangentSystem: x0 followed by
// Y(t0) = [I | 0] (d×(d+k)).
func TangentX0(x0 []float64, params int) []float64 {
	d := len(x0)
	n := d + params
	z := make([]float64, d*(1+n))
	copy(z, x0)
	for i := range d {
		z[d+i*n+i] = 1
	}
	return z
}
