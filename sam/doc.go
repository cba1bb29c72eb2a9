// Package sam implements sharpness-aware minimization and its stochastic variants — SAM,
// USAM, ASAM, n-SAM, m-SAM and a reweighted SAM (RW-SAM) — over the nn.Objective
// interface, together with the base optimizers they wrap (SGD, Adam) and a training loop.
//
// # Notation
//
// The objective is f(w) = (1/n)Σᵢ ℓᵢ(w) (nn.Objective); a batch γ of size B has loss
// f_γ = (1/B)Σ_{i∈γ} ℓᵢ and gradient g_γ = ∇f_γ(w). An Updater (SGD, Adam) maps a descent
// direction d to new parameters; an Optimizer builds d and calls its Base updater once per
// Step. Parameters are flat []float64; the ascent never writes to w (perturbed points live
// in scratch buffers), so the base update is applied at the exact unperturbed w.
//
// # The SAM family (Foret et al., ICLR 2021; Andriushchenko & Flammarion, ICML 2022)
//
//	SAM:   ε = ρ g_γ/‖g_γ‖,  d = ∇f_γ(w + ε)
//	USAM:  ε = ρ g_γ                                  (Norm = Unnormalized)
//	ASAM:  ε = ρ T² g_γ/‖T g_γ‖, T = diag(|w| + η)    (Adaptive; Kwon et al. 2021)
//	m-SAM: split γ into B/m micro-batches γ_j, each with its own ε_j;
//	       d = (m/B)Σ_j ∇f_{γ_j}(w + ε_j)            (SAM.Micro = m; average, not sum)
//	n-SAM: ε from the full-data gradient ∇f(w), d = ∇f_γ(w + ε)   (NSAM)
//
// m = B is SAM and m = 1 is per-sample SAM. The m micro-batch steps are independent, so
// SAM runs them in parallel on all cores and reduces them in index order: the result is
// bit-identical to the serial loop for any GOMAXPROCS, on every architecture (the last bits
// differ between builds where Go fuses x*y+z into an FMA, arm64, and where it does not,
// default amd64).
//
// # Why m matters (Luo, Harandi, Phung & Le, NeurIPS 2025, arXiv 2509.18001)
//
// For a uniformly drawn size-m subset γ, E‖g_γ‖² = ‖∇f‖² + c_m tr Σ with
// c_m = (n−m)/(m(n−1)) and Σ the per-sample gradient covariance. A first-order expansion in
// ρ gives the expected m-USAM direction
//
//	E[∇f_γ(w + ρ g_γ)] = ∇[f + (ρ/2)(‖∇f‖² + c_m tr Σ)] + O(ρ²),
//
// and for m-SAM ∇[f + ρ E‖g_γ‖] + O(ρ²): stochastic perturbations add a variance-based
// sharpness penalty whose strength grows as m shrinks, and which n-SAM (ascent decoupled
// from the descent samples) lacks. The package tests check this identity by enumerating
// every subset of a tiny problem (the remainder shrinks as ρ²).
//
// # RW-SAM
//
// The paper proposes Reweighted SAM, "sharpness-weighted sampling to mimic the
// generalization benefits of m-SAM while remaining parallelizable", weighting samples by
// their stochastic-gradient norms through a Gibbs distribution with a finite-difference
// estimator. The paper body and the official code (github.com/RitianLuo/RW-SAM) could not
// be retrieved, so RWSAM here is NOT the paper's verified algorithm but a reconstruction
// built to deliver the stated claim, in three forms (docs/derivations/sam.md §3, §4, §6).
// The zero value, VirtualMicro, reweights the batch by random zero-sum signs per unit of m
// samples, p_i = (1 + b s_{u(i)})/B with b = √(K−1), perturbs along g_p = ∇Σ p_i ℓ_i and
// steps along g_B + δ, δ = [∇f_p(w+ε) − g_p] − [∇f_B(w+ε) − g_B]: one synthetic m-sample
// micro-batch per step, computed with passes over the whole batch, whose expected
// first-order drift is m-SAM's variance drift (1/K)Σ_j H_{γ_j} g_{γ_j} − H_B g_B (exactly,
// in the USAM form); δ is scaled down to ‖δ‖ <= τ‖g_B‖ (DriftTrust, τ = 1), so that at
// large ρ the drift cannot dominate the step. GibbsAscent follows the public
// summaries literally: Gibbs weights p_i ∝ exp(s_i/(T·s̄)) over per-sample scores, one
// perturbation along ∇Σ p_i ℓ_i, the batch gradient at the perturbed point (T = +Inf is
// SAM); it trains like SAM but has no m-sharpness effect. The Corrections form is an
// unbiased estimator of m-SAM's direction. m-SAM's direction equals g_γ + (1/K)Σ_j c_j with corrections
// c_j = ∇f_{γ_j}(w+ε_j) − ∇f_{γ_j}(w); RWSAM estimates the correction sum from k units
// drawn with Gibbs probabilities q_j ∝ exp(S_j/(T·S̄)) over sharpness scores S_j (exact
// per-sample gradient norms, a forward-only finite-difference estimate, or stale norms),
// with importance weights 1/(K q_j), so that E[d] is exactly the m-SAM direction. See RWSAM.
//
// # Other SAM variants
//
// Each is an Optimizer with its paper's defaults, a Coster and (where it keeps state) a
// Stateful; g = ∇f_γ(w), ε = ρ u/‖u‖ along an ascent direction u, g_p = ∇f_γ(w + ε):
//
//	GSAM:        d = g_p − α g⊥, g⊥ = g − (⟨g, g_p⟩/‖g_p‖²) g_p; ρ_t follows the lr schedule
//	WSAM:        d = g + (γ/(1−γ))(g_p − g)                 (weighted sharpness regulariser)
//	ESAM:        ε masked per coordinate with probability β (scaled 1/β); d on the κB
//	             samples with the largest loss increase
//	LookSAM:     g_p every k steps, its part g_v ⊥ g reused as d = g + α(‖g‖/‖g_v‖) g_v
//	FriendlySAM: u = g − σ m, m an EMA of past batch gradients
//	IntervalSAM: SAM every k steps, d = g in between
//
// Every optimizer of the family can clip the Euclidean norm of its final direction
// (ClipNorm) and of its ascent gradient (AscentClipNorm); both rescale whole vectors, never
// single coordinates, so the direction is kept.
//
// # Cost
//
// Every optimizer reports the work of its last step (Coster): forward and backward passes,
// the samples they covered, the number of passes a one-device loop runs one after another
// (Serial; m-SAM: 2B/m) and the critical path when independent passes run concurrently
// (Depth).
//
// # Conventions
//
// Bad configuration (negative ρ, m ≤ 0 or not dividing the batch, nil Base, empty batch,
// NaN parameters) returns an error naming the field and value; a non-finite loss or
// gradient returns an error before the base update; length mismatches panic with a
// message prefixed "sam:". Random choices (RW-SAM draws, n-SAM ascent batches, shuffles in
// Train, finite-difference directions) come from PCG streams seeded by a Seed field.
// Optimizer values hold scratch memory and state and must not be shared by goroutines.
//
// # Model state
//
// For an objective with model state (nn.StatefulObjective, such as an nn.GraphSupervised
// with batch normalisation or dropout) every optimizer advances the state exactly once per
// step, at the unperturbed parameters on the step's batch: SGD, Adam, SAM on the whole
// batch and RW-SAM through their first clean pass, m-SAM, n-SAM and RW-SAM's Gibbs form
// through a forward-only pass before the others. Ascent and perturbed passes never move
// the batch-normalisation running statistics, and all passes of a step share its dropout
// masks. Train's checkpoints carry the objective's state (Checkpoint.Model) when it
// implements Stateful, so a resumed run is bit-identical.
package sam
