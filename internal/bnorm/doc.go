// Package bnorm holds the per-channel loops of BatchNorm on float32 values (rows of C
// channels, float64 coefficients and sums): the sums Σa and Σa·b, the affine map
// y = a·x + b and the backward map dx = ca·(dy − m) + cb·(x − μ), each in float64 from
// the float32 values and rounded once to float32. With AVX2 (internal/cpu, SDEML_CPU) and C
// a multiple of 4, four channels go per instruction, each channel's operations in the same
// order as the portable Go loops (no fused multiply-add): every level gives the same bits.
package bnorm
