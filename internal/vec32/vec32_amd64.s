//go:build amd64 && !purego

#include "textflag.h"

// func addAVX2(dst, s []float32)
TEXT ·addAVX2(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ s_base+24(FP), SI
	XORQ AX, AX
	MOVQ CX, BX
	SUBQ $32, BX

add32:
	CMPQ AX, BX
	JGT  add8
	VMOVUPS (DI)(AX*4), Y0
	VMOVUPS 32(DI)(AX*4), Y1
	VMOVUPS 64(DI)(AX*4), Y2
	VMOVUPS 96(DI)(AX*4), Y3
	VADDPS (SI)(AX*4), Y0, Y0
	VADDPS 32(SI)(AX*4), Y1, Y1
	VADDPS 64(SI)(AX*4), Y2, Y2
	VADDPS 96(SI)(AX*4), Y3, Y3
	VMOVUPS Y0, (DI)(AX*4)
	VMOVUPS Y1, 32(DI)(AX*4)
	VMOVUPS Y2, 64(DI)(AX*4)
	VMOVUPS Y3, 96(DI)(AX*4)
	ADDQ $32, AX
	JMP  add32

add8:
	CMPQ AX, CX
	JGE  adddone
	VMOVUPS (DI)(AX*4), Y0
	VADDPS (SI)(AX*4), Y0, Y0
	VMOVUPS Y0, (DI)(AX*4)
	ADDQ $8, AX
	JMP  add8

adddone:
	VZEROUPPER
	RET

// func sumAVX2(dst, a, b []float32)
TEXT ·sumAVX2(SB), NOSPLIT, $0-72
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ a_base+24(FP), SI
	MOVQ b_base+48(FP), DX
	XORQ AX, AX
	MOVQ CX, BX
	SUBQ $32, BX

sum32:
	CMPQ AX, BX
	JGT  sum8
	VMOVUPS (SI)(AX*4), Y0
	VMOVUPS 32(SI)(AX*4), Y1
	VMOVUPS 64(SI)(AX*4), Y2
	VMOVUPS 96(SI)(AX*4), Y3
	VADDPS (DX)(AX*4), Y0, Y0
	VADDPS 32(DX)(AX*4), Y1, Y1
	VADDPS 64(DX)(AX*4), Y2, Y2
	VADDPS 96(DX)(AX*4), Y3, Y3
	VMOVUPS Y0, (DI)(AX*4)
	VMOVUPS Y1, 32(DI)(AX*4)
	VMOVUPS Y2, 64(DI)(AX*4)
	VMOVUPS Y3, 96(DI)(AX*4)
	ADDQ $32, AX
	JMP  sum32

sum8:
	CMPQ AX, CX
	JGE  sumdone
	VMOVUPS (SI)(AX*4), Y0
	VADDPS (DX)(AX*4), Y0, Y0
	VMOVUPS Y0, (DI)(AX*4)
	ADDQ $8, AX
	JMP  sum8

sumdone:
	VZEROUPPER
	RET

// func colSumsAVX2(s []float64, x []float32)
// Channel blocks of 16 (then 4) of C = len(s) channels, held in registers over all rows:
// s[k] += float64(x[r·C+k]) for r in order.
TEXT ·colSumsAVX2(SB), NOSPLIT, $0-48
	MOVQ s_base+0(FP), DI
	MOVQ s_len+8(FP), R8              // C
	MOVQ x_base+24(FP), SI
	MOVQ x_len+32(FP), AX
	XORQ DX, DX
	DIVQ R8                           // AX = rows (len(x) is a multiple of C)
	MOVQ AX, R10
	LEAQ (R8*4), R9                   // row stride in bytes
	XORQ BX, BX                       // first channel of the block

c16:
	LEAQ 16(BX), CX
	CMPQ CX, R8
	JGT  c4
	VMOVUPD (DI)(BX*8), Y0
	VMOVUPD 32(DI)(BX*8), Y1
	VMOVUPD 64(DI)(BX*8), Y2
	VMOVUPD 96(DI)(BX*8), Y3
	LEAQ (SI)(BX*4), R11
	MOVQ R10, CX

c16row:
	VCVTPS2PD (R11), Y4
	VCVTPS2PD 16(R11), Y5
	VCVTPS2PD 32(R11), Y6
	VCVTPS2PD 48(R11), Y7
	VADDPD Y4, Y0, Y0
	VADDPD Y5, Y1, Y1
	VADDPD Y6, Y2, Y2
	VADDPD Y7, Y3, Y3
	ADDQ R9, R11
	DECQ CX
	JNZ  c16row
	VMOVUPD Y0, (DI)(BX*8)
	VMOVUPD Y1, 32(DI)(BX*8)
	VMOVUPD Y2, 64(DI)(BX*8)
	VMOVUPD Y3, 96(DI)(BX*8)
	ADDQ $16, BX
	JMP  c16

c4:
	CMPQ BX, R8
	JGE  cdone
	VMOVUPD (DI)(BX*8), Y0
	LEAQ (SI)(BX*4), R11
	MOVQ R10, CX

c4row:
	VCVTPS2PD (R11), Y4
	VADDPD Y4, Y0, Y0
	ADDQ R9, R11
	DECQ CX
	JNZ  c4row
	VMOVUPD Y0, (DI)(BX*8)
	ADDQ $4, BX
	JMP  c4

cdone:
	VZEROUPPER
	RET
