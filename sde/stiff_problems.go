package sde

import (
	"fmt"
	"math"
)

// LinearTestProblem is the linear test equation of mean-square stability,
// dX = λX dt + μX dW (Itô, Diagonal noise, d = 1), X0 = 1, T = 1, with
// X(t) = X0 exp((λ − μ²/2)t + μW_t) and E X(t)² = X0² exp((2λ + μ²)t):
// the equation is mean-square stable iff 2λ + μ² < 0. The System carries
// DiffusionDeriv (μ²x) and DriftJacobian (λ).
func LinearTestProblem(lambda, mu float64) *Problem {
	return &Problem{
		Name: fmt.Sprintf("linear test λ=%g μ=%g", lambda, mu),
		Sys: &System{
			Dim:            1,
			Drift:          func(dst []float64, _ float64, x []float64) { dst[0] = lambda * x[0] },
			Diffusion:      func(dst []float64, _ float64, x []float64) { dst[0] = mu * x[0] },
			DiffusionDeriv: func(dst []float64, _ float64, x []float64) { dst[0] = mu * mu * x[0] },
			DriftJacobian:  func(jac []float64, _ float64, _ []float64) { jac[0] = lambda },
		},
		X0: []float64{1},
		T:  1,
		Exact: func(dst []float64, t float64, x0, w []float64) {
			dst[0] = x0[0] * math.Exp((lambda-mu*mu/2)*t+mu*w[0])
		},
	}
}

// MSAmplification returns the mean-square amplification factor
// R = E|X_{n+1}|²/E|X_n|² of the θ-method (ImplicitEuler with Theta = θ;
// θ = 0 is EulerMaruyama) on the linear test equation dX = λX dt + μX dW
// with step h, in terms of z = λh and w = μ²h:
//
//	R = ((1 + (1−θ)z)² + w) / (1 − θz)².
//
// The scheme is mean-square stable iff R < 1 (docs/derivations/sde-implicit.md).
func MSAmplification(theta, z, w float64) float64 {
	a := 1 + (1-theta)*z
	d := 1 - theta*z
	return (a*a + w) / (d * d)
}

// StiffManifoldProblem is a stiff nonlinear system with a closed form: a
// geometric Brownian motion X₁ and a fast component X₂ pulled at rate λ
// onto the curve X₂ = X₁², both driven by one Brownian motion (Scalar
// noise):
//
//	dX₁ = μX₁ dt + σX₁ dW,
//	dX₂ = (−λ(X₂ − X₁²) + (2μ + σ²)X₁²) dt + 2σX₁² dW,
//
// with μ = ½, σ = ½, X0 = (1, 3/2), T = 1. By Itô's formula
// d(X₁²) = (2μ + σ²)X₁² dt + 2σX₁² dW, so Z = X₂ − X₁² solves dZ = −λZ dt:
//
//	X₁(t) = X₁(0) exp((μ − σ²/2)t + σW_t),   X₂(t) = X₁(t)² + (X₂(0) − X₁(0)²) e^{−λt}.
//
// The drift's Jacobian has the eigenvalues μ and −λ, so for λh > 2
// explicit methods amplify the fast component at every step, while the
// solution stays smooth and O(1). The System carries DiffusionDeriv
// ((∂g/∂x)g = (σ²X₁, 4σ²X₁²)) and DriftJacobian.
func StiffManifoldProblem(lambda float64) *Problem {
	const mu, sigma = 0.5, 0.5
	return &Problem{
		Name: fmt.Sprintf("stiff manifold λ=%g", lambda),
		Sys: &System{
			Dim:   2,
			Noise: Scalar,
			Drift: func(dst []float64, _ float64, x []float64) {
				q := x[0] * x[0]
				dst[0] = mu * x[0]
				dst[1] = -lambda*(x[1]-q) + (2*mu+sigma*sigma)*q
			},
			Diffusion: func(dst []float64, _ float64, x []float64) {
				dst[0] = sigma * x[0]
				dst[1] = 2 * sigma * x[0] * x[0]
			},
			DiffusionDeriv: func(dst []float64, _ float64, x []float64) {
				dst[0] = sigma * sigma * x[0]
				dst[1] = 4 * sigma * sigma * x[0] * x[0]
			},
			DriftJacobian: func(jac []float64, _ float64, x []float64) {
				jac[0], jac[1] = mu, 0
				jac[2], jac[3] = 2*(lambda+2*mu+sigma*sigma)*x[0], -lambda
			},
		},
		X0: []float64{1, 1.5},
		T:  1,
		Exact: func(dst []float64, t float64, x0, w []float64) {
			x1 := x0[0] * math.Exp((mu-sigma*sigma/2)*t+sigma*w[0])
			dst[0] = x1
			dst[1] = x1*x1 + (x0[1]-x0[0]*x0[0])*math.Exp(-lambda*t)
		},
	}
}
