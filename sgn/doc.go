// Package sgn measures stochastic gradient noise (SGN): the moments, spectrum, tails and
// Gaussianity of per-sample and minibatch gradients, the curvature quantities that the noise
// interacts with, and the micro-batch identities behind the m-sharpness effect of SAM.
//
// # Setting and conventions
//
// The loss is f(w) = (1/n) Σᵢ fᵢ(w) over n samples. Per-sample gradients gᵢ = ∇fᵢ(w) are
// stored as the rows of an n×d *mat.Dense (rows = samples, columns = parameters). With
// ḡ = ∇f(w) and δᵢ = gᵢ − ḡ, the per-sample noise covariance uses the population convention
// of Luo et al.:
//
//	Σ(w) = (1/n) Σᵢ δᵢ δᵢᵀ,   tr Σ = (1/n) Σᵢ ‖gᵢ‖² − ‖ḡ‖²,
//
// with the unbiased variant n/(n−1)·tr Σ. For a uniform size-m subset γ drawn without
// replacement, Cov[∇f_γ] = c_m Σ with the finite-population factor c_m = (n−m)/(m(n−1)), so
//
//	E_γ ‖∇f_γ‖² = ‖∇f‖² + c_m tr Σ                       (exact).
//
// This is the variance term of the implicit regulariser of m-SAM: to first order in ρ the
// m-USAM drift is −∇[f + (ρ/2)(‖∇f‖² + c_m tr Σ)] and the m-SAM drift is
// −∇[f + ρ E_γ‖∇f_γ‖] with E_γ‖∇f_γ‖ ≤ √(‖∇f‖² + c_m tr Σ) (Jensen). Because c_m ≈ 1/m, the
// regulariser grows as the micro-batch size m shrinks (Luo, Harandi, Phung, Le, "Unveiling
// m-Sharpness Through the Structure of Stochastic Gradient Noise", NeurIPS 2025,
// arXiv 2509.18001). MicroBatchNorms and MicroBatchNormsGrad estimate E_γ‖∇f_γ‖ and
// E_γ‖∇f_γ‖² by Monte Carlo; Moments.ExpectedSqNorm gives the exact second moment.
//
// # Moments, noise scale and spectrum
//
// Moments are accumulated chunk by chunk (Accumulator, StreamMoments) with Chan's pairwise
// update, so n×d never has to fit in memory. The McCandlish et al. (2018) noise scale is
// B_simple = tr Σ/‖ḡ‖²; TwoBatchEstimate recovers ‖ḡ‖² and tr Σ from squared norms of
// minibatch gradients at two batch sizes. The nonzero spectrum of Σ = DᵀD/n (D = centred
// gradient rows) equals that of the n×n Gram matrix K = DDᵀ/n, with eigenvectors
// vₖ = Dᵀuₖ/√(nλₖ) (CovSpectrum). Xie et al. (NeurIPS 2023) report power-law spectra
// λₖ ∝ k^−s, fitted by Spectrum.PowerLaw.
//
// # Tail index
//
// TailIndex is the Mohammadi, Mohammadpour and Ogata (2015) estimator used by Simsekli,
// Sagun and Gürbüzbalaban (ICML 2019): for K = K1·K2 samples Xⱼ of a symmetric α-stable law
// and block sums Yᵢ of K1 consecutive samples,
//
//	1/α̂ = (1/log K1) [ (1/K2) Σᵢ log|Yᵢ| − (1/K) Σⱼ log|Xⱼ| ],
//
// because a sum of K1 copies is K1^{1/α} times one copy in law. α = 2 is Gaussian; α̂ is
// returned raw and may exceed 2. TailIndexOrder is the order-statistic variant, and
// TailIndexMatrix applies either to a noise matrix pooled over all entries (Simsekli) or per
// coordinate across rows (Xie et al. 2023 find dimension-wise heavy tails but near-Gaussian
// iteration-wise noise, so the two modes can disagree).
//
// # Gaussianity
//
// JarqueBera, Lilliefors (one-sample Kolmogorov–Smirnov against a fitted normal) and
// AndersonDarling test univariate normality; SlicedNormality applies them to random 1-D
// projections uᵀδ of noise vectors (Panigrahi et al. 2019 find SGN close to Gaussian for
// batch sizes ≥ 256 early in training).
//
// # Curvature and alignment
//
// Curvature is accessed only through Hessian–vector products (HVPFunc). Hutchinson
// estimates tr H = E[zᵀHz] with Rademacher probes, TopEigen finds the top eigenpairs of H by
// power iteration with deflation, TraceHSigma computes Zhu et al.'s (ICML 2019) escape
// indicator Tr(HΣ) = (1/n) Σᵢ δᵢᵀHδᵢ exactly or by probes, and Alignment compares it with
// the isotropic baseline Tr(H) Tr(Σ)/d, the Frobenius cosine ⟨H,Σ⟩/(‖H‖‖Σ‖) and the best
// proportionality constant c* = Tr(HΣ)/Tr(H²) (Σ ≈ c H near minima, Xie et al. ICLR 2021).
// RefNoise draws Gaussian reference noises with the trace of Σ (isotropic, diagonal, top
// eigenvector, Hessian-shaped, or Σ itself).
//
// # Randomness and parallelism
//
// Random functions take a rand.Source or a seed. Parallel estimators draw item i from
// parallel.Stream(seed, i) and reduce in index order, so their results are bit-identical
// for any GOMAXPROCS. Functions that call user callbacks in parallel (BatchGrader, HVPFunc)
// require them to be safe for concurrent use; nn.Objective and nn.HVP with distinct
// buffers are.
//
// # Errors
//
// Invalid arguments (too few samples, k1 out of range, m > n, NaN gradients, len(w) not the
// objective's dimension, degenerate tail-index input) return an error naming the argument
// and its value. An HVPFunc cannot report its dimension, so each HVP entry point makes its
// first call on the caller's goroutine and turns a panic there into an error naming dim; a
// panic in a later, parallel call is raised again on the caller's goroutine (carrying the
// worker's stack), so it can be recovered instead of killing the process. Shape mismatches
// between buffers panic with a message prefixed by "sgn: ". docs/derivations/sgn.md in the
// repository derives the quantities and states the degenerate-input rules.
package sgn // import "github.com/sdeml/sdeml/sgn"
