//go:build amd64 && !purego

#include "textflag.h"

// forward's operations on four values per instruction, in the same order, each rounded
// once (no fused multiply-add): the same bits as the Go version.

#define CONST4(name, bits) \
	DATA name<>+0(SB)/8, bits; \
	DATA name<>+8(SB)/8, bits; \
	DATA name<>+16(SB)/8, bits; \
	DATA name<>+24(SB)/8, bits; \
	GLOBL name<>(SB), RODATA|NOPTR, $32

CONST4(sign, $0x8000000000000000)
CONST4(lo, $-708.0)
CONST4(hi, $709.0)
CONST4(log2e, $1.4426950408889634)
CONST4(shift, $6755399441055744.0)
CONST4(ln2hi, $6.93147180369123816490e-01)
CONST4(ln2lo, $1.90821492927058770002e-10)
CONST4(c8, $2.48015873015873015873e-05)
CONST4(c7, $1.98412698412698412698e-04)
CONST4(c6, $1.38888888888888888889e-03)
CONST4(c5, $8.33333333333333333333e-03)
CONST4(c4, $4.16666666666666666667e-02)
CONST4(c3, $1.66666666666666666667e-01)
CONST4(half, $0.5)
CONST4(one, $1.0)
CONST4(bias, $1023)

// func forwardAVX2(y []float32, s []float64, x []float32)
TEXT ·forwardAVX2(SB), NOSPLIT, $0-72
	MOVQ y_base+0(FP), DX
	MOVQ s_base+24(FP), DI
	MOVQ x_base+48(FP), SI
	MOVQ x_len+56(FP), CX
	XORQ AX, AX

loop:
	VCVTPS2PD (SI)(AX*4), Y0          // v
	VXORPD sign<>(SB), Y0, Y1         // t = −v
	VMAXPD lo<>(SB), Y1, Y1           // t > lo ? t : lo
	VMINPD hi<>(SB), Y1, Y1           // t < hi ? t : hi
	VMULPD log2e<>(SB), Y1, Y2
	VADDPD shift<>(SB), Y2, Y2        // u
	VSUBPD shift<>(SB), Y2, Y3        // k
	VMULPD ln2hi<>(SB), Y3, Y4
	VSUBPD Y4, Y1, Y4                 // t − k·ln2Hi
	VMULPD ln2lo<>(SB), Y3, Y5
	VSUBPD Y5, Y4, Y4                 // r
	VMOVUPD c8<>(SB), Y5
	VMULPD Y4, Y5, Y5
	VADDPD c7<>(SB), Y5, Y5
	VMULPD Y4, Y5, Y5
	VADDPD c6<>(SB), Y5, Y5
	VMULPD Y4, Y5, Y5
	VADDPD c5<>(SB), Y5, Y5
	VMULPD Y4, Y5, Y5
	VADDPD c4<>(SB), Y5, Y5
	VMULPD Y4, Y5, Y5
	VADDPD c3<>(SB), Y5, Y5
	VMULPD Y4, Y5, Y5
	VADDPD half<>(SB), Y5, Y5
	VMULPD Y4, Y5, Y5
	VADDPD one<>(SB), Y5, Y5
	VMULPD Y4, Y5, Y5
	VADDPD one<>(SB), Y5, Y5          // p
	VPADDQ bias<>(SB), Y2, Y2
	VPSLLQ $52, Y2, Y2                // 2^k
	VMULPD Y2, Y5, Y5                 // e^t
	VADDPD one<>(SB), Y5, Y5          // 1 + e^t (the same sum as e^t + 1)
	VMOVUPD one<>(SB), Y6
	VDIVPD Y5, Y6, Y6                 // s = 1/(1 + e^t)
	VMOVUPD Y6, (DI)(AX*8)
	VMULPD Y6, Y0, Y7                 // v·s
	VCVTPD2PSY Y7, X7
	VMOVUPS X7, (DX)(AX*4)
	ADDQ $4, AX
	CMPQ AX, CX
	JLT  loop
	VZEROUPPER
	RET

// func backwardAVX2(dx, dy []float32, s []float64, x []float32)
TEXT ·backwardAVX2(SB), NOSPLIT, $0-96
	MOVQ dx_base+0(FP), DX
	MOVQ dy_base+24(FP), BX
	MOVQ s_base+48(FP), DI
	MOVQ x_base+72(FP), SI
	MOVQ x_len+80(FP), CX
	XORQ AX, AX

bloop:
	VCVTPS2PD (SI)(AX*4), Y0          // v
	VMOVUPD (DI)(AX*8), Y1            // s
	VCVTPS2PD (BX)(AX*4), Y2          // dy
	VMOVUPD one<>(SB), Y3
	VSUBPD Y1, Y3, Y3                 // 1 − s
	VMULPD Y3, Y0, Y3                 // v·(1 − s)
	VADDPD one<>(SB), Y3, Y3          // c = 1 + v·(1 − s)
	VMULPD Y1, Y2, Y2                 // dy·s
	VMULPD Y3, Y2, Y2                 // dy·s·c
	VCVTPD2PSY Y2, X2
	VMOVUPS X2, (DX)(AX*4)
	ADDQ $4, AX
	CMPQ AX, CX
	JLT  bloop
	VZEROUPPER
	RET
