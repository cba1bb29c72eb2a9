package sde

import (
	"fmt"
	"math"
	"sync"
)

// checkCalculus returns an error if method m converges to a calculus other
// than the one sys declares. Additive noise is exempt: g does not depend on
// x, so the Itô and Stratonovich solutions coincide.
func checkCalculus(sys *System, m Method) error {
	if sys.Noise == Additive || m.Calculus() == sys.Calculus {
		return nil
	}
	return fmt.Errorf("sde: System.Calculus = %v but method %s converges to the %v solution: "+
		"convert the system with sde.Convert(sys, sde.%s) (drift f %s ½ (∂g/∂x) g) or use a method for the %v calculus",
		sys.Calculus, m.Name(), m.Calculus(), calculusIdent(m.Calculus()), convertSign(sys.Calculus), sys.Calculus)
}

// calculusIdent is the Go identifier of c, for error messages.
func calculusIdent(c Calculus) string {
	if c == Stratonovich {
		return "Stratonovich"
	}
	return "Ito"
}

// convertSign is the sign of the correction when converting from c.
func convertSign(from Calculus) string {
	if from == Ito {
		return "−"
	}
	return "+"
}

// Convert returns a copy of sys that declares calculus to and describes the
// same process. An Itô SDE dX = f dt + g dW is the Stratonovich SDE
// dX = (f − ½ c) dt + g ∘ dW with the correction
//
//	c_i = Σ_j Σ_k g_kj ∂g_ij/∂x_k,
//
// which is c = (∂g/∂x) g, the vector of System.DiffusionDeriv, for Diagonal
// noise (c_i = g_i ∂g_i/∂x_i) and Scalar noise (c_i = Σ_k g_k ∂g_i/∂x_k);
// Stratonovich to Itô adds ½ c instead. For Additive noise c = 0 and only
// the declaration changes. General noise is not supported (an error).
//
// c comes from sys.DiffusionDeriv when it is set. Otherwise it is the
// central difference of g along v = g(t, x):
//
//	c ≈ (g(t, x + εv) − g(t, x − εv)) / (2ε),  ε = 6e-6·max(1, ‖x‖∞)/‖v‖∞,
//
// exact to O(ε²) for Scalar noise, and for Diagonal noise under the
// assumption the Stratonovich methods already make (g_i depends on x through
// x_i only). It costs two extra diffusion evaluations per drift evaluation.
//
// The converted system has Drift (the converted drift), Diffusion (sys's,
// or one read off sys's fused callback if sys has none) and DriftDiffusion
// (both in one call), all consistent with each other; it keeps
// DiffusionDeriv, drops BatchDriftDiffusion, and is safe for concurrent use
// if sys is. The derivation is in docs/derivations/sde.md.
func Convert(sys *System, to Calculus) (*System, error) {
	if err := sys.Validate(); err != nil {
		return nil, err
	}
	if to != Ito && to != Stratonovich {
		return nil, fmt.Errorf("sde: Convert: to = %d is not a Calculus (Ito or Stratonovich)", int(to))
	}
	orig := *sys
	c := orig
	c.Calculus = to
	if to == sys.Calculus || sys.Noise == Additive {
		return &c, nil
	}
	if sys.Noise == General {
		return nil, fmt.Errorf("sde: Convert: System.Noise = general: the Itô–Stratonovich correction is implemented for diagonal, scalar and additive noise")
	}
	cv := &converter{sys: &orig, sign: -0.5}
	if to == Ito {
		cv.sign = 0.5
	}
	d := sys.Dim
	cv.pool.New = func() any { b := make([]float64, 6*d); return &b }
	c.Drift = cv.drift
	if c.Diffusion == nil {
		c.Diffusion = cv.diffusion
	}
	c.BatchDriftDiffusion = nil
	c.DriftDiffusion = cv.driftDiffusion
	return &c, nil
}

// converter adds sign·c to the drift of sys (see Convert).
type converter struct {
	sys  *System
	sign float64
	pool sync.Pool // *[]float64 scratch of length 6·Dim, one per concurrent caller
}

// drift writes the converted drift into f.
func (cv *converter) drift(f []float64, t float64, x []float64) {
	bp := cv.pool.Get().(*[]float64)
	buf := *bp
	d := cv.sys.Dim
	cv.sys.fused(f, buf[5*d:6*d], t, x)
	cv.correct(f, buf[5*d:6*d], buf, t, x)
	cv.pool.Put(bp)
}

// diffusion writes g(t, x) into g, for a sys without Diffusion.
func (cv *converter) diffusion(g []float64, t float64, x []float64) {
	bp := cv.pool.Get().(*[]float64)
	buf := *bp
	cv.sys.fused(buf[:cv.sys.Dim], g, t, x)
	cv.pool.Put(bp)
}

// driftDiffusion writes the converted drift into f and g(t, x) into g.
func (cv *converter) driftDiffusion(f, g []float64, t float64, x []float64) {
	cv.sys.fused(f, g, t, x)
	bp := cv.pool.Get().(*[]float64)
	cv.correct(f, g, *bp, t, x)
	cv.pool.Put(bp)
}

// correct adds sign·c to the drift f of sys at (t, x), where g holds
// g(t, x), using buf (len 5·Dim) as scratch.
func (cv *converter) correct(f, g, buf []float64, t float64, x []float64) {
	sys := cv.sys
	d := sys.Dim
	c := buf[:d]
	if sys.DiffusionDeriv != nil {
		sys.DiffusionDeriv(c, t, x)
	} else {
		cv.directional(c, buf[d:], g, t, x)
	}
	for i := range f[:d] {
		f[i] += cv.sign * c[i]
	}
}

// directional writes the central difference of g along v = g into c (see
// Convert), using buf (len 4·Dim) as scratch.
func (cv *converter) directional(c, buf, v []float64, t float64, x []float64) {
	sys := cv.sys
	d := sys.Dim
	xs, gp, gm, fs := buf[:d], buf[d:2*d], buf[2*d:3*d], buf[3*d:4*d]
	var nx, nv float64
	for i := range d {
		nx = math.Max(nx, math.Abs(x[i]))
		nv = math.Max(nv, math.Abs(v[i]))
	}
	if nv == 0 {
		clear(c)
		return
	}
	eps := 6e-6 * math.Max(1, nx) / nv
	for i := range d {
		xs[i] = x[i] + eps*v[i]
	}
	sys.diffusion(fs, gp, t, xs)
	for i := range d {
		xs[i] = x[i] - eps*v[i]
	}
	sys.diffusion(fs, gm, t, xs)
	for i := range d {
		c[i] = (gp[i] - gm[i]) / (2 * eps)
	}
}
