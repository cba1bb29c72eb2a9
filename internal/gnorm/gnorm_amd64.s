//go:build amd64 && !purego

#include "textflag.h"

// The loops of gnorm.go for float32 values, four channels per instruction (the channel
// block a multiple of 4), every channel's float64 operations in the Go order, each
// rounded once: the same bits. Reductions keep their accumulators in registers over the
// rows (16 or 8 channels at a time, then 4).

// func sumsAVX2(s []float64, x []float32, C, P int)
TEXT ·sumsAVX2(SB), NOSPLIT, $0-64
	MOVQ s_base+0(FP), DI
	MOVQ s_len+8(FP), R8
	MOVQ x_base+24(FP), SI
	MOVQ C+48(FP), R9
	SHLQ $2, R9                       // row stride in bytes
	MOVQ P+56(FP), R10
	XORQ AX, AX                       // channel

s16:
	LEAQ 16(AX), R11
	CMPQ R11, R8
	JGT  s4
	VMOVUPD (DI)(AX*8), Y0
	VMOVUPD 32(DI)(AX*8), Y1
	VMOVUPD 64(DI)(AX*8), Y2
	VMOVUPD 96(DI)(AX*8), Y3
	LEAQ (SI)(AX*4), BX
	MOVQ R10, CX
	TESTQ CX, CX
	JZ   s16st

s16row:
	VCVTPS2PD (BX), Y4
	VCVTPS2PD 16(BX), Y5
	VCVTPS2PD 32(BX), Y6
	VCVTPS2PD 48(BX), Y7
	VADDPD Y4, Y0, Y0
	VADDPD Y5, Y1, Y1
	VADDPD Y6, Y2, Y2
	VADDPD Y7, Y3, Y3
	ADDQ R9, BX
	DECQ CX
	JNZ  s16row

s16st:
	VMOVUPD Y0, (DI)(AX*8)
	VMOVUPD Y1, 32(DI)(AX*8)
	VMOVUPD Y2, 64(DI)(AX*8)
	VMOVUPD Y3, 96(DI)(AX*8)
	MOVQ R11, AX
	JMP  s16

s4:
	CMPQ AX, R8
	JGE  sdone
	VMOVUPD (DI)(AX*8), Y0
	LEAQ (SI)(AX*4), BX
	MOVQ R10, CX
	TESTQ CX, CX
	JZ   s4st

s4row:
	VCVTPS2PD (BX), Y4
	VADDPD Y4, Y0, Y0
	ADDQ R9, BX
	DECQ CX
	JNZ  s4row

s4st:
	VMOVUPD Y0, (DI)(AX*8)
	ADDQ $4, AX
	JMP  s4

sdone:
	VZEROUPPER
	RET

// func sqdevAVX2(q, mc []float64, x []float32, C, P int)
TEXT ·sqdevAVX2(SB), NOSPLIT, $0-88
	MOVQ q_base+0(FP), DI
	MOVQ q_len+8(FP), R8
	MOVQ mc_base+24(FP), DX
	MOVQ x_base+48(FP), SI
	MOVQ C+72(FP), R9
	SHLQ $2, R9
	MOVQ P+80(FP), R10
	XORQ AX, AX

q16:
	LEAQ 16(AX), R11
	CMPQ R11, R8
	JGT  q4
	VMOVUPD (DI)(AX*8), Y0
	VMOVUPD 32(DI)(AX*8), Y1
	VMOVUPD 64(DI)(AX*8), Y2
	VMOVUPD 96(DI)(AX*8), Y3
	VMOVUPD (DX)(AX*8), Y8
	VMOVUPD 32(DX)(AX*8), Y9
	VMOVUPD 64(DX)(AX*8), Y10
	VMOVUPD 96(DX)(AX*8), Y11
	LEAQ (SI)(AX*4), BX
	MOVQ R10, CX
	TESTQ CX, CX
	JZ   q16st

q16row:
	VCVTPS2PD (BX), Y4
	VCVTPS2PD 16(BX), Y5
	VCVTPS2PD 32(BX), Y6
	VCVTPS2PD 48(BX), Y7
	VSUBPD Y8, Y4, Y4                 // x − μ
	VSUBPD Y9, Y5, Y5
	VSUBPD Y10, Y6, Y6
	VSUBPD Y11, Y7, Y7
	VMULPD Y4, Y4, Y4
	VMULPD Y5, Y5, Y5
	VMULPD Y6, Y6, Y6
	VMULPD Y7, Y7, Y7
	VADDPD Y4, Y0, Y0
	VADDPD Y5, Y1, Y1
	VADDPD Y6, Y2, Y2
	VADDPD Y7, Y3, Y3
	ADDQ R9, BX
	DECQ CX
	JNZ  q16row

q16st:
	VMOVUPD Y0, (DI)(AX*8)
	VMOVUPD Y1, 32(DI)(AX*8)
	VMOVUPD Y2, 64(DI)(AX*8)
	VMOVUPD Y3, 96(DI)(AX*8)
	MOVQ R11, AX
	JMP  q16

q4:
	CMPQ AX, R8
	JGE  qdone
	VMOVUPD (DI)(AX*8), Y0
	VMOVUPD (DX)(AX*8), Y8
	LEAQ (SI)(AX*4), BX
	MOVQ R10, CX
	TESTQ CX, CX
	JZ   q4st

q4row:
	VCVTPS2PD (BX), Y4
	VSUBPD Y8, Y4, Y4
	VMULPD Y4, Y4, Y4
	VADDPD Y4, Y0, Y0
	ADDQ R9, BX
	DECQ CX
	JNZ  q4row

q4st:
	VMOVUPD Y0, (DI)(AX*8)
	ADDQ $4, AX
	JMP  q4

qdone:
	VZEROUPPER
	RET

// func normAVX2(y, x []float32, C, P int, mc, is, gamma, beta []float64)
TEXT ·normAVX2(SB), NOSPLIT, $0-160
	MOVQ y_base+0(FP), DX
	MOVQ x_base+24(FP), SI
	MOVQ C+48(FP), R9
	SHLQ $2, R9
	MOVQ P+56(FP), CX
	MOVQ mc_base+64(FP), DI
	MOVQ mc_len+72(FP), R8
	MOVQ is_base+88(FP), R13
	MOVQ gamma_base+112(FP), R14
	MOVQ beta_base+136(FP), BX
	TESTQ CX, CX
	JZ   ndone

nrow:
	XORQ AX, AX

nk:
	VCVTPS2PD (SI)(AX*4), Y0
	VSUBPD (DI)(AX*8), Y0, Y0         // x − μ
	VMULPD (R13)(AX*8), Y0, Y0        // ·istd
	VMULPD (R14)(AX*8), Y0, Y0        // γ·
	VADDPD (BX)(AX*8), Y0, Y0         // + β
	VCVTPD2PSY Y0, X0
	VMOVUPS X0, (DX)(AX*4)
	ADDQ $4, AX
	CMPQ AX, R8
	JLT  nk
	ADDQ R9, SI
	ADDQ R9, DX
	DECQ CX
	JNZ  nrow

ndone:
	VZEROUPPER
	RET

// func backSumsAVX2(sd, sdh, mc, is []float64, dy, x []float32, C, P int)
TEXT ·backSumsAVX2(SB), NOSPLIT, $0-160
	MOVQ sd_base+0(FP), DI
	MOVQ sd_len+8(FP), R8
	MOVQ sdh_base+24(FP), R9
	MOVQ mc_base+48(FP), R11
	MOVQ is_base+72(FP), R12
	MOVQ dy_base+96(FP), SI
	MOVQ x_base+120(FP), BX
	MOVQ C+144(FP), R10
	SHLQ $2, R10
	MOVQ P+152(FP), R13
	XORQ AX, AX

b8:
	LEAQ 8(AX), DX
	CMPQ DX, R8
	JGT  b4
	VMOVUPD (DI)(AX*8), Y0
	VMOVUPD 32(DI)(AX*8), Y1
	VMOVUPD (R9)(AX*8), Y2
	VMOVUPD 32(R9)(AX*8), Y3
	VMOVUPD (R11)(AX*8), Y8
	VMOVUPD 32(R11)(AX*8), Y9
	VMOVUPD (R12)(AX*8), Y10
	VMOVUPD 32(R12)(AX*8), Y11
	LEAQ (SI)(AX*4), R14
	LEAQ (BX)(AX*4), DX
	MOVQ R13, CX
	TESTQ CX, CX
	JZ   b8st

b8row:
	VCVTPS2PD (R14), Y4               // dy
	VCVTPS2PD 16(R14), Y5
	VCVTPS2PD (DX), Y6                // x
	VCVTPS2PD 16(DX), Y7
	VADDPD Y4, Y0, Y0                 // Σdy
	VADDPD Y5, Y1, Y1
	VSUBPD Y8, Y6, Y6                 // x − μ
	VSUBPD Y9, Y7, Y7
	VMULPD Y10, Y6, Y6                // x̂
	VMULPD Y11, Y7, Y7
	VMULPD Y6, Y4, Y6                 // dy·x̂
	VMULPD Y7, Y5, Y7
	VADDPD Y6, Y2, Y2                 // Σdy·x̂
	VADDPD Y7, Y3, Y3
	ADDQ R10, R14
	ADDQ R10, DX
	DECQ CX
	JNZ  b8row

b8st:
	VMOVUPD Y0, (DI)(AX*8)
	VMOVUPD Y1, 32(DI)(AX*8)
	VMOVUPD Y2, (R9)(AX*8)
	VMOVUPD Y3, 32(R9)(AX*8)
	ADDQ $8, AX
	JMP  b8

b4:
	CMPQ AX, R8
	JGE  bdone
	VMOVUPD (DI)(AX*8), Y0
	VMOVUPD (R9)(AX*8), Y2
	VMOVUPD (R11)(AX*8), Y8
	VMOVUPD (R12)(AX*8), Y10
	LEAQ (SI)(AX*4), R14
	LEAQ (BX)(AX*4), DX
	MOVQ R13, CX
	TESTQ CX, CX
	JZ   b4st

b4row:
	VCVTPS2PD (R14), Y4
	VCVTPS2PD (DX), Y6
	VADDPD Y4, Y0, Y0
	VSUBPD Y8, Y6, Y6
	VMULPD Y10, Y6, Y6
	VMULPD Y6, Y4, Y6
	VADDPD Y6, Y2, Y2
	ADDQ R10, R14
	ADDQ R10, DX
	DECQ CX
	JNZ  b4row

b4st:
	VMOVUPD Y0, (DI)(AX*8)
	VMOVUPD Y2, (R9)(AX*8)
	ADDQ $4, AX
	JMP  b4

bdone:
	VZEROUPPER
	RET

// func backApplyAVX2(dx, dy, x []float32, C, P int, gamma, mc, is, a, b []float64)
TEXT ·backApplyAVX2(SB), NOSPLIT, $0-208
	MOVQ dx_base+0(FP), DX
	MOVQ dy_base+24(FP), SI
	MOVQ x_base+48(FP), BX
	MOVQ C+72(FP), R9
	SHLQ $2, R9
	MOVQ P+80(FP), CX
	MOVQ gamma_base+88(FP), R10
	MOVQ gamma_len+96(FP), R8
	MOVQ mc_base+112(FP), R11
	MOVQ is_base+136(FP), R12
	MOVQ a_base+160(FP), R13
	MOVQ b_base+184(FP), R14
	TESTQ CX, CX
	JZ   adone

arow:
	XORQ AX, AX

ak:
	VCVTPS2PD (SI)(AX*4), Y0          // dy
	VMULPD (R10)(AX*8), Y0, Y0        // γ·dy
	VSUBPD (R13)(AX*8), Y0, Y0        // − a
	VCVTPS2PD (BX)(AX*4), Y1          // x
	VSUBPD (R11)(AX*8), Y1, Y1        // x − μ
	VMULPD (R12)(AX*8), Y1, Y1        // x̂
	VMULPD (R14)(AX*8), Y1, Y1        // x̂·b
	VSUBPD Y1, Y0, Y0                 // (γ·dy − a) − x̂·b
	VMULPD (R12)(AX*8), Y0, Y0        // istd·
	VCVTPD2PSY Y0, X0
	VMOVUPS X0, (DX)(AX*4)
	ADDQ $4, AX
	CMPQ AX, R8
	JLT  ak
	ADDQ R9, SI
	ADDQ R9, BX
	ADDQ R9, DX
	DECQ CX
	JNZ  arow

adone:
	VZEROUPPER
	RET
