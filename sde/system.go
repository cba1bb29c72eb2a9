package sde

import "fmt"

// NoiseKind says how the diffusion g multiplies the Brownian increment dW and
// fixes the layout of the diffusion callback's output.
type NoiseKind int

const (
	// Diagonal noise: m = d independent Brownian motions, g(t, x) has length d
	// and dX_i = f_i dt + g_i(t, x) dW_i. Milstein and the Stratonovich
	// methods assume g_i depends on x through x_i only (commutative noise).
	Diagonal NoiseKind = iota
	// Additive noise: as Diagonal, but g depends on t only, g = g(t).
	Additive
	// Scalar noise: one Brownian motion, g(t, x) has length d and
	// dX_i = f_i dt + g_i(t, x) dW.
	Scalar
	// General noise: m Brownian motions, g(t, x) is the d×m matrix stored
	// row-major (g[i*m+j] multiplies dW_j in component i).
	General
)

// String returns the name of the noise kind.
func (k NoiseKind) String() string {
	switch k {
	case Diagonal:
		return "diagonal"
	case Additive:
		return "additive"
	case Scalar:
		return "scalar"
	case General:
		return "general"
	}
	return fmt.Sprintf("NoiseKind(%d)", int(k))
}

// Calculus is the stochastic integral a method converges to.
type Calculus int

const (
	// Ito: the method converges to the Itô solution of dX = f dt + g dW.
	Ito Calculus = iota
	// Stratonovich: the method converges to the Stratonovich solution of
	// dX = f dt + g ∘ dW (Itô drift f + ½ Σ_j (∂g_·j/∂x) g_·j).
	Stratonovich
)

// String returns "Itô" or "Stratonovich".
func (c Calculus) String() string {
	if c == Stratonovich {
		return "Stratonovich"
	}
	return "Itô"
}

// Func is a dst-first vector field: it writes a value depending on (t, x)
// into dst. It must not retain dst or x, and must not allocate if the solve
// is to be allocation-free.
type Func func(dst []float64, t float64, x []float64)

// System is the SDE dX = f(t, X) dt + g(t, X) dW in R^Dim driven by a
// NoiseDim-dimensional Brownian motion W, read in the sense declared by
// Calculus (Itô unless set). Solve refuses a Method that converges to the
// other calculus (Method.Calculus) unless the noise is Additive; Convert
// rewrites the drift for the other calculus.
//
// Shapes: f has length Dim; the layout of g is fixed by Noise (see
// NoiseKind): Dim for Diagonal, Additive and Scalar, Dim*NoiseDim row-major
// for General.
type System struct {
	// Dim is the state dimension d > 0.
	Dim int
	// NoiseDim is the Brownian dimension m. Zero means the natural value:
	// Dim for Diagonal and Additive, 1 for Scalar. General noise needs m > 0.
	NoiseDim int
	// Noise is the noise structure; the zero value is Diagonal.
	Noise NoiseKind
	// Calculus is the sense of the stochastic integral: the zero value Ito
	// reads g dW as an Itô integral, Stratonovich as g ∘ dW. It must match
	// the calculus of the method passed to Solve (Euler–Maruyama, Milstein,
	// SRA1, SRID2 are Itô; Heun, EulerHeun, Midpoint, ReversibleHeun and
	// Milstein{Stratonovich: true} are Stratonovich), except for Additive
	// noise, where the two coincide. Convert(sys, to) rewrites the drift
	// (f ∓ ½ (∂g/∂x) g) to change it; see docs/derivations/sde.md.
	Calculus Calculus
	// Drift writes f(t, x) into dst (len Dim).
	Drift Func
	// Diffusion writes g(t, x) into dst (layout by Noise).
	Diffusion Func
	// DiffusionDeriv, optional, writes the Milstein correction vector
	// L g = (∂g/∂x) g into dst (len Dim): for Diagonal noise
	// dst_i = g_i ∂g_i/∂x_i, for Scalar noise dst_i = Σ_j (∂g_i/∂x_j) g_j.
	// Only Milstein with DerivativeFree == false uses it.
	DiffusionDeriv Func
	// DriftDiffusion, optional, writes f into f and g into g in one call, to
	// share work between them. When set it is used in place of Drift and
	// Diffusion wherever both are needed at the same point.
	DriftDiffusion func(f, g []float64, t float64, x []float64)
	// BatchDriftDiffusion, optional, evaluates f and g at n = len(x)/Dim
	// states at once: x holds the n states back to back (n×Dim row-major),
	// f receives the n drifts (n×Dim) and g the n diffusions
	// (n×DiffusionLen(), each in the layout of Noise). Row r of f and g must
	// equal what DriftDiffusion (or Drift and Diffusion) would write for row
	// r of x. SolveEnsemble's Euler–Maruyama path calls it on blocks of up
	// to 64 paths, which removes the per-path call overhead; elsewhere, and
	// when it is the only callback given, it is called with n = 1.
	BatchDriftDiffusion func(f, g []float64, t float64, x []float64)
	// DriftJacobian, optional, writes the drift's Jacobian
	// jac[i*Dim+j] = ∂f_i/∂x_j (t, x) into jac (Dim×Dim row-major; every
	// entry must be written). The implicit methods (ImplicitEuler,
	// ImplicitMilstein) use it in their Newton iterations; without it they
	// use forward differences of the drift.
	DriftJacobian func(jac []float64, t float64, x []float64)
}

// M returns the Brownian dimension m, resolving the zero default.
func (s *System) M() int {
	if s.NoiseDim != 0 {
		return s.NoiseDim
	}
	switch s.Noise {
	case Diagonal, Additive:
		return s.Dim
	case Scalar:
		return 1
	}
	return 0
}

// DiffusionLen returns the length of the diffusion callback's output.
func (s *System) DiffusionLen() int {
	if s.Noise == General {
		return s.Dim * s.M()
	}
	return s.Dim
}

// Validate reports the first configuration error of s, naming the field and
// its value.
func (s *System) Validate() error {
	if s == nil {
		return fmt.Errorf("sde: System is nil")
	}
	if s.Dim <= 0 {
		return fmt.Errorf("sde: System.Dim = %d, want > 0", s.Dim)
	}
	switch s.Noise {
	case Diagonal, Additive:
		if s.NoiseDim != 0 && s.NoiseDim != s.Dim {
			return fmt.Errorf("sde: System.NoiseDim = %d with %v noise, want 0 or Dim = %d", s.NoiseDim, s.Noise, s.Dim)
		}
	case Scalar:
		if s.NoiseDim != 0 && s.NoiseDim != 1 {
			return fmt.Errorf("sde: System.NoiseDim = %d with scalar noise, want 0 or 1", s.NoiseDim)
		}
	case General:
		if s.NoiseDim <= 0 {
			return fmt.Errorf("sde: System.NoiseDim = %d with general noise, want > 0", s.NoiseDim)
		}
	default:
		return fmt.Errorf("sde: System.Noise = %d is not a NoiseKind", int(s.Noise))
	}
	if s.Calculus != Ito && s.Calculus != Stratonovich {
		return fmt.Errorf("sde: System.Calculus = %d is not a Calculus (Ito or Stratonovich)", int(s.Calculus))
	}
	if s.DriftDiffusion == nil && s.BatchDriftDiffusion == nil {
		if s.Drift == nil {
			return fmt.Errorf("sde: System.Drift is nil (and DriftDiffusion and BatchDriftDiffusion are nil)")
		}
		if s.Diffusion == nil {
			return fmt.Errorf("sde: System.Diffusion is nil (and DriftDiffusion and BatchDriftDiffusion are nil)")
		}
	}
	return nil
}

// drift writes f(t, x) into f, using DriftDiffusion or BatchDriftDiffusion
// (with g as scratch) if Drift is nil.
func (s *System) drift(f, g []float64, t float64, x []float64) {
	if s.Drift != nil {
		s.Drift(f, t, x)
		return
	}
	s.fused(f, g, t, x)
}

// diffusion writes g(t, x) into g, using DriftDiffusion or
// BatchDriftDiffusion (with f as scratch) if Diffusion is nil.
func (s *System) diffusion(f, g []float64, t float64, x []float64) {
	if s.Diffusion != nil {
		s.Diffusion(g, t, x)
		return
	}
	s.fused(f, g, t, x)
}

// both writes f(t, x) and g(t, x).
func (s *System) both(f, g []float64, t float64, x []float64) {
	if s.DriftDiffusion != nil || s.Drift == nil || s.Diffusion == nil {
		s.fused(f, g, t, x)
		return
	}
	s.Drift(f, t, x)
	s.Diffusion(g, t, x)
}

// pointwise returns the callbacks that both uses at one state: fg, if
// DriftDiffusion is set or if only BatchDriftDiffusion can give both (on
// one state, the same call), else drift and diff (Drift and Diffusion,
// called one after the other). The fast Euler–Maruyama loops pick them once
// per solve instead of once per step; they compute what both computes.
func (s *System) pointwise() (fg func(f, g []float64, t float64, x []float64), drift, diff Func) {
	switch {
	case s.DriftDiffusion != nil:
		return s.DriftDiffusion, nil, nil
	case s.Drift != nil && s.Diffusion != nil:
		return nil, s.Drift, s.Diffusion
	case s.BatchDriftDiffusion != nil:
		return s.BatchDriftDiffusion, nil, nil
	}
	return s.fused, nil, nil // one of Drift and Diffusion, completed by fused
}

// fused writes f(t, x) and g(t, x) with DriftDiffusion, or with
// BatchDriftDiffusion on one state, or with Drift and Diffusion.
func (s *System) fused(f, g []float64, t float64, x []float64) {
	switch {
	case s.DriftDiffusion != nil:
		s.DriftDiffusion(f, g, t, x)
	case s.BatchDriftDiffusion != nil:
		d := s.Dim
		s.BatchDriftDiffusion(f[:d], g[:s.DiffusionLen()], t, x[:d])
	default:
		s.Drift(f, t, x)
		s.Diffusion(g, t, x)
	}
}

// addNoise does dst += c·g·dw for the layout of s (matrix–vector product for
// General noise, elementwise for Diagonal/Additive, broadcast for Scalar).
func (s *System) addNoise(dst []float64, c float64, g, dw []float64) {
	switch s.Noise {
	case Diagonal, Additive:
		dw = dw[:len(dst)]
		g = g[:len(dst)]
		for i := range dst {
			dst[i] += c * g[i] * dw[i]
		}
	case Scalar:
		w := c * dw[0]
		g = g[:len(dst)]
		for i := range dst {
			dst[i] += g[i] * w
		}
	default:
		m := len(dw)
		for i := range dst {
			row := g[i*m : i*m+m]
			var sum float64
			for j, v := range row {
				sum += v * dw[j]
			}
			dst[i] += c * sum
		}
	}
}

// finite reports whether every element of x is finite.
func finite(x []float64) bool {
	var s float64
	for _, v := range x {
		s += v - v
	}
	return s == 0
}
