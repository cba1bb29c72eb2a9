package sde

import (
	"fmt"
	"math/rand/v2"

	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"

	"github.com/sdeml/sdeml/internal/parallel"
)

// Particles is an interacting particle system (the N-particle approximation
// of a McKean–Vlasov SDE): particle i in R^D follows
//
//	dX^i = b(t, X^i, μ^N_t) dt + σ(t, X^i, μ^N_t) dB^i,   μ^N = (1/N) Σ_j δ_{X^j},
//
// with independent D-dimensional Brownian motions B^i and per-coordinate
// (diagonal) noise. The state of all particles is one vector of length N·D,
// row-major (particle i is row i), which the callbacks see as an N×D
// *mat.Dense that wraps the solver's buffer without copying. The drift sees
// the whole ensemble, so an interaction through empirical averages
// (b = B(x, (1/N)Σ_j φ(X^j))) costs O(N) per step: compute the averages once
// per call (see EmpiricalMean), then fill each row.
type Particles struct {
	// N is the number of particles and D the dimension of one particle.
	N, D int
	// Noise is Diagonal (the zero value) or Additive (σ depends on t only).
	Noise NoiseKind
	// Calculus is copied into the System (zero value Itô).
	Calculus Calculus
	// Drift writes b for every particle into dst (N×D) given all particles
	// x (N×D). dst and x must not be retained.
	Drift func(dst *mat.Dense, t float64, x *mat.Dense)
	// Diffusion writes the diagonal noise coefficients σ (N×D) into dst.
	Diffusion func(dst *mat.Dense, t float64, x *mat.Dense)
}

// System returns the N·D-dimensional System of p (Diagonal or Additive noise
// of dimension N·D, B^i = components i·D … i·D+D−1). The returned System
// reuses two matrix headers, so it must not be used by two solves at once;
// build one System per goroutine.
func (p *Particles) System() (*System, error) {
	switch {
	case p.N <= 0:
		return nil, fmt.Errorf("sde: Particles.N = %d, want > 0", p.N)
	case p.D <= 0:
		return nil, fmt.Errorf("sde: Particles.D = %d, want > 0", p.D)
	case p.Noise != Diagonal && p.Noise != Additive:
		return nil, fmt.Errorf("sde: Particles.Noise = %v, want diagonal or additive", p.Noise)
	case p.Drift == nil:
		return nil, fmt.Errorf("sde: Particles.Drift is nil")
	case p.Diffusion == nil:
		return nil, fmt.Errorf("sde: Particles.Diffusion is nil")
	}
	n, d := p.N, p.D
	var hd, hx mat.Dense
	wrap := func(m *mat.Dense, s []float64) *mat.Dense {
		if len(s) != n*d {
			panic(fmt.Sprintf("sde: Particles: state length %d, want N·D = %d", len(s), n*d))
		}
		m.SetRawMatrix(blas64.General{Rows: n, Cols: d, Stride: d, Data: s})
		return m
	}
	return &System{
		Dim:      n * d,
		Noise:    p.Noise,
		Calculus: p.Calculus,
		Drift: func(dst []float64, t float64, x []float64) {
			p.Drift(wrap(&hd, dst), t, wrap(&hx, x))
		},
		Diffusion: func(dst []float64, t float64, x []float64) {
			p.Diffusion(wrap(&hd, dst), t, wrap(&hx, x))
		},
	}, nil
}

// EmpiricalMean writes the mean of the rows of x, (1/N) Σ_i x_i, into dst
// (len = columns of x).
func EmpiricalMean(dst []float64, x mat.Matrix) {
	r, c := x.Dims()
	if len(dst) != c {
		panic(fmt.Sprintf("sde: EmpiricalMean: len(dst) = %d, want %d columns", len(dst), c))
	}
	clear(dst)
	if rm, ok := x.(mat.RawMatrixer); ok {
		raw := rm.RawMatrix()
		for i := 0; i < r; i++ {
			row := raw.Data[i*raw.Stride : i*raw.Stride+c]
			for j, v := range row {
				dst[j] += v
			}
		}
	} else {
		for i := 0; i < r; i++ {
			for j := range dst {
				dst[j] += x.At(i, j)
			}
		}
	}
	inv := 1 / float64(r)
	for j := range dst {
		dst[j] *= inv
	}
}

// ParticleIncrements drives a Particles system with one independent stream
// per particle: the D increments (and Lévy areas) of particle i are drawn by
// NewIncrements(parallel.Stream(Seed, i), D), in the same order. A
// single-particle "twin" solve driven by that Increments therefore sees
// exactly the noise B^i of particle i, which is what synchronous-coupling
// (propagation of chaos) studies need.
type ParticleIncrements struct {
	n, d int
	incs []*Increments
	srcs []rand.PCG
}

// NewParticleIncrements returns the per-particle increments of n particles
// of dimension d seeded by seed.
func NewParticleIncrements(seed uint64, n, d int) *ParticleIncrements {
	if n <= 0 || d <= 0 {
		panic(fmt.Sprintf("sde: NewParticleIncrements: n = %d, d = %d, want > 0", n, d))
	}
	p := &ParticleIncrements{n: n, d: d, incs: make([]*Increments, n), srcs: make([]rand.PCG, n)}
	for i := range p.incs {
		p.srcs[i] = *parallel.Stream(seed, i)
		p.incs[i] = NewIncrements(&p.srcs[i], d)
	}
	return p
}

// Dim returns n·d.
func (p *ParticleIncrements) Dim() int { return p.n * p.d }

// HasLevyArea returns true.
func (p *ParticleIncrements) HasLevyArea() bool { return true }

// Increment draws the increments of every particle for [t0, t1].
func (p *ParticleIncrements) Increment(dw, u []float64, t0, t1 float64) {
	if len(dw) != p.n*p.d || (u != nil && len(u) != len(dw)) {
		panic(fmt.Sprintf("sde: ParticleIncrements.Increment: len(dw) = %d, len(u) = %d, want %d", len(dw), len(u), p.n*p.d))
	}
	d := p.d
	for i, inc := range p.incs {
		var ui []float64
		if u != nil {
			ui = u[i*d : (i+1)*d]
		}
		inc.Increment(dw[i*d:(i+1)*d], ui, t0, t1)
	}
}
