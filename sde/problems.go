package sde

import "math"

// The problems below are the standard SDE test problems of
// SDEProblemLibrary.jl (Rackauckas & Nie 2017), with their closed forms.
// Each returns a fresh Problem.

// LinearProblem is prob_sde_linear: dX = αX dt + βX dW with α = 1.01,
// β = 0.87, X0 = ½, T = 1 (Diagonal noise, d = 1). In the Itô sense
// X(t) = X0 exp((α − β²/2)t + βW_t); with stratonovich set, the same
// equation in the Stratonovich sense (prob_sde_linear_stratonovich) has
// X(t) = X0 exp(αt + βW_t). DiffusionDeriv is (∂g/∂x)g = β²x.
func LinearProblem(stratonovich bool) *Problem {
	const a, b = 1.01, 0.87
	name, c, cal := "linear (Itô)", a-b*b/2, Ito
	if stratonovich {
		name, c, cal = "linear (Stratonovich)", a, Stratonovich
	}
	return &Problem{
		Name: name,
		Sys: &System{
			Dim:            1,
			Calculus:       cal,
			Drift:          func(dst []float64, _ float64, x []float64) { dst[0] = a * x[0] },
			Diffusion:      func(dst []float64, _ float64, x []float64) { dst[0] = b * x[0] },
			DiffusionDeriv: func(dst []float64, _ float64, x []float64) { dst[0] = b * b * x[0] },
		},
		X0: []float64{0.5},
		T:  1,
		Exact: func(dst []float64, t float64, x0, w []float64) {
			dst[0] = x0[0] * math.Exp(c*t+b*w[0])
		},
	}
}

// Linear2DProblem is prob_sde_2Dlinear: a 4×2 array of independent GBMs
// dX = αX dt + βX dW (Itô, α = 1.01, β = 0.87) stored row-major as a state
// of dimension 8 with Diagonal noise, X0_i = (i+1)/8, T = 1, with
// X_i(t) = X0_i exp((α − β²/2)t + βW_i(t)).
func Linear2DProblem() *Problem {
	const a, b = 1.01, 0.87
	x0 := make([]float64, 8)
	for i := range x0 {
		x0[i] = float64(i+1) / 8
	}
	return &Problem{
		Name: "linear 4×2 (Itô)",
		Sys: &System{
			Dim: 8,
			Drift: func(dst []float64, _ float64, x []float64) {
				for i, v := range x {
					dst[i] = a * v
				}
			},
			Diffusion: func(dst []float64, _ float64, x []float64) {
				for i, v := range x {
					dst[i] = b * v
				}
			},
			DiffusionDeriv: func(dst []float64, _ float64, x []float64) {
				for i, v := range x {
					dst[i] = b * b * v
				}
			},
		},
		X0: x0,
		T:  1,
		Exact: func(dst []float64, t float64, x0, w []float64) {
			for i := range dst {
				dst[i] = x0[i] * math.Exp((a-b*b/2)*t+b*w[i])
			}
		},
	}
}

// CubicProblem is prob_sde_cubic: dX = −¼X(1−X²) dt + ½(1−X²) dW (Itô),
// X0 = ½, T = 1, with X(t) = ((1+X0)e^{W_t} + X0 − 1)/((1+X0)e^{W_t} + 1 − X0)
// = tanh(W_t/2 + atanh X0).
func CubicProblem() *Problem {
	return &Problem{
		Name: "cubic",
		Sys: &System{
			Dim:            1,
			Drift:          func(dst []float64, _ float64, x []float64) { dst[0] = -0.25 * x[0] * (1 - x[0]*x[0]) },
			Diffusion:      func(dst []float64, _ float64, x []float64) { dst[0] = 0.5 * (1 - x[0]*x[0]) },
			DiffusionDeriv: func(dst []float64, _ float64, x []float64) { dst[0] = -0.5 * x[0] * (1 - x[0]*x[0]) },
		},
		X0: []float64{0.5},
		T:  1,
		Exact: func(dst []float64, _ float64, x0, w []float64) {
			e := (1 + x0[0]) * math.Exp(w[0])
			dst[0] = (e + x0[0] - 1) / (e + 1 - x0[0])
		},
	}
}

// WaveProblem is prob_sde_wave: dX = −0.01 sin X cos³X dt + 0.1 cos²X dW
// (Itô), X0 = 1, T = 1, with X(t) = atan(0.1 W_t + tan X0).
func WaveProblem() *Problem {
	return &Problem{
		Name: "wave",
		Sys: &System{
			Dim: 1,
			Drift: func(dst []float64, _ float64, x []float64) {
				s, c := math.Sincos(x[0])
				dst[0] = -0.01 * s * c * c * c
			},
			Diffusion: func(dst []float64, _ float64, x []float64) {
				c := math.Cos(x[0])
				dst[0] = 0.1 * c * c
			},
			DiffusionDeriv: func(dst []float64, _ float64, x []float64) {
				s, c := math.Sincos(x[0])
				dst[0] = -0.02 * s * c * c * c
			},
		},
		X0: []float64{1},
		T:  1,
		Exact: func(dst []float64, _ float64, x0, w []float64) {
			dst[0] = math.Atan(0.1*w[0] + math.Tan(x0[0]))
		},
	}
}

// AdditiveProblem is prob_sde_additive (d = 1: α = 0.1, β = 0.05) or
// prob_sde_additivesystem (d = 4: α = 0.1, β = (0.5, 0.25, 0.125, 0.1115)):
// per component dX = (β/√(1+t) − X/(2(1+t))) dt + αβ/√(1+t) dW, X0 = 1,
// T = 1, with X(t) = X0/√(1+t) + β(t + αW_t)/√(1+t). Additive noise; the
// drift is linear in X. d must be 1 or 4.
func AdditiveProblem(d int) *Problem {
	var beta []float64
	switch d {
	case 1:
		beta = []float64{0.05}
	case 4:
		beta = []float64{0.5, 0.25, 0.125, 0.1115}
	default:
		panic("sde: AdditiveProblem: d must be 1 or 4")
	}
	const alpha = 0.1
	x0 := make([]float64, d)
	for i := range x0 {
		x0[i] = 1
	}
	return &Problem{
		Name: map[int]string{1: "additive", 4: "additive system (d=4)"}[d],
		Sys: &System{
			Dim: d, Noise: Additive,
			Drift: func(dst []float64, t float64, x []float64) {
				s := math.Sqrt(1 + t)
				for i := range dst {
					dst[i] = beta[i]/s - x[i]/(2*(1+t))
				}
			},
			Diffusion: func(dst []float64, t float64, _ []float64) {
				s := math.Sqrt(1 + t)
				for i := range dst {
					dst[i] = alpha * beta[i] / s
				}
			},
		},
		X0: x0,
		T:  1,
		Exact: func(dst []float64, t float64, x0, w []float64) {
			s := math.Sqrt(1 + t)
			for i := range dst {
				dst[i] = x0[i]/s + beta[i]*(t+alpha*w[i])/s
			}
		},
	}
}

// NonlinearAdditiveProblem is dX = sin X dt + 1.5(1+t) dW, X0 = 0.3, T = 1:
// additive, time-dependent noise with a drift whose second derivative does
// not vanish, so that SRA1's h^{1.5} error terms are visible (on the linear
// problems above SRA1 converges with order 2). No closed form: studies use a
// reference solve (for example SRA1 on a much finer grid).
func NonlinearAdditiveProblem() *Problem {
	return &Problem{
		Name: "nonlinear additive",
		Sys: &System{
			Dim: 1, Noise: Additive,
			Drift:     func(dst []float64, _ float64, x []float64) { dst[0] = math.Sin(x[0]) },
			Diffusion: func(dst []float64, t float64, _ []float64) { dst[0] = 1.5 * (1 + t) },
		},
		X0: []float64{0.3},
		T:  1,
	}
}
