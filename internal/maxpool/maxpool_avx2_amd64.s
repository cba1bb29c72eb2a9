//go:build amd64 && !purego

#include "textflag.h"

// The AVX2 versions of the kernels in maxpool_amd64.s, four channels per instruction. AVX2
// has no unsigned 64-bit comparison or maximum and no opmasks: the ReLU is a blend on the
// sign bit, and, the activations being non-negative as int64, their maximum and its first
// position come from signed comparisons (VPCMPGTQ) and blends.

DATA lanes4<>+0(SB)/8, $0
DATA lanes4<>+8(SB)/8, $1
DATA lanes4<>+16(SB)/8, $2
DATA lanes4<>+24(SB)/8, $3
GLOBL lanes4<>(SB), RODATA|NOPTR, $32

DATA four<>+0(SB)/8, $4
DATA four<>+8(SB)/8, $4
DATA four<>+16(SB)/8, $4
DATA four<>+24(SB)/8, $4
GLOBL four<>(SB), RODATA|NOPTR, $32

// BCAST4 broadcasts the general register r to the four lanes of y.
#define BCAST4(r, x, y) \
	VMOVQ r, x; \
	VPBROADCASTQ x, y

// WINDOW_SETUP4 sets, from AX = idx, DX = c and R9 = rs (in elements): Y8 = idx + (0, 1, 2,
// 3), the indices of entry (0,0) in the four lanes of the first block, Y11/Y10/Y9 = the
// offsets c, rs and rs+c of the window entries (0,1), (1,0) and (1,1); then scales DX and
// R9 to bytes. It uses AX.
#define WINDOW_SETUP4 \
	BCAST4(AX, X8, Y8); \
	VPADDQ lanes4<>(SB), Y8, Y8; \
	BCAST4(DX, X11, Y11); \
	BCAST4(R9, X10, Y10); \
	MOVQ R9, AX; \
	ADDQ DX, AX; \
	BCAST4(AX, X9, Y9); \
	SHLQ $3, DX; \
	SHLQ $3, R9

// RELU4 turns the sums in y into the bits of max(v, 0): +0 where the sign bit is set, the
// canonical NaN (Y13) where |v| is above +Inf (Y14; Y15 = 2^63 - 1, Y12 = 0). Uses Y5.
#define RELU4(y) \
	VPAND Y15, y, Y5; \
	VPCMPGTQ Y14, Y5, Y5; \
	VBLENDVPD y, Y12, y, y; \
	VBLENDVPD Y5, Y13, y, y

// func reluMax2x2AVX2(z, b, y []float64, arg []int32, n, c, rs, step, idx int)
//
// Registers: SI window start of the pixel, R12/R13/R14 entries (0,1)/(1,0)/(1,1), BX bias,
// R11 channel offset in bytes, DX = 8c, R9 = 8rs, R10 = 8step, CX pixels left, DI y, R8 arg.
// Y15 = 2^63 - 1, Y14 = +Inf, Y13 = NaN, Y12 = 0, Y11/Y10/Y9 = offsets c, rs, rs+c, Y8 =
// indices of the four lanes, Y7 = step - c; Y0 bias, Y1-Y4 entries, Y5 scratch, Y6 offset
// of the maximum.
TEXT ·reluMax2x2AVX2(SB), NOSPLIT, $0-136
	MOVQ z_base+0(FP), SI
	MOVQ b_base+24(FP), BX
	MOVQ y_base+48(FP), DI
	MOVQ arg_base+72(FP), R8
	MOVQ n+96(FP), CX
	MOVQ c+104(FP), DX
	MOVQ rs+112(FP), R9
	MOVQ step+120(FP), R10

	MOVQ $0x7FFFFFFFFFFFFFFF, AX
	BCAST4(AX, X15, Y15)
	MOVQ $0x7FF0000000000000, AX
	BCAST4(AX, X14, Y14)
	MOVQ $0x7FF8000000000000, AX
	BCAST4(AX, X13, Y13)
	VPXOR Y12, Y12, Y12
	MOVQ R10, AX
	SUBQ DX, AX
	BCAST4(AX, X7, Y7)
	MOVQ idx+128(FP), AX
	WINDOW_SETUP4
	SHLQ $3, R10

pixel4:
	LEAQ (SI)(DX*1), R12
	LEAQ (SI)(R9*1), R13
	LEAQ (R13)(DX*1), R14
	XORQ R11, R11

block4:
	VMOVUPD (BX)(R11*1), Y0
	VADDPD (SI)(R11*1), Y0, Y1
	VADDPD (R12)(R11*1), Y0, Y2
	VADDPD (R13)(R11*1), Y0, Y3
	VADDPD (R14)(R11*1), Y0, Y4
	RELU4(Y1)
	RELU4(Y2)
	RELU4(Y3)
	RELU4(Y4)

	// A later entry replaces the maximum only if strictly larger: the first maximum wins.
	VPXOR Y6, Y6, Y6
	VPCMPGTQ Y1, Y2, Y5
	VBLENDVPD Y5, Y2, Y1, Y1
	VBLENDVPD Y5, Y11, Y6, Y6
	VPCMPGTQ Y1, Y3, Y5
	VBLENDVPD Y5, Y3, Y1, Y1
	VBLENDVPD Y5, Y10, Y6, Y6
	VPCMPGTQ Y1, Y4, Y5
	VBLENDVPD Y5, Y4, Y1, Y1
	VBLENDVPD Y5, Y9, Y6, Y6

	VMOVDQU Y1, (DI)
	VPADDQ Y8, Y6, Y6
	VPSHUFD $0x08, Y6, Y6 // the low halves of the four indices to dwords 0, 1, 4, 5
	VPERMQ $0x08, Y6, Y6  // and those to dwords 0-3
	VMOVDQU X6, (R8)

	VPADDQ four<>(SB), Y8, Y8
	ADDQ $32, R11
	ADDQ $32, DI
	ADDQ $16, R8
	CMPQ R11, DX
	JLT block4

	VPADDQ Y7, Y8, Y8
	ADDQ R10, SI
	DECQ CX
	JNZ pixel4

	VZEROUPPER
	RET

// func reluMax2x2BackAVX2(dx, dy, y []float64, arg []int32, n, c, rs, idx int)
//
// Four channels at a time: g = dy where 0 < y <= +Inf (y - 1 < +Inf as unsigned, i.e.
// y + 2^63 - 1 < +Inf - 2^63 as signed), else 0; each of the four window entries gets
// +0 + g where arg equals its index, else +0.
//
// Registers: SI window start of the pixel in dx, R12/R13/R14 entries (0,1)/(1,0)/(1,1),
// R11 channel offset in bytes, DX = 8c, CX pixels left, BX dy, DI y, R8 arg.
// Y15 = 2^63 - 1, Y14 = +Inf - 2^63, Y13 = +0, Y11/Y10/Y9 = offsets c, rs, rs+c, Y8 =
// indices of entry (0,0) of the four lanes, Y7 = c (step 2c minus the c covered by the
// blocks).
TEXT ·reluMax2x2BackAVX2(SB), NOSPLIT, $0-128
	MOVQ dx_base+0(FP), SI
	MOVQ dy_base+24(FP), BX
	MOVQ y_base+48(FP), DI
	MOVQ arg_base+72(FP), R8
	MOVQ n+96(FP), CX
	MOVQ c+104(FP), DX
	MOVQ rs+112(FP), R9

	MOVQ $0x7FFFFFFFFFFFFFFF, AX
	BCAST4(AX, X15, Y15)
	MOVQ $0xFFF0000000000000, AX
	BCAST4(AX, X14, Y14)
	VPXOR Y13, Y13, Y13
	BCAST4(DX, X7, Y7)
	MOVQ idx+120(FP), AX
	WINDOW_SETUP4

bpixel4:
	LEAQ (SI)(DX*1), R12
	LEAQ (SI)(R9*1), R13
	LEAQ (R13)(DX*1), R14
	XORQ R11, R11

bblock4:
	VPMOVSXDQ (R8), Y1
	VMOVDQU (DI), Y3
	VPADDQ Y15, Y3, Y3
	VPCMPGTQ Y3, Y14, Y3
	VPAND (BX), Y3, Y2
	VADDPD Y13, Y2, Y2 // +0 + g: -0 becomes +0, as in a scatter-add onto zeros

	VPCMPEQQ Y8, Y1, Y4
	VPAND Y2, Y4, Y4
	VMOVDQU Y4, (SI)(R11*1)
	VPADDQ Y11, Y8, Y5
	VPCMPEQQ Y5, Y1, Y4
	VPAND Y2, Y4, Y4
	VMOVDQU Y4, (R12)(R11*1)
	VPADDQ Y10, Y8, Y5
	VPCMPEQQ Y5, Y1, Y4
	VPAND Y2, Y4, Y4
	VMOVDQU Y4, (R13)(R11*1)
	VPADDQ Y9, Y8, Y5
	VPCMPEQQ Y5, Y1, Y4
	VPAND Y2, Y4, Y4
	VMOVDQU Y4, (R14)(R11*1)

	VPADDQ four<>(SB), Y8, Y8
	ADDQ $32, R11
	ADDQ $32, BX
	ADDQ $32, DI
	ADDQ $16, R8
	CMPQ R11, DX
	JLT bblock4

	VPADDQ Y7, Y8, Y8
	LEAQ (SI)(DX*2), SI
	DECQ CX
	JNZ bpixel4

	VZEROUPPER
	RET
