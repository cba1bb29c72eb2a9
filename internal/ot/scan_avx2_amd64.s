//go:build amd64 && !purego

#include "textflag.h"

// func scanAVX2(row, v, spc []float64, path, free []int32, base float64, i int, lanes *scanLanes)
//
// The AVX2 version of scanAVX512 (scan_amd64.s), four columns per step. Without opmasks,
// the comparison r < spc (Y2) selects by blends; its four qword masks are narrowed to
// dwords (low halves, VSHUFPS) to blend i into path.
//
// Registers: SI row, BX v, DX spc, DI path, R8 free, CX n, AX column; Y15 = base,
// X14 = i (dwords), Y13 = low, Y12 = idx, Y11 = the columns of the four lanes, Y10 = 4.
TEXT ·scanAVX2(SB), NOSPLIT, $0-144
	MOVQ row_base+0(FP), SI
	MOVQ row_len+8(FP), CX
	MOVQ v_base+24(FP), BX
	MOVQ spc_base+48(FP), DX
	MOVQ path_base+72(FP), DI
	MOVQ free_base+96(FP), R8
	VBROADCASTSD base+120(FP), Y15
	MOVQ i+128(FP), AX
	VMOVQ AX, X14
	VPBROADCASTD X14, X14
	MOVQ $0x7FF0000000000000, AX
	VMOVQ AX, X13
	VPBROADCASTQ X13, Y13
	VPCMPEQQ Y12, Y12, Y12
	MOVQ $0x0000000100000000, AX
	VMOVQ AX, X11
	VPMOVZXDQ X11, X11
	MOVQ $2, AX
	VMOVQ AX, X10
	VPBROADCASTQ X10, X10
	VPADDQ X10, X11, X10
	VINSERTI128 $1, X10, Y11, Y11
	MOVQ $4, AX
	VMOVQ AX, X10
	VPBROADCASTQ X10, Y10
	XORQ AX, AX
	TESTQ CX, CX
	JEQ done

loop:
	VMOVUPD (SI)(AX*8), Y0
	VADDPD Y15, Y0, Y0
	VSUBPD (BX)(AX*8), Y0, Y0
	VMOVUPD (DX)(AX*8), Y1
	VCMPPD $1, Y1, Y0, Y2
	VBLENDVPD Y2, Y0, Y1, Y1
	VMOVUPD Y1, (DX)(AX*8)
	VEXTRACTF128 $1, Y2, X3
	VSHUFPS $0x88, X3, X2, X3
	VMOVDQU (DI)(AX*4), X4
	VBLENDVPS X3, X14, X4, X4
	VMOVDQU X4, (DI)(AX*4)
	VCMPPD $1, Y13, Y1, Y5
	VCMPPD $0, Y13, Y1, Y6
	VPMOVSXDQ (R8)(AX*4), Y7
	VANDPD Y7, Y6, Y6
	VORPD Y6, Y5, Y5
	VBLENDVPD Y5, Y1, Y13, Y13
	VBLENDVPD Y5, Y11, Y12, Y12
	VPADDQ Y10, Y11, Y11
	ADDQ $4, AX
	CMPQ AX, CX
	JLT loop

done:
	MOVQ lanes+136(FP), AX
	VMOVUPD Y13, 0(AX)
	VMOVDQU Y12, 128(AX)
	VZEROUPPER
	RET
