// Package sde solves stochastic differential equations
//
//	dX_t = f(t, X_t) dt + g(t, X_t) dW_t,   X_{t0} = x0 ∈ R^d,
//
// driven by an m-dimensional Brownian motion W, path by path, over ensembles
// of independent paths, inside boxes (reflection by folding) and as
// interacting particle (McKean–Vlasov) systems.
//
// # Problem
//
// A System holds the state dimension Dim, the noise dimension NoiseDim, the
// NoiseKind (Diagonal, Additive, Scalar, General) and dst-first callbacks
// Drift(dst, t, x) and Diffusion(dst, t, x). The diffusion's layout follows
// the noise kind: a length-d vector for Diagonal/Additive (dX_i = … + g_i dW_i)
// and Scalar (dX_i = … + g_i dW), a d×m row-major matrix for General. The
// optional DiffusionDeriv gives Milstein's correction vector (∂g/∂x)g, the
// optional DriftDiffusion computes f and g in one call, and the optional
// BatchDriftDiffusion computes them for many states at once (n×Dim
// row-major).
//
// # Methods and calculus
//
// A System declares the sense of its stochastic integral in System.Calculus:
// the zero value is Itô. Each method converges to one calculus
// (Method.Calculus), and Solve and SolveEnsemble refuse a method for the
// other one (except on Additive noise, where the two coincide) with an error
// naming Convert, which rewrites the drift by the Itô–Stratonovich
// correction ½ (∂g/∂x) g for diagonal, scalar and additive noise
// (docs/derivations/sde.md). Orders (strong = root-mean-square pathwise error
// at a fixed time, weak = error of expectations of smooth functions; torchsde,
// Kloeden & Platen 1992, Rößler 2010):
//
//	method          calculus       additive  diagonal  scalar  general  weak
//	EulerMaruyama   Itô            1.0       0.5       0.5     0.5      1
//	Milstein        Itô or Strat.  1.0       1.0       1.0     –        1
//	MilsteinGeneral Itô            –         –         –       1.0      1
//	SRIGeneral      Itô            –         –         –       1.0      1
//	SROCK           Itô            0.5       0.5       0.5     0.5      1
//	SRA1            Itô            1.5       –         –       –        2
//	SRID2           Itô            1.5       1.5       1.5     –        1.5
//	Heun            Stratonovich   1.0       1.0       1.0     0.5      1
//	EulerHeun       Stratonovich   1.0       1.0       1.0     0.5      1
//	Midpoint        Stratonovich   1.0       1.0       1.0     0.5      1
//	ReversibleHeun  Stratonovich   1.0       0.5       0.5     0.5      1
//	ImplicitEuler   Itô            1.0       0.5       0.5     0.5      1
//	ImplicitMilstein Itô or Strat. 1.0       1.0       1.0     –        1
//	Weak2           Itô            1.0       1.0 (d=1) 1.0     –        2
//
// Diagonal-noise orders assume commuting noise (g_i depends on x_i only).
// Method.Order reports these numbers. The strong orders for additive,
// diagonal and scalar noise are checked by convergence tests on the
// SDEProblemLibrary problems (LinearProblem, Linear2DProblem, CubicProblem,
// WaveProblem, AdditiveProblem, NonlinearAdditiveProblem, and a 2-D
// geometric Brownian motion driven by one scalar W) with ConvergenceStudy
// and FitOrder; on General noise only Euler–Maruyama's order ½ is tested
// (a 2×2 commuting-noise GBM), and of the weak orders only
// Euler–Maruyama's. On problems whose drift is linear in x, SRA1 converges with order 2.
//
// Standard normals come from a 128-layer ziggurat (Marsaglia & Tsang 2000)
// on 64-bit draws of the Source, calling a *rand.PCG directly; its wedge
// test y < exp(−x²/2) is first decided by Taylor bounds on the exponential,
// which give the same answer as evaluating it.
//
// # Stiff drifts and weak order 2
//
// ImplicitEuler (the stochastic θ-method) and ImplicitMilstein take the
// drift implicitly, θ f(t_{n+1}, X_{n+1}) + (1−θ) f(t_n, X_n), and the
// noise explicitly; each step solves the stage equation by Newton
// iterations with a dense LU (System.DriftJacobian or forward differences,
// tolerance and iteration cap in Newton), continued in the implicit weight
// from the explicit part so that the root is the consistent one (the one
// that tends to X_n as h → 0, never one with det(I − θh ∂f/∂x) ≤ 0); a
// step where no consistent root exists stops the solve with an error that
// names the step. With θ = 1 they are mean-square
// stable on dX = λX dt + μX dW whenever the equation is (2λ + μ² < 0), for
// every step; MSAmplification gives the θ-method's amplification factor.
// Weak2 is Platen's explicit weak order 2.0 scheme for one Brownian motion.
// SROCK (Abdulle–Cirilli) is explicit and stabilised: s Chebyshev stages,
// with s chosen per step from a spectral-radius bound (the user's, or power
// iteration on finite-difference Jacobian–vector products), make it
// mean-square stable on the linear test equation for 0 ≤ q ≤ −p,
// p ∈ [−0.3 s², 0] (p = λh, q = μ²h), without a Jacobian or a linear solve;
// with the published damping per stage count its stable interval along the
// whole exact region q < −2p matches the published S-ROCK lengths within
// 5 % (docs/derivations/sde.md §7).
// SRIGeneral is a stochastic Runge–Kutta method of Rößler's SRI class for
// non-commuting General noise (strong order 1, central differences of the
// diffusion along Σ_l g_·l Î_(l,k)/√h: 1 drift and 2m + 1 diffusion
// evaluations per step, no Jacobian); MilsteinGeneral is the one-sided
// derivative-free Milstein scheme (1 drift and m + 1 diffusion evaluations).
// Derivations: docs/derivations/sde-implicit.md.
//
// # Brownian motion
//
// Three implementations of the Brownian interface, all driven by a
// math/rand/v2 Source or a seed:
//
//   - Increments: fresh N(0, h) increments per step, plus the space-time Lévy
//     area U = ∫(W_s − W_t)ds = h(ΔW/2 + √(h/12)ξ) for SRA1 and SRID2 (the
//     fast path);
//     and, as an AreaBrownian, the Lévy areas A_ij = ½∫(W^i dW^j − W^j dW^i)
//     by the Kloeden–Platen–Wright series with Wiktorsson's Gaussian tail
//     (LevyTerms terms), for MilsteinGeneral on non-commuting General
//     noise; CombineAreas joins areas of adjacent intervals exactly (Chen),
//     which ConvergenceStudy uses for coarse levels;
//   - BrownianPath: a stored path refined on demand by the Brownian bridge;
//     built with NewBrownianPathArea it also stores per interval the
//     space-time areas U (PathSpaceTime: split by their exact Gaussian
//     bridge) or the pair Lévy areas A_ij (PathLevy: split by a Lévy-area
//     bridge that keeps Chen's relation exact and the areas' second moments
//     to about 2 % after six splits, docs/derivations/sde.md §6; with
//     SetAreaResolution the path extends in fresh intervals of at most δ,
//     exact in law, and the bridge acts only below δ), so that
//     SRA1, SRID2, MilsteinGeneral and SRIGeneral run on user-supplied paths
//     and adaptively;
//   - BrownianTree: a virtual Brownian tree: W(t) for any t in [t0, t1] is a
//     deterministic function of the seed, whatever the order of queries; as
//     an AreaBrownian it also serves Lévy areas defined at its leaf
//     resolution, joined across leaves by Chen's relation, so coarse and
//     fine MilsteinGeneral solves on one tree see the same areas.
//
// # α-stable drivers
//
// Settings.Driver replaces Brownian motion by another noise source built per
// path from the path's stream; Stable{Alpha: α} is symmetric α-stable Lévy
// motion, whose increments over h are h^{1/α} S with E exp(iλS) =
// exp(−|λ|^α) (α = 2 gives √2 W), drawn by the Chambers–Mallows–Stuck
// transformation (StableVariate). Euler–Maruyama with a fixed step steps
// dX = f dt + g dL^α in Solve and SolveEnsemble.
//
// # Jumps
//
// Settings.Jumps adds compound-Poisson jumps of state-dependent size,
// X(τ) = X(τ−) + c(τ, X(τ−), Z), at the exact times τ of a Poisson clock of
// intensity Jumps.Rate: a step containing jump times is split at them, so
// the jump times do not depend on the step size. Merton's jump diffusion
// is checked against its closed-form mean, variance and call price series.
//
// # Pathwise sensitivities
//
// TangentSystem augments a System with the forward sensitivity (tangent)
// equations for Y = ∂X/∂(x0, θ) on the same Brownian path, with the
// parameter Jacobians from Sensitivity and the state Jacobians from
// System.DriftJacobian and Sensitivity.DiffusionJVP or forward differences;
// E[∇φ(X_T)ᵀ Y_T] estimates ∂E φ(X_T)/∂(x0, θ) (checked on the GBM delta
// and vega and on an Ornstein–Uhlenbeck second moment).
//
// # Solving
//
// Solve(sys, method, x0, ts, settings) returns the state at every time of ts.
// Steps are shortened so every output time is hit exactly. Settings select a
// fixed step, a maximum number of steps, a save callback, a Domain applied
// after each step, an Event that stops the path, and adaptive step doubling
// with a PI controller (a rejected step is retried on the same noise;
// methods of strong order ½ on the system's noise are refused because step
// selection would bias the Itô sum, see Solve). Adaptive solves default to
// the BrownianTree of TreeSeed(Seed, i), so tightening the tolerance refines
// the solution on one Brownian path instead of solving another.
// Invalid configuration returns an error naming the field; shape mismatches
// inside kernels panic with an "sde: " message; a non-finite state returns an
// error.
//
// SolveEnsemble runs independent paths on all cores. Path i draws all its
// randomness from parallel.Stream(seed, i) and partial sums are reduced in a
// fixed order, so results are bit-identical for any GOMAXPROCS. With
// Euler–Maruyama on diagonal or additive noise and a BatchDriftDiffusion
// callback, each worker advances 64 paths together, one batch call per step,
// with the same values as path by path; one-dimensional systems with
// per-path callbacks (DriftDiffusion, or Drift and Diffusion) run two paths
// at a time. The callback form changes the speed by at most one function
// call per step, never the values. These promises hold within one build;
// where Go fuses x*y+z into one FMA (arm64, amd64 with GOAMD64=v3) the bits
// differ from a default amd64 build, and two callbacks (split, fused, batch)
// give the same values only if the compiler fuses them alike: write their
// products as float64(x*y) when the forms must agree bit for bit. It can store
// every path (one paths×d *mat.Dense per output time) or only stream the mean
// and covariance at each output time.
//
// # Domains
//
// FoldBox reflects each coordinate into [Lo, Hi] by folding (x mod 2L,
// mirrored). For driftless additive noise with constant g, Euler–Maruyama
// plus folding samples reflected Brownian motion exactly; with a drift,
// projection after the step has weak order ½ in general. ClampBox clamps
// (weak order ½ at the boundary, boundary atoms).
//
// Absorbing (killed) boundaries are Events: KillBox stops a path when it
// leaves (Lo, Hi)^d and KillLevel when one coordinate reaches a level; both
// also kill between steps with the Brownian-bridge crossing probability
// exp(−2(b−X_n)(b−X_{n+1})/(σ²h)), which removes the O(√h) overshoot bias
// of monitoring at step times (docs/derivations/sde.md). EventFunc stops at
// the sign change of any function φ(t, x). Solution.StopTime and
// EnsembleSolution.StopTime hold the stopping times.
//
// # Interacting particles
//
// Particles describes N particles in R^D whose drift sees the whole ensemble,
// an N×D *mat.Dense wrapping the solver's state without copying, with
// independent per-particle noise. ParticleIncrements draws particle i's noise
// from its own stream parallel.Stream(seed, i), so a single-particle twin can
// be driven by exactly the same Brownian motion (synchronous coupling, as in
// De Bortoli, Durmus, Fontaine and Şimşekli, NeurIPS 2020).
//
// # Example
//
// Geometric Brownian motion dX = μX dt + σX dW in the Itô sense:
//
//	sys := &sde.System{
//		Dim:       1,
//		Drift:     func(dst []float64, t float64, x []float64) { dst[0] = 1.01 * x[0] },
//		Diffusion: func(dst []float64, t float64, x []float64) { dst[0] = 0.87 * x[0] },
//	}
//	sol, err := sde.Solve(sys, sde.Milstein{DerivativeFree: true}, []float64{0.5},
//		[]float64{0, 0.5, 1}, &sde.Settings{Step: 1e-3, Seed: 1})
//	// sol.X.At(2, 0) is X(1) on the path seeded by 1.
package sde // import "github.com/sdeml/sdeml/sde"
