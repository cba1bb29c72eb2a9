// Package silu evaluates the SiLU activation y = x·σ(x), σ(x) = 1/(1 + e^{−x}), of float32
// values in float64 with a fast exponential, eight values per instruction with AVX-512 or
// four with AVX2 where the CPU level allows it (internal/cpu, SDEML_CPU; two independent
// chains in flight) and a portable Go version performing the same float64 operations in
// the same order otherwise: every level gives the same bits. Forward keeps σ(x) for the
// backward pass; Apply, for passes without one, does not.
//
// The exponential: clamp t = −x to [−708, 709], Cody–Waite reduction t = k·ln2 + r
// (k = round(t/ln2) by adding and subtracting 1.5·2⁵², |r| <= ln2/2, k·ln2Hi exact), the
// degree-8 Taylor polynomial of e^r by Horner's rule (no fused multiply-add), and the
// scaling by 2^k through the exponent bits. Its relative error is below ExpErr = 3·10⁻¹⁰:
// the Lagrange remainder |r|⁹/9!·e^{|r|} <= 2.82·10⁻¹⁰ plus about ten float64 roundings.
// Clamping changes nothing a float32 result can see: below e^{−708} the sum 1 + e^t is 1,
// above e^{709} σ < 2⁻¹⁰²² and x·σ(x) (|x| < 2¹²⁸) rounds to a float32 zero. A NaN input
// is clamped to −708 (σ = 1) and gives y = NaN·1 = NaN.
package silu
