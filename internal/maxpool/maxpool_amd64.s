//go:build amd64 && !purego

#include "textflag.h"

// WINDOW_SETUP sets the constants both kernels use, from AX = idx, DX = c and R9 = rs (in
// elements): Z25 = idx + (0, 1, ..., 7), the indices of entry (0,0) in the eight lanes of
// the first block, Z28/Z27/Z26 = the offsets c, rs and rs+c of the window entries (0,1),
// (1,0) and (1,1), and Z24 = 8; then scales DX and R9 to bytes. It uses AX, X0 and Z0.
#define WINDOW_SETUP \
	VPBROADCASTQ AX, Z25; \
	VPBROADCASTQ DX, Z28; \
	VPBROADCASTQ R9, Z27; \
	MOVQ R9, AX; \
	ADDQ DX, AX; \
	VPBROADCASTQ AX, Z26; \
	MOVQ $8, AX; \
	VPBROADCASTQ AX, Z24; \
	MOVQ $0x0706050403020100, AX; \
	VMOVQ AX, X0; \
	VPMOVZXBQ X0, Z0; \
	VPADDQ Z0, Z25, Z25; \
	SHLQ $3, DX; \
	SHLQ $3, R9

// PIXEL_ENTRIES points R12, R13, R14 at the window entries (0,1), (1,0), (1,1) of the pixel
// whose entry (0,0) is at SI (DX = 8c, R9 = 8rs) and zeroes the channel offset R11.
#define PIXEL_ENTRIES \
	LEAQ (SI)(DX*1), R12; \
	LEAQ (SI)(R9*1), R13; \
	LEAQ (R13)(DX*1), R14; \
	XORQ R11, R11

// func reluMax2x2AVX512(z, b, y []float64, arg []int32, n, c, rs, step, idx int)
//
// Eight channels at a time: the four window entries plus the bias, each turned into the
// bits of max(v, 0) (negative as int64, i.e. sign bit set: +0; |v| above +Inf, i.e. NaN:
// the canonical NaN), then a running unsigned maximum; a later entry replaces the current
// one only if strictly larger, so arg names the first maximal entry.
//
// Registers: SI window start of the pixel, R12/R13/R14 entries (0,1)/(1,0)/(1,1), BX bias,
// R11 channel offset in bytes, DX = 8c, R9 = 8rs, R10 = 8step, CX pixels left, DI y, R8 arg.
// Z31 = 2^63 - 1 (the bits of |v|), Z30 = +Inf, Z29 = 0, Z22 = NaN, Z28/Z27/Z26 = offsets
// c, rs, rs+c, Z25 = indices of the eight lanes, Z24 = 8, Z23 = step - c.
TEXT ·reluMax2x2AVX512(SB), NOSPLIT, $0-136
	MOVQ z_base+0(FP), SI
	MOVQ b_base+24(FP), BX
	MOVQ y_base+48(FP), DI
	MOVQ arg_base+72(FP), R8
	MOVQ n+96(FP), CX
	MOVQ c+104(FP), DX
	MOVQ rs+112(FP), R9
	MOVQ step+120(FP), R10

	MOVQ $0x7FFFFFFFFFFFFFFF, AX
	VPBROADCASTQ AX, Z31
	MOVQ $0x7FF0000000000000, AX
	VPBROADCASTQ AX, Z30
	MOVQ $0x7FF8000000000000, AX
	VPBROADCASTQ AX, Z22
	VPXORQ Z29, Z29, Z29
	MOVQ R10, AX
	SUBQ DX, AX
	VPBROADCASTQ AX, Z23
	MOVQ idx+128(FP), AX
	WINDOW_SETUP
	SHLQ $3, R10

pixel:
	PIXEL_ENTRIES

block:
	VMOVUPD (BX)(R11*1), Z0
	VADDPD (SI)(R11*1), Z0, Z1
	VADDPD (R12)(R11*1), Z0, Z2
	VADDPD (R13)(R11*1), Z0, Z3
	VADDPD (R14)(R11*1), Z0, Z4

	VPANDQ Z31, Z1, Z5
	VPCMPUQ $6, Z30, Z5, K1
	VPMAXSQ Z29, Z1, Z1
	VMOVDQA64 Z22, K1, Z1
	VPANDQ Z31, Z2, Z5
	VPCMPUQ $6, Z30, Z5, K1
	VPMAXSQ Z29, Z2, Z2
	VMOVDQA64 Z22, K1, Z2
	VPANDQ Z31, Z3, Z5
	VPCMPUQ $6, Z30, Z5, K1
	VPMAXSQ Z29, Z3, Z3
	VMOVDQA64 Z22, K1, Z3
	VPANDQ Z31, Z4, Z5
	VPCMPUQ $6, Z30, Z5, K1
	VPMAXSQ Z29, Z4, Z4
	VMOVDQA64 Z22, K1, Z4

	// Z6 = offset of the maximal entry so far (0 for entry (0,0)).
	VPXORQ Z6, Z6, Z6
	VPCMPUQ $6, Z1, Z2, K2
	VPMAXUQ Z2, Z1, Z1
	VPBLENDMQ Z28, Z6, K2, Z6
	VPCMPUQ $6, Z1, Z3, K3
	VPMAXUQ Z3, Z1, Z1
	VPBLENDMQ Z27, Z6, K3, Z6
	VPCMPUQ $6, Z1, Z4, K4
	VPMAXUQ Z4, Z1, Z1
	VPBLENDMQ Z26, Z6, K4, Z6

	VMOVDQU64 Z1, (DI)
	VPADDQ Z25, Z6, Z6
	VPMOVQD Z6, Y7
	VMOVDQU Y7, (R8)

	VPADDQ Z24, Z25, Z25
	ADDQ $64, R11
	ADDQ $64, DI
	ADDQ $32, R8
	CMPQ R11, DX
	JLT block

	VPADDQ Z23, Z25, Z25
	ADDQ R10, SI
	DECQ CX
	JNZ pixel

	VZEROUPPER
	RET

// func reluMax2x2BackAVX512(dx, dy, y []float64, arg []int32, n, c, rs, idx int)
//
// Eight channels at a time: g = dy where 0 < y <= +Inf (y - 1 < +Inf as unsigned), else 0;
// each of the four window entries gets g where arg equals its index, else 0.
//
// Registers: SI window start of the pixel in dx, R12/R13/R14 entries (0,1)/(1,0)/(1,1),
// R11 channel offset in bytes, DX = 8c, CX pixels left, BX dy, DI y, R8 arg.
// Z31 = 1, Z30 = +Inf, Z29 = +0, Z28/Z27/Z26 = offsets c, rs, rs+c, Z25 = indices of entry (0,0)
// of the eight lanes, Z24 = 8, Z23 = c (step 2c minus the c covered by the blocks).
TEXT ·reluMax2x2BackAVX512(SB), NOSPLIT, $0-128
	MOVQ dx_base+0(FP), SI
	MOVQ dy_base+24(FP), BX
	MOVQ y_base+48(FP), DI
	MOVQ arg_base+72(FP), R8
	MOVQ n+96(FP), CX
	MOVQ c+104(FP), DX
	MOVQ rs+112(FP), R9

	MOVQ $1, AX
	VPBROADCASTQ AX, Z31
	MOVQ $0x7FF0000000000000, AX
	VPBROADCASTQ AX, Z30
	VPXORQ Z29, Z29, Z29
	VPBROADCASTQ DX, Z23
	MOVQ idx+120(FP), AX
	WINDOW_SETUP

bpixel:
	PIXEL_ENTRIES

bblock:
	VPMOVSXDQ (R8), Z1
	VMOVUPD (BX), Z2
	VMOVDQU64 (DI), Z3
	VPSUBQ Z31, Z3, Z3
	VPCMPUQ $1, Z30, Z3, K1
	VMOVDQA64.Z Z2, K1, Z2
	VADDPD Z29, Z2, Z2 // +0 + g: -0 becomes +0, as in a scatter-add onto zeros

	VPCMPEQQ Z25, Z1, K2
	VMOVDQA64.Z Z2, K2, Z4
	VMOVUPD Z4, (SI)(R11*1)
	VPADDQ Z28, Z25, Z5
	VPCMPEQQ Z5, Z1, K2
	VMOVDQA64.Z Z2, K2, Z4
	VMOVUPD Z4, (R12)(R11*1)
	VPADDQ Z27, Z25, Z5
	VPCMPEQQ Z5, Z1, K2
	VMOVDQA64.Z Z2, K2, Z4
	VMOVUPD Z4, (R13)(R11*1)
	VPADDQ Z26, Z25, Z5
	VPCMPEQQ Z5, Z1, K2
	VMOVDQA64.Z Z2, K2, Z4
	VMOVUPD Z4, (R14)(R11*1)

	VPADDQ Z24, Z25, Z25
	ADDQ $64, R11
	ADDQ $64, BX
	ADDQ $64, DI
	ADDQ $32, R8
	CMPQ R11, DX
	JLT bblock

	VPADDQ Z23, Z25, Z25
	LEAQ (SI)(DX*2), SI
	DECQ CX
	JNZ bpixel

	VZEROUPPER
	RET
