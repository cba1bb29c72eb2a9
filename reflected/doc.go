// Package reflected implements reflected diffusion models on the cube [0,1]^D: the
// reflected heat kernel to machine precision, exact forward noising, and (see the
// model files) denoising score matching and a reflected reverse-time sampler, after
// A. Holk, C. Strauch, L. Trottner, "Reflected diffusion models adapt to low-dimensional
// data", arXiv 2603.24495 (2026).
//
// # Time convention
//
// The forward process is standard reflected Brownian motion on [0,1]^D: generator ½Δ with
// Neumann boundary, so a free coordinate would have variance t at time t. Research notes
// that use "heat time" s (∂ₛp = ∂ₓₓp, e^{−k²π²s} mode decay) convert by t = 2s. Coordinates
// are independent 1-D reflected Brownian motions, and the stationary law is Uniform([0,1]^D)
// with spectral gap π²/2.
//
// # The 1-D kernel
//
// The transition density from y to x in time t has two classical forms,
//
//	pₜ(x, y) = Σ_{n∈ℤ} [φₜ(x − y − 2n) + φₜ(x + y − 2n)]                (images)
//	         = 1 + 2 Σ_{k≥1} e^{−k²π²t/2} cos(kπx) cos(kπy)             (cosine eigen-series)
//
// (φₜ the N(0, t) density), equal by Poisson summation (Jacobi's imaginary transformation
// of θ₃). The images series converges fast for small t, the cosine series for large t; their
// tail bounds decay alike at t = 2/π (SwitchTime). LogDensity1D, Score1D and Kernel1D use the
// images series as a log-sum-exp / softmax below SwitchTime and the cosine series (log1p)
// above it, each truncated by its analytic tail bound at relative size e^{−40}. The result is
// accurate to 1e-12 relative (log-density: absolute 1e-12·max(1, |log p|)) for all x, y in
// [0,1] and t in [1e-8, 1e4], without NaN or Inf, and the score ∂ₓ log pₜ is accurate to
// 1e-12·max(1, |score|); the tests check both against the images series summed in 160-bit
// math/big arithmetic on grids and 10 000 random points, many within 1e-12 of a wall. The
// cosine series alone cannot give relative accuracy at small t (p ≪ 1 is a difference of O(1)
// terms), raw (non-log) images sums underflow, and a plain softmax over images loses the
// score near a wall, where the two images of y mirrored at the wall nearly cancel; the images
// are therefore summed in mirror pairs with exactly factored exponents (kernel_images.go).
// The score is exactly 0 at x ∈ {0, 1} (Neumann condition).
//
// CDF1D and Mean1D give the distribution function and the mean of pₜ(·, y), and Sample1D
// draws from pₜ(·, y) exactly as Fold(y + √t·Z): the push-forward of a Gaussian under the
// fold map u ↦ |u mod 2| reflected into [0,1] is the images series.
//
// # The product kernel
//
// In D dimensions qₜ(x | y) = Πᵢ pₜ(xᵢ, yᵢ). LogDensity sums 1-D log-densities (raw densities
// are never multiplied), Score is separable, ∂ᵢ log qₜ = Score1D(xᵢ, yᵢ, t), and Sample folds
// a D-dimensional Gaussian. NoiseDataset pushes a whole data set to time t in parallel, with a
// per-point random stream so the result does not depend on GOMAXPROCS.
//
// # Arguments
//
// Kernel functions fold x and y into [0,1] (the series are even and 2-periodic, so this is the
// same formula) and return NaN for t ≤ 0, t = +Inf or NaN, like package math; functions that
// take a data set validate it and return an error naming the bad field. Points in D
// dimensions are []float64 slices; data sets are row-major with D columns.
//
// # Generative model
//
// A ScoreModel s(x, t) ≈ ∇ₓ log pₜ(x) approximates the score of the data law μ pushed forward
// to time t. Implementations: ScoreNet, a ReLU network f_θ(2x − 1, e(t))/√t with a sinusoidal
// embedding e of log t, dense or sparse (the class Φ(L, W, S, B) via nn.MLP.Mask, Prune and
// Project); AxisAlignedScore, the closed-form score of Uniform([0,1]^d) × δ_c;
// QuadratureScore, the score of a Subspace target by Gauss–Legendre quadrature over its
// coordinates; and EmpiricalScore, the exact "memorising" score of a training set. The last
// two are mixtures Σₖ wₖ qₜ(·|yₖ), whose score Σₖ softmaxₖ(log wₖ + log qₜ(x|yₖ)) ∇ₓ log qₜ(x|yₖ)
// is computed by log-sum-exp.
//
// ScoreNet's network is an nn.MLP (the theory's class) or, with NewResScoreNet, an
// nn.ResMLP: residual blocks with LayerNorm whose scale and shift come from the time
// embedding. Train by default wraps either in the preconditioning Precond, EDM's skip /
// output / input scalings adapted to the reflected kernel: the skip term is the exact score
// of the data's per-coordinate folded-Gaussian approximation, ∂ log p_{t+σᵢ²}(xᵢ, μᵢ), and
// c_out is calibrated so that the network's regression target has unit mean square at every
// t (docs/derivations/reflected.md §5.1).
//
// For images, NewUNetScoreNet puts a convolutional U-Net (nn.UNet: GroupNorm, SiLU, average
// pooling down, nearest-neighbour upsampling and concatenation skips up, and a Fourier
// embedding of ¼ log t that scales and shifts every block) in ScoreNet.UNet; pixels of
// C×H×W images are stored channels innermost. Train's recipe applies unchanged.
//
// DSM is the denoising score-matching risk as an nn.Objective, so any sam.Optimizer trains it:
// t drawn from a TimeDist on [T0, T1] (LogUniform by default, or LogNormal), Xₜ = Fold(X₀ + √t Z)
// drawn exactly, target ∇ₓ log qₜ(Xₜ|X₀) from the kernel, weight λ(t) = t (WeightT) or
// 1/c_out(t)² (WeightUnit). Train runs the loop with fresh draws every step, optional
// pruning and weight projection, an exponential moving average of the parameters
// (TrainSettings.EMA, left in the network at the end), a progress line, and stops on a
// non-finite loss; its zero settings and a nil optimizer give the recipe measured best in
// docs/REPRODUCTION.md. ScoreNet.Save and LoadScoreNet persist the result (any body: MLP,
// ResMLP or U-Net, with its preconditioning).
//
// Long runs stop and resume exactly: TrainContext stops at a cancelled context with a
// Checkpoint in its result, and TrainSettings.Checkpoint receives one every CheckpointEvery
// steps (write it with Checkpoint.SaveFile, an atomic replace). A checkpoint holds the network
// (any body) and its current iterate, the optimizer's state (sam.Stateful: Adam's moments and
// update count, hence the learning-rate schedule's position), the parameter average, the
// minibatch stream's position, the loss tail and the settings; TrainSettings.Resume continues
// from it with the same bits as the uninterrupted run, and refuses a checkpoint of another
// architecture or other settings with an error naming the field.
//
// Sampler runs the reflected reverse-time SDE dY = s(Y, t) dr + dW + ν dL̃ (t = T − r) from
// Uniform([0,1]^D) on a geometric time grid, folding into the cube after every step (an
// sde.Domain), by Euler–Maruyama (the default), a stochastic Heun step or the
// probability-flow ODE (Sampler.Scheme), optionally with Langevin corrector steps
// (Sampler.Corrector), and a final step FinalNone, FinalMean or FinalTweedie
// (x̂₀ = x + t₀ s(x, t₀)). Particles run in parallel, each on its own random stream, so the
// output depends only on the seed. docs/derivations/reflected.md §6.1 explains how to choose
// the step count.
//
// Subspace targets (DiagonalSegment, CentredSquare, AxisAligned, NewSubspace) put data on a
// d-dimensional affine piece of the cube with the smooth, bounded-below density Cosine, and
// give exact samples, coordinates and distances to the subspace. W1 (exact, by the
// linear-assignment solver of internal/ot), SlicedW1 and Cosine.W1ToLaw1D (exact W1 to the
// law of a 1-D coordinate, no reference sample needed) measure the result; examples/reflected
// runs the paper's adaptation experiment with them.
//
// # Judging generated images
//
// Image samples are judged in the feature space φ of a classifier trained on the same data:
// FrechetDistance (the squared Fréchet distance of Gaussians fitted to φ(samples) and
// φ(data), FrechetGaussian: ‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2(Σ₁^{½}Σ₂Σ₁^{½})^{½}), the FID formula),
// PrecisionRecall (the improved precision and recall of Kynkäänniemi et al. 2019: shares of
// each set inside the other's union of k-nearest-neighbour balls) and ClassHistogram (the
// classifier's class counts of the samples, mode coverage, Pearson's χ² against the data's
// class frequencies and the share of confident predictions). examples/reflectedimages uses
// them on Fashion-MNIST and MNIST.
package reflected
