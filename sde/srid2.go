package sde

import (
	"fmt"
	"math"
)

// SRID2 is Rößler's 4-stage stochastic Runge–Kutta method of the SRI family
// for diagonal and scalar noise (A. Rößler, SIAM J. Numer. Anal. 48(3),
// 2010; tableau as in torchsde tableaus/srid2.py). With I = ΔW,
// I₂ = (ΔW² − h)/2, I₃ = (ΔW³ − 3hΔW)/6 and U = ∫(W_s − W_t)ds per noise
// component, stages s = 0…3 are
//
//	H⁰_s = X + Σ_{j<s} A⁰_sj f(t+c⁰_j h, H⁰_j) h + B⁰_sj g(t+c¹_j h, H¹_j) U/h
//	H¹_s = X + Σ_{j<s} A¹_sj f(t+c⁰_j h, H⁰_j) h + B¹_sj g(t+c¹_j h, H¹_j) √h
//	X_{n+1} = X + Σ_s α_s f(t+c⁰_s h, H⁰_s) h
//	            + g(t+c¹_s h, H¹_s)(β¹_s I + β²_s I₂/√h + β³_s U/h + β⁴_s I₃/h),
//
// products with g taken per component. Strong order 1.5 for Scalar noise and
// for Diagonal noise whose g_i depends on x_i only (weak order 1.5 as stated
// by torchsde); the convergence tests confirm 1.5 on the scalar problems.
// Additive noise is accepted (it is a special case of diagonal noise), but
// SRA1 is cheaper there. It needs the Lévy area U.
type SRID2 struct{}

// srid2 tableau (torchsde tableaus/srid2.py).
var (
	sridC0 = [4]float64{0, 1, 0.5, 0}
	sridC1 = [4]float64{0, 0.25, 1, 0.25}
	sridA0 = [4][4]float64{{}, {1}, {0.25, 0.25}, {0, 0, 0}}
	sridA1 = [4][4]float64{{}, {0.25}, {1, 0}, {0, 0, 0.25}}
	sridB0 = [4][4]float64{{}, {0}, {1, 0.5}, {0, 0, 0}}
	sridB1 = [4][4]float64{{}, {-0.5}, {1, 0}, {2, -1, 0.5}}
	sridAl = [4]float64{1.0 / 6, 1.0 / 6, 2.0 / 3, 0}
	sridB  = [4][4]float64{ // β¹…β⁴ per stage
		{-1, 1, 2, -2},
		{4.0 / 3, -4.0 / 3, -4.0 / 3, 5.0 / 3},
		{2.0 / 3, 1.0 / 3, -2.0 / 3, -2.0 / 3},
		{0, 0, 0, 1},
	}
)

// Name returns "SRID2".
func (SRID2) Name() string { return "SRID2" }

// Calculus returns Ito.
func (SRID2) Calculus() Calculus { return Ito }

// Order returns strong 1.5 and weak 1.5 for Diagonal, Scalar and Additive
// noise.
func (SRID2) Order(k NoiseKind) (strong, weak float64) {
	switch k {
	case Diagonal, Scalar, Additive:
		return 1.5, 1.5
	}
	return 0, 0
}

// LevyArea returns true.
func (SRID2) LevyArea() bool { return true }

// NewStepper returns an SRID2 stepper for sys.
func (m SRID2) NewStepper(sys *System) (Stepper, error) {
	if err := checkKind(m, sys); err != nil {
		return nil, err
	}
	d, gl, mdim := sys.Dim, sys.DiffusionLen(), sys.M()
	s := &sridStepper{sys: sys}
	for i := range 4 {
		s.h0[i], s.h1[i], s.f[i] = padded(d), padded(d), padded(d)
		s.g[i] = padded(gl)
	}
	s.w, s.scratch = padded(mdim), padded(max(d, gl))
	return s, nil
}

type sridStepper struct {
	sys        *System
	h0, h1, f  [4][]float64
	g          [4][]float64
	w, scratch []float64
}

func (s *sridStepper) Reset(float64, []float64) {}

func (s *sridStepper) Step(dst []float64, t, h float64, x, dw, u []float64) {
	sys := s.sys
	if len(dst) != sys.Dim || len(x) != sys.Dim || len(dw) != sys.M() || len(u) != len(dw) {
		panic(fmt.Sprintf("sde: SRID2 Step: len(dst) = %d, len(x) = %d, len(dw) = %d, len(u) = %d, want Dim = %d and NoiseDim = %d", len(dst), len(x), len(dw), len(u), sys.Dim, sys.M()))
	}
	sq := math.Sqrt(h)
	inv := 1 / h
	for st := range 4 {
		h0, h1 := s.h0[st], s.h1[st]
		copy(h0, x)
		copy(h1, x)
		for j := 0; j < st; j++ {
			a0, a1, b0, b1 := sridA0[st][j]*h, sridA1[st][j]*h, sridB0[st][j], sridB1[st][j]
			fj, gj := s.f[j], s.g[j]
			for i := range h0 {
				h0[i] += a0 * fj[i]
				h1[i] += a1 * fj[i]
			}
			if b0 != 0 {
				for i := range s.w {
					s.w[i] = b0 * u[i] * inv
				}
				sys.addNoise(h0, 1, gj, s.w)
			}
			if b1 != 0 {
				for i := range h1 {
					h1[i] += b1 * gj[i] * sq
				}
			}
		}
		if st < 3 { // α₃ = 0 and no later stage uses f at H⁰₃
			sys.drift(s.f[st], s.scratch, t+sridC0[st]*h, h0)
		}
		sys.diffusion(s.scratch, s.g[st], t+sridC1[st]*h, h1)
	}
	// X_{n+1}; dst may alias x, which is no longer needed after the stages.
	for i := range dst {
		dst[i] = x[i] + h*(sridAl[0]*s.f[0][i]+sridAl[1]*s.f[1][i]+sridAl[2]*s.f[2][i])
	}
	for st := range 4 {
		b := sridB[st]
		for k, w := range dw {
			i2 := 0.5 * (w*w - h)
			i3 := (w*w*w - 3*h*w) / 6
			s.w[k] = b[0]*w + b[1]*i2/sq + b[2]*u[k]*inv + b[3]*i3*inv
		}
		sys.addNoise(dst, 1, s.g[st], s.w)
	}
}
