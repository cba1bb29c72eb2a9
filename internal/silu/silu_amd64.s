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
//
// Two independent chains of four values (eight per iteration) while eight remain, then
// four: the chain of dependent operations per value is long, and two chains in flight
// hide its latency. s is not written if its base is nil (SiLU without the kept σ).
TEXT ·forwardAVX2(SB), NOSPLIT, $0-72
	MOVQ y_base+0(FP), DX
	MOVQ s_base+24(FP), DI
	MOVQ x_base+48(FP), SI
	MOVQ x_len+56(FP), CX
	XORQ AX, AX
	MOVQ CX, BX
	SUBQ $8, BX                       // the last start of a full pair of chains

loop8:
	CMPQ AX, BX
	JGT  loop4
	VCVTPS2PD (SI)(AX*4), Y0
	VCVTPS2PD 16(SI)(AX*4), Y8
	VXORPD sign<>(SB), Y0, Y1
	VXORPD sign<>(SB), Y8, Y9
	VMAXPD lo<>(SB), Y1, Y1
	VMAXPD lo<>(SB), Y9, Y9
	VMINPD hi<>(SB), Y1, Y1
	VMINPD hi<>(SB), Y9, Y9
	VMULPD log2e<>(SB), Y1, Y2
	VMULPD log2e<>(SB), Y9, Y10
	VADDPD shift<>(SB), Y2, Y2
	VADDPD shift<>(SB), Y10, Y10
	VSUBPD shift<>(SB), Y2, Y3
	VSUBPD shift<>(SB), Y10, Y11
	VMULPD ln2hi<>(SB), Y3, Y4
	VMULPD ln2hi<>(SB), Y11, Y12
	VSUBPD Y4, Y1, Y4
	VSUBPD Y12, Y9, Y12
	VMULPD ln2lo<>(SB), Y3, Y5
	VMULPD ln2lo<>(SB), Y11, Y13
	VSUBPD Y5, Y4, Y4
	VSUBPD Y13, Y12, Y12
	VMOVUPD c8<>(SB), Y5
	VMOVUPD c8<>(SB), Y13
	VMULPD Y4, Y5, Y5
	VMULPD Y12, Y13, Y13
	VADDPD c7<>(SB), Y5, Y5
	VADDPD c7<>(SB), Y13, Y13
	VMULPD Y4, Y5, Y5
	VMULPD Y12, Y13, Y13
	VADDPD c6<>(SB), Y5, Y5
	VADDPD c6<>(SB), Y13, Y13
	VMULPD Y4, Y5, Y5
	VMULPD Y12, Y13, Y13
	VADDPD c5<>(SB), Y5, Y5
	VADDPD c5<>(SB), Y13, Y13
	VMULPD Y4, Y5, Y5
	VMULPD Y12, Y13, Y13
	VADDPD c4<>(SB), Y5, Y5
	VADDPD c4<>(SB), Y13, Y13
	VMULPD Y4, Y5, Y5
	VMULPD Y12, Y13, Y13
	VADDPD c3<>(SB), Y5, Y5
	VADDPD c3<>(SB), Y13, Y13
	VMULPD Y4, Y5, Y5
	VMULPD Y12, Y13, Y13
	VADDPD half<>(SB), Y5, Y5
	VADDPD half<>(SB), Y13, Y13
	VMULPD Y4, Y5, Y5
	VMULPD Y12, Y13, Y13
	VADDPD one<>(SB), Y5, Y5
	VADDPD one<>(SB), Y13, Y13
	VMULPD Y4, Y5, Y5
	VMULPD Y12, Y13, Y13
	VADDPD one<>(SB), Y5, Y5
	VADDPD one<>(SB), Y13, Y13
	VPADDQ bias<>(SB), Y2, Y2
	VPADDQ bias<>(SB), Y10, Y10
	VPSLLQ $52, Y2, Y2
	VPSLLQ $52, Y10, Y10
	VMULPD Y2, Y5, Y5
	VMULPD Y10, Y13, Y13
	VADDPD one<>(SB), Y5, Y5
	VADDPD one<>(SB), Y13, Y13
	VMOVUPD one<>(SB), Y6
	VMOVUPD one<>(SB), Y14
	VDIVPD Y5, Y6, Y6
	VDIVPD Y13, Y14, Y14
	TESTQ DI, DI
	JZ   nos8
	VMOVUPD Y6, (DI)(AX*8)
	VMOVUPD Y14, 32(DI)(AX*8)
nos8:
	VMULPD Y6, Y0, Y7
	VMULPD Y14, Y8, Y15
	VCVTPD2PSY Y7, X7
	VCVTPD2PSY Y15, X15
	VMOVUPS X7, (DX)(AX*4)
	VMOVUPS X15, 16(DX)(AX*4)
	ADDQ $8, AX
	JMP  loop8

loop4:
	CMPQ AX, CX
	JGE  done
	VCVTPS2PD (SI)(AX*4), Y0
	VXORPD sign<>(SB), Y0, Y1
	VMAXPD lo<>(SB), Y1, Y1
	VMINPD hi<>(SB), Y1, Y1
	VMULPD log2e<>(SB), Y1, Y2
	VADDPD shift<>(SB), Y2, Y2
	VSUBPD shift<>(SB), Y2, Y3
	VMULPD ln2hi<>(SB), Y3, Y4
	VSUBPD Y4, Y1, Y4
	VMULPD ln2lo<>(SB), Y3, Y5
	VSUBPD Y5, Y4, Y4
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
	VADDPD one<>(SB), Y5, Y5
	VPADDQ bias<>(SB), Y2, Y2
	VPSLLQ $52, Y2, Y2
	VMULPD Y2, Y5, Y5
	VADDPD one<>(SB), Y5, Y5
	VMOVUPD one<>(SB), Y6
	VDIVPD Y5, Y6, Y6
	TESTQ DI, DI
	JZ   nos4
	VMOVUPD Y6, (DI)(AX*8)
nos4:
	VMULPD Y6, Y0, Y7
	VCVTPD2PSY Y7, X7
	VMOVUPS X7, (DX)(AX*4)
	ADDQ $4, AX
	JMP  loop4

done:
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

// func forwardAVX512(y []float32, s []float64, x []float32)
//
// forwardAVX2's operations on eight values per instruction, two chains (sixteen values)
// per iteration, len(x) a positive multiple of 16; s is not written if its base is nil.
TEXT ·forwardAVX512(SB), NOSPLIT, $0-72
	MOVQ y_base+0(FP), DX
	MOVQ s_base+24(FP), DI
	MOVQ x_base+48(FP), SI
	MOVQ x_len+56(FP), CX
	XORQ AX, AX

zloop:
	VCVTPS2PD (SI)(AX*4), Z0
	VCVTPS2PD 32(SI)(AX*4), Z8
	VPXORQ.BCST sign<>(SB), Z0, Z1
	VPXORQ.BCST sign<>(SB), Z8, Z9
	VMAXPD.BCST lo<>(SB), Z1, Z1
	VMAXPD.BCST lo<>(SB), Z9, Z9
	VMINPD.BCST hi<>(SB), Z1, Z1
	VMINPD.BCST hi<>(SB), Z9, Z9
	VMULPD.BCST log2e<>(SB), Z1, Z2
	VMULPD.BCST log2e<>(SB), Z9, Z10
	VADDPD.BCST shift<>(SB), Z2, Z2
	VADDPD.BCST shift<>(SB), Z10, Z10
	VSUBPD.BCST shift<>(SB), Z2, Z3
	VSUBPD.BCST shift<>(SB), Z10, Z11
	VMULPD.BCST ln2hi<>(SB), Z3, Z4
	VMULPD.BCST ln2hi<>(SB), Z11, Z12
	VSUBPD Z4, Z1, Z4
	VSUBPD Z12, Z9, Z12
	VMULPD.BCST ln2lo<>(SB), Z3, Z5
	VMULPD.BCST ln2lo<>(SB), Z11, Z13
	VSUBPD Z5, Z4, Z4
	VSUBPD Z13, Z12, Z12
	VBROADCASTSD c8<>(SB), Z5
	VBROADCASTSD c8<>(SB), Z13
	VMULPD Z4, Z5, Z5
	VMULPD Z12, Z13, Z13
	VADDPD.BCST c7<>(SB), Z5, Z5
	VADDPD.BCST c7<>(SB), Z13, Z13
	VMULPD Z4, Z5, Z5
	VMULPD Z12, Z13, Z13
	VADDPD.BCST c6<>(SB), Z5, Z5
	VADDPD.BCST c6<>(SB), Z13, Z13
	VMULPD Z4, Z5, Z5
	VMULPD Z12, Z13, Z13
	VADDPD.BCST c5<>(SB), Z5, Z5
	VADDPD.BCST c5<>(SB), Z13, Z13
	VMULPD Z4, Z5, Z5
	VMULPD Z12, Z13, Z13
	VADDPD.BCST c4<>(SB), Z5, Z5
	VADDPD.BCST c4<>(SB), Z13, Z13
	VMULPD Z4, Z5, Z5
	VMULPD Z12, Z13, Z13
	VADDPD.BCST c3<>(SB), Z5, Z5
	VADDPD.BCST c3<>(SB), Z13, Z13
	VMULPD Z4, Z5, Z5
	VMULPD Z12, Z13, Z13
	VADDPD.BCST half<>(SB), Z5, Z5
	VADDPD.BCST half<>(SB), Z13, Z13
	VMULPD Z4, Z5, Z5
	VMULPD Z12, Z13, Z13
	VADDPD.BCST one<>(SB), Z5, Z5
	VADDPD.BCST one<>(SB), Z13, Z13
	VMULPD Z4, Z5, Z5
	VMULPD Z12, Z13, Z13
	VADDPD.BCST one<>(SB), Z5, Z5
	VADDPD.BCST one<>(SB), Z13, Z13
	VPADDQ.BCST bias<>(SB), Z2, Z2
	VPADDQ.BCST bias<>(SB), Z10, Z10
	VPSLLQ $52, Z2, Z2
	VPSLLQ $52, Z10, Z10
	VMULPD Z2, Z5, Z5
	VMULPD Z10, Z13, Z13
	VADDPD.BCST one<>(SB), Z5, Z5
	VADDPD.BCST one<>(SB), Z13, Z13
	VBROADCASTSD one<>(SB), Z6
	VBROADCASTSD one<>(SB), Z14
	VDIVPD Z5, Z6, Z6
	VDIVPD Z13, Z14, Z14
	TESTQ DI, DI
	JZ   znos
	VMOVUPD Z6, (DI)(AX*8)
	VMOVUPD Z14, 64(DI)(AX*8)
znos:
	VMULPD Z6, Z0, Z7
	VMULPD Z14, Z8, Z15
	VCVTPD2PS Z7, Y7
	VCVTPD2PS Z15, Y15
	VMOVUPS Y7, (DX)(AX*4)
	VMOVUPS Y15, 32(DX)(AX*4)
	ADDQ $16, AX
	CMPQ AX, CX
	JLT  zloop
	VZEROUPPER
	RET
