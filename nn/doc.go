// Package nn is the model layer of sdeml: multilayer perceptrons whose parameters are one
// flat []float64 owned by the caller, losses, the Objective contract between models and
// optimizers, per-sample gradients, Hessian-vector products, sparse ReLU networks and
// data handling (datasets, IDX/MNIST files, synthetic generators, persistence).
//
// # Networks
//
// An MLP with widths d₀, d₁, …, d_L computes, for an input x ∈ R^{d₀},
//
//	a₀ = x,  z_l = W_l a_{l-1} + b_l,  a_l = σ_l(z_l),  f_w(x) = a_L,
//
// with W_l ∈ R^{d_l×d_{l-1}} and b_l ∈ R^{d_l}. The flat parameter vector w stores, layer
// after layer, W_l row-major and then b_l. A batch of B inputs is a B×d₀ matrix X whose
// rows are samples; every layer is one matrix product Z_l = A_{l-1}W_lᵀ + 1b_lᵀ, and the
// backward pass is the reverse-mode recursion δ_L = ∂ℓ/∂a_L ⊙ σ'(z_L),
// δ_{l-1} = (δ_l W_l) ⊙ σ'(z_{l-1}), ∂/∂W_l = δ_lᵀA_{l-1}, ∂/∂b_l = δ_lᵀ1 — again matrix
// products, never a loop over samples.
//
// # Objectives and per-sample quantities
//
// Supervised is the empirical risk L(w) = (1/n)Σᵢ ℓ(f_w(xᵢ), tᵢ) of a network on a Dataset
// and implements Objective. Per-sample gradients use the outer-product structure of dense
// layers, ∇_{W_l}ℓᵢ = δ_l[i] a_{l-1}[i]ᵀ, and their norms need only row norms,
// ‖∇ℓᵢ‖² = Σ_l ‖δ_l[i]‖²(‖a_{l-1}[i]‖² + 1) (Goodfellow 2015, "Efficient per-example
// gradient computations"). These are the inputs of the stochastic-gradient-noise analysis
// behind m-sharpness (Luo, Harandi, Phung, Le, NeurIPS 2025, arXiv 2509.18001).
//
// # Sparse networks
//
// The class Φ(L, W, S, B) of ReLU networks with depth L, width W, at most S nonzero
// parameters and all parameters in [−B, B] (Schmidt-Hieber 2020; Oko, Akiyama, Suzuki
// 2023), used for the score networks of reflected diffusion models (Holk, Strauch,
// Trottner, arXiv 2603.24495), is an MLP with a Mask: the network computes with w⊙Mask, so
// pruned weights are exactly zero and receive exactly zero gradient.
//
// # Conventions
//
// Shapes are rows = samples. SoftmaxCE is the cross-entropy with integer labels; MSE is
// ½‖f(x) − y‖² per sample (summed over outputs). Shape mismatches panic with a message
// starting "nn: "; invalid configuration returns an error naming the field.
package nn
