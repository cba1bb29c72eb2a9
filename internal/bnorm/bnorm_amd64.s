//go:build amd64 && !purego

#include "textflag.h"

// The loops of bnorm.go on four channels per instruction (C a multiple of 4), every
// channel's float64 operations in the Go order, each rounded once: the same bits.

// func sumsAVX2(sa, sab []float64, a, b []float32)
//
// Eight channels at a time (then four), their sums held in registers over all rows: for
// each pair of rows sa += x0 + x1 and sab += x0·b0 + x1·b1, then a last single row, the
// order of sums in bnorm.go.
TEXT ·sumsAVX2(SB), NOSPLIT, $0-96
	MOVQ sa_base+0(FP), DI
	MOVQ sa_len+8(FP), R8
	MOVQ sab_base+24(FP), R9
	MOVQ a_base+48(FP), SI
	MOVQ a_len+56(FP), AX
	MOVQ b_base+72(FP), BX
	XORQ DX, DX
	DIVQ R8                           // rows (a_len / C), DX = 0
	MOVQ AX, R10
	LEAQ (R8*4), R13                  // row bytes
	XORQ AX, AX                       // channel

c8:
	LEAQ 8(AX), R11
	CMPQ R11, R8
	JGT  c4
	VMOVUPD (DI)(AX*8), Y0            // sa
	VMOVUPD 32(DI)(AX*8), Y1
	VMOVUPD (R9)(AX*8), Y2            // sab
	VMOVUPD 32(R9)(AX*8), Y3
	LEAQ (SI)(AX*4), R12              // a row
	LEAQ (BX)(AX*4), R14              // b row
	MOVQ R10, CX

c8pair:
	CMPQ CX, $2
	JLT  c8single
	VCVTPS2PD (R12), Y4               // x0
	VCVTPS2PD 16(R12), Y5
	VCVTPS2PD (R12)(R13*1), Y6        // x1
	VCVTPS2PD 16(R12)(R13*1), Y7
	VCVTPS2PD (R14), Y8               // b0
	VCVTPS2PD 16(R14), Y9
	VCVTPS2PD (R14)(R13*1), Y10       // b1
	VCVTPS2PD 16(R14)(R13*1), Y11
	VADDPD Y6, Y4, Y12                // x0 + x1
	VADDPD Y7, Y5, Y13
	VADDPD Y12, Y0, Y0
	VADDPD Y13, Y1, Y1
	VMULPD Y8, Y4, Y4                 // x0·b0
	VMULPD Y9, Y5, Y5
	VMULPD Y10, Y6, Y6                // x1·b1
	VMULPD Y11, Y7, Y7
	VADDPD Y6, Y4, Y4
	VADDPD Y7, Y5, Y5
	VADDPD Y4, Y2, Y2
	VADDPD Y5, Y3, Y3
	LEAQ (R12)(R13*2), R12
	LEAQ (R14)(R13*2), R14
	SUBQ $2, CX
	JMP  c8pair

c8single:
	TESTQ CX, CX
	JZ   c8st
	VCVTPS2PD (R12), Y4
	VCVTPS2PD 16(R12), Y5
	VCVTPS2PD (R14), Y8
	VCVTPS2PD 16(R14), Y9
	VADDPD Y4, Y0, Y0
	VADDPD Y5, Y1, Y1
	VMULPD Y8, Y4, Y4
	VMULPD Y9, Y5, Y5
	VADDPD Y4, Y2, Y2
	VADDPD Y5, Y3, Y3

c8st:
	VMOVUPD Y0, (DI)(AX*8)
	VMOVUPD Y1, 32(DI)(AX*8)
	VMOVUPD Y2, (R9)(AX*8)
	VMOVUPD Y3, 32(R9)(AX*8)
	MOVQ R11, AX
	JMP  c8

c4:
	CMPQ AX, R8
	JGE  done
	VMOVUPD (DI)(AX*8), Y0
	VMOVUPD (R9)(AX*8), Y2
	LEAQ (SI)(AX*4), R12
	LEAQ (BX)(AX*4), R14
	MOVQ R10, CX

c4pair:
	CMPQ CX, $2
	JLT  c4single
	VCVTPS2PD (R12), Y4
	VCVTPS2PD (R12)(R13*1), Y6
	VCVTPS2PD (R14), Y8
	VCVTPS2PD (R14)(R13*1), Y10
	VADDPD Y6, Y4, Y12
	VADDPD Y12, Y0, Y0
	VMULPD Y8, Y4, Y4
	VMULPD Y10, Y6, Y6
	VADDPD Y6, Y4, Y4
	VADDPD Y4, Y2, Y2
	LEAQ (R12)(R13*2), R12
	LEAQ (R14)(R13*2), R14
	SUBQ $2, CX
	JMP  c4pair

c4single:
	TESTQ CX, CX
	JZ   c4st
	VCVTPS2PD (R12), Y4
	VCVTPS2PD (R14), Y8
	VADDPD Y4, Y0, Y0
	VMULPD Y8, Y4, Y4
	VADDPD Y4, Y2, Y2

c4st:
	VMOVUPD Y0, (DI)(AX*8)
	VMOVUPD Y2, (R9)(AX*8)
	ADDQ $4, AX
	JMP  c4

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
