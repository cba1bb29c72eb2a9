// Package nn is the model layer of sdeml: multilayer perceptrons and convolutional networks
// whose parameters are one flat []float64 owned by the caller, losses, the Objective
// contract between models and optimizers, per-sample gradients, Hessian-vector products,
// sparse ReLU networks and in-memory data handling (datasets, splits, batches, synthetic
// generators, persistence). Data sets on disk (IDX files, MNIST, Fashion-MNIST) are read by
// the subpackage nn/data, so that importing nn never pulls in the MNIST module.
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
// # Convolutional networks
//
// Sequential composes Conv2D, MaxPool, AvgPool, Flatten and Dense layers over inputs of a
// Shape (C×H×W, stored channels-last), with the same flat parameters (each Conv2D's and
// Dense's W then b, in layer order) and the same initialisers. A convolution is one matrix
// product per batch on the unfolded input (im2col): Z = cols·Wᵀ + 1bᵀ; its gradients are
// ∂/∂W = δᵀ·cols, ∂/∂b = δᵀ1 and the input gradient δ·W folded back (col2im).
// SeqSupervised is its empirical risk, an Objective with exact per-sample gradient norms
// (‖δᵢᵀAᵢ‖² = ⟨δᵢδᵢᵀ, AᵢAᵢᵀ⟩ per sample, without forming the gradients). Passes run in
// chunks of 8 samples, several at once, and a ReLU convolution followed by a max pool is
// fused (the pool reads the pre-activations); the results are the same bits for any
// GOMAXPROCS and as the unfused network (NaN payloads aside). docs/derivations/conv.md
// derives all of it.
//
// # Model graphs, batch normalisation and dropout
//
// Graph generalises Sequential to nodes that read the outputs of any earlier nodes, with
// residual (Add) and U-Net style (Concat) connections, and adds BatchNorm, Activate,
// Dropout, GlobalAvgPool and Upsample; ResNet builds the residual CNNs of the SAM literature as a
// Graph. GraphSupervised is its Objective, in training or evaluation mode. BatchNorm's
// running statistics and the dropout step are model state (GraphState), kept outside the
// parameters: LossGrad never changes them, LossGradUpdate (StatefulObjective) does once per
// training step, and package sam calls it so that SAM's ascent and perturbed passes leave
// the statistics alone. In training mode BatchNorm couples the samples of a batch; a
// per-sample gradient is then the exact derivative of that sample's loss within its batch
// (the rows average to the batch gradient). A Graph pass runs layer by layer over chunks
// of 8 samples with batch-wide sums reduced in chunk order, so results are the same bits
// for any GOMAXPROCS. SaveGraph stores architecture, parameters and state.
// docs/derivations/graph.md derives it.
//
// The diffusion U-Net's layers are Graph layers too, each acting on every sample on its own:
// GroupNorm (per-sample normalisation over groups of channels), SiLU, ScaleShift
// (h·(1 + γ) + β with (γ, β) from a second input, the noise-level conditioning of every
// block), Fourier (sinusoidal features of a value such as ¼ log t) and Channels (a channel
// slice). NewUNet assembles them into a U-Net with a noise-embedding MLP (UNet documents the
// architecture), and GraphPass runs any Graph on raw input rows and back-propagates a given
// ∂/∂output, for models that compute their own loss. SaveGraph and LoadGraph store them like
// every other Graph layer, so a trained U-Net round-trips with the same bits of outputs.
//
// # Objectives and per-sample quantities
//
// Supervised is the empirical risk L(w) = (1/n)Σᵢ ℓ(f_w(xᵢ), tᵢ) of a network on a Dataset
// and implements Objective. Per-sample gradients use the outer-product structure of dense
// layers, ∇_{W_l}ℓᵢ = δ_l[i] a_{l-1}[i]ᵀ, and their norms need only row norms,
// ‖∇ℓᵢ‖² = Σ_l ‖δ_l[i]‖²(‖a_{l-1}[i]‖² + 1) (Goodfellow 2015, "Efficient per-example
// gradient computations"). Since the δ_l and a_{l-1} are what the batch backward pass
// computes anyway, LossGradNorms returns the batch gradient and all per-sample norms from
// one forward and backward pass. These are the inputs of the stochastic-gradient-noise analysis
// behind m-sharpness (Luo, Harandi, Phung, Le, NeurIPS 2025, arXiv 2509.18001).
//
// # Hessian-vector products
//
// Supervised.HVP computes H(w)v exactly by Pearlmutter's R-operator (Pearlmutter 1994,
// "Fast exact multiplication by the Hessian", Neural Computation 6(1)): with
// R{·} = d/dr (·)(w + rv)|_{r=0} and V_l, β_l the blocks of v, the forward pass is
// differentiated as R{Z_l} = A_{l-1}V_lᵀ + R{A_{l-1}}W_lᵀ + 1β_lᵀ, R{A_l} = σ'(Z_l)⊙R{Z_l};
// the loss gradient as R{E_L} = ∇²_o ℓ·R{A_L} (diag(p) − ppᵀ for SoftmaxCE, the identity
// for MSE; see SecondOrderLoss); and the backward pass as
// R{Δ_l} = R{E_l}⊙σ'(Z_l) + E_l⊙σ″(Z_l)⊙R{Z_l}, R{E_{l-1}} = R{Δ_l}W_l + Δ_l V_l, giving
// (Hv)_{W_l} = R{Δ_l}ᵀA_{l-1} + Δ_lᵀR{A_{l-1}} and (Hv)_{b_l} = R{Δ_l}ᵀ1 — batched matrix
// products like the gradient. For ReLU σ″ = 0 off the kinks, so on ReLU networks HVP is the
// exact Hessian of the loss restricted to the current activation region (a unit exactly at
// its kink counts as inactive). Central differences of gradients, which nn.Hessian falls
// back to for objectives without an exact product, straddle kinks whenever a pre-activation
// lies within the step of 0 and then add jumps of the gradient divided by the step: on
// ReLU networks they are not a usable Hessian. nn.HVP and Hessian.MulVec use the exact
// product whenever the objective is a HessianVectorProducer; SeqSupervised.HVP is the same
// R-operator through convolutions and pools (docs/derivations/conv.md), and
// GraphSupervised.HVP through every Graph layer, BatchNorm's batch statistics included
// (docs/derivations/batchnorm-hvp.md).
//
// # Sparse networks
//
// The class Φ(L, W, S, B) of ReLU networks with depth L, width W, at most S nonzero
// parameters and all parameters in [−B, B] (Schmidt-Hieber 2020; Oko, Akiyama, Suzuki
// 2023), used for the score networks of reflected diffusion models (Holk, Strauch,
// Trottner, arXiv 2603.24495), is an MLP with a Mask: the network computes with w⊙Mask, so
// pruned weights are exactly zero and receive exactly zero gradient.
//
// # Mixed precision (float32)
//
// Supervised32 is Supervised's objective computed with float32 activations and matrix
// products (internal/gemm's Sgemm, twice the vector lanes of float64), opt in: the
// parameters stay a float64 master copy (rounded to float32 on each call), and the loss,
// its derivative in the outputs, the sums over samples of the loss and the bias gradients,
// and the returned gradient stay float64. It has the Objective contract, so the optimizers
// of package sam take it as they are; it agrees with Supervised to within float32 rounding
// (a first-order bound of γ_k-type terms with u = 2⁻²⁴, checked entry by entry in the
// tests) and is itself the same bits for any GOMAXPROCS and kernel level. Supervised (float64)
// stays the bit-exact default.
//
// GraphSupervised32 (NewGraphSupervised32) is the same for a Graph, such as a ResNet: the
// methods of GraphSupervised that training uses (LossGrad, Losses, LossGradUpdate, MinBatch,
// EvalOn, Accuracy, MarshalState) with float32 values, convolutions (im2col and Sgemm) and
// pooling, while BatchNorm's batch and running statistics, its normalisation (formed in
// float64, rounded once), the loss, and every sum of a parameter gradient over samples and
// chunks stay float64; the ascent and perturbed passes of the SAM family leave the running
// statistics alone as they do for GraphSupervised. Graph.NewPass32 returns GraphPass32, the
// mixed-precision GraphPass (the U-Net of a score network: GroupNorm statistics, SiLU and
// Fourier features in float64 from float32 values, rounded once; SiLU's exponential is a
// fast one of relative error below 3·10⁻¹⁰). Both are the same bits for any GOMAXPROCS
// and any kernel level (SDEML_CPU). The float32 and float64 types are distinct (GraphSupervised32 has no
// HVP or PerSampleGrads), so mixing them is a compile-time error.
//
// # Conventions
//
// Shapes are rows = samples. SoftmaxCE is the cross-entropy with integer labels; MSE is
// ½‖f(x) − y‖² per sample (summed over outputs). Shape mismatches panic with a message
// starting "nn: "; invalid configuration returns an error naming the field.
package nn
