//go:build amd64 && !purego

#include "textflag.h"

// The loops of bnorm.go on four channels per instruction (C a multiple of 4), every
// channel's float64 operations in the Go order, each rounded once: the same bits.

// func sumsAVX2(sa, sab []float64, a, b []float32)
TEXT ·sumsAVX2(SB), NOSPLIT, $0-96
	MOVQ sa_base+0(FP), DI
	MOVQ sa_len+8(FP), R8
	MOVQ sab_base+24(FP), R9
	MOVQ a_base+48(FP), SI
	MOVQ a_len+56(FP), R10
	MOVQ b_base+72(FP), BX
	LEAQ (SI)(R10*4), R10             // end of a
	LEAQ (R8*4), R13                  // row bytes

pairs:
	LEAQ (SI)(R13*2), R14
	CMPQ R14, R10
	JGT  single
	LEAQ (SI)(R13*1), R11             // a1
	LEAQ (BX)(R13*1), R12             // b1
	XORQ AX, AX

pairk:
	VCVTPS2PD (SI)(AX*4), Y0          // x0
	VCVTPS2PD (R11)(AX*4), Y1         // x1
	VCVTPS2PD (BX)(AX*4), Y2          // b0
	VCVTPS2PD (R12)(AX*4), Y3         // b1
	VADDPD Y1, Y0, Y4
	VADDPD (DI)(AX*8), Y4, Y4
	VMOVUPD Y4, (DI)(AX*8)
	VMULPD Y2, Y0, Y5
	VMULPD Y3, Y1, Y6
	VADDPD Y6, Y5, Y5
	VADDPD (R9)(AX*8), Y5, Y5
	VMOVUPD Y5, (R9)(AX*8)
	ADDQ $4, AX
	CMPQ AX, R8
	JLT  pairk
	LEAQ (SI)(R13*2), SI
	LEAQ (BX)(R13*2), BX
	JMP  pairs

single:
	LEAQ (SI)(R13*1), R14
	CMPQ R14, R10
	JGT  done
	XORQ AX, AX

singlek:
	VCVTPS2PD (SI)(AX*4), Y0
	VCVTPS2PD (BX)(AX*4), Y2
	VADDPD (DI)(AX*8), Y0, Y4
	VMOVUPD Y4, (DI)(AX*8)
	VMULPD Y2, Y0, Y5
	VADDPD (R9)(AX*8), Y5, Y5
	VMOVUPD Y5, (R9)(AX*8)
	ADDQ $4, AX
	CMPQ AX, R8
	JLT  singlek
	LEAQ (SI)(R13*1), SI
	LEAQ (BX)(R13*1), BX
	JMP  single

done:
	VZEROUPPER
	RET

// func affineAVX2(y, x []float32, a, b []float64)
TEXT ·affineAVX2(SB), NOSPLIT, $0-96
	MOVQ y_base+0(FP), DX
	MOVQ x_base+24(FP), SI
	MOVQ x_len+32(FP), R10
	MOVQ a_base+48(FP), DI
	MOVQ a_len+56(FP), R8
	MOVQ b_base+72(FP), R9
	XORQ CX, CX                       // row start (elements)

arow:
	CMPQ CX, R10
	JGE  adone
	LEAQ (SI)(CX*4), R11
	LEAQ (DX)(CX*4), R12
	XORQ AX, AX

ak:
	VCVTPS2PD (R11)(AX*4), Y0
	VMULPD (DI)(AX*8), Y0, Y0
	VADDPD (R9)(AX*8), Y0, Y0
	VCVTPD2PSY Y0, X0
	VMOVUPS X0, (R12)(AX*4)
	ADDQ $4, AX
	CMPQ AX, R8
	JLT  ak
	ADDQ R8, CX
	JMP  arow

adone:
	VZEROUPPER
	RET

// func backAVX2(dx, dy, x []float32, ca, m, cb, mu []float64)
TEXT ·backAVX2(SB), NOSPLIT, $0-168
	MOVQ dx_base+0(FP), DX
	MOVQ dy_base+24(FP), SI
	MOVQ dy_len+32(FP), R10
	MOVQ x_base+48(FP), BX
	MOVQ ca_base+72(FP), DI
	MOVQ ca_len+80(FP), R8
	MOVQ m_base+96(FP), R9
	MOVQ cb_base+120(FP), R13
	MOVQ mu_base+144(FP), R14
	XORQ CX, CX

brow:
	CMPQ CX, R10
	JGE  bdone
	LEAQ (SI)(CX*4), R11
	LEAQ (BX)(CX*4), R12
	LEAQ (DX)(CX*4), R15
	XORQ AX, AX

bk:
	VCVTPS2PD (R11)(AX*4), Y0         // dy
	VCVTPS2PD (R12)(AX*4), Y1         // x
	VSUBPD (R9)(AX*8), Y0, Y0         // dy − m
	VMULPD (DI)(AX*8), Y0, Y0         // ca·(dy − m)
	VSUBPD (R14)(AX*8), Y1, Y1        // x − μ
	VMULPD (R13)(AX*8), Y1, Y1        // cb·(x − μ)
	VADDPD Y1, Y0, Y0
	VCVTPD2PSY Y0, X0
	VMOVUPS X0, (R15)(AX*4)
	ADDQ $4, AX
	CMPQ AX, R8
	JLT  bk
	ADDQ R8, CX
	JMP  brow

bdone:
	VZEROUPPER
	RET
