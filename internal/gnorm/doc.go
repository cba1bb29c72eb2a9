// Package gnorm holds the loops of group normalisation on one sample stored channels
// last (P pixels × C channels; G groups of C/G consecutive channels), for float32 and
// float64 values with float64 arithmetic, so that the float32 results are the float64
// kernel's rounded once:
//
//	μ_g = mean of group g's values,  σ²_g = mean of (x − μ_g)²  (two passes),
//	y = γ_c·((x − μ_g)·istd_g) + β_c,  istd_g = 1/√(σ²_g + ε),
//
// and the backward map with x̂ = (x − μ_g)·istd_g, e = γ_c·∂/∂y:
//
//	∂/∂x = istd_g·(e − mean_g(e) − x̂·mean_g(e·x̂)),  ∂/∂γ_c = Σ ∂/∂y·x̂,  ∂/∂β_c = Σ ∂/∂y.
//
// Every sum over a group is formed per channel first (a float64 sum over the pixels in
// pixel order, which runs four channels per instruction) and the channel sums are then
// added in channel order: a fixed order, the same for every kernel level. With AVX2
// (internal/cpu, SDEML_CPU) the float32 loops run four channels per instruction, each
// channel's operations in the portable Go order without fused multiply-adds: every level
// gives the same bits.
package gnorm
