//go:build amd64 && !purego

#include "textflag.h"

// STEP8(off, low, idx, cols) scans the eight columns AX+off/8 … with the lane state
// (low, idx) and their column numbers cols. r = (base + row) − v; where r < spc (K1):
// spc = r, path = i (a masked store of the low eight dwords of Z30); d = the new spc. A lane
// takes (d, j) where d < low (K2) or d = low and the column is free (K3).
#define STEP8(off, low, idx, cols) \
	VMOVUPD off(SI)(AX*8), Z0; \
	VADDPD Z31, Z0, Z0; \
	VSUBPD off(BX)(AX*8), Z0, Z0; \
	VMOVUPD off(DX)(AX*8), Z1; \
	VCMPPD $1, Z1, Z0, K1; \
	VMOVUPD Z0, K1, off(DX)(AX*8); \
	VMOVDQU32 Z30, K1, off/2(DI)(AX*4); \
	VMOVAPD Z0, K1, Z1; \
	VPMOVSXDQ off/2(R8)(AX*4), Z2; \
	VPTESTMQ Z2, Z2, K3; \
	VCMPPD $0, low, Z1, K3, K3; \
	VCMPPD $1, low, Z1, K2; \
	KORW K2, K3, K2; \
	VMOVAPD Z1, K2, low; \
	VMOVDQA64 cols, K2, idx

// func scanAVX512(row, v, spc []float64, path, free []int32, base float64, i int, lanes *scanLanes)
//
// Sixteen columns per step in two independent sets of eight lanes (columns ≡ 0–7 and 8–15
// mod 16), so that the two lane states' dependency chains overlap; len(row) is a multiple
// of 16.
//
// Registers: SI row, BX v, DX spc, DI path, R8 free, CX n, AX column; Z31 = base,
// Z30 = i (dwords), Z29/Z28 and Z25/Z24 = low/idx of the two lane sets, Z27/Z23 = their
// columns, Z26 = 16.
TEXT ·scanAVX512(SB), NOSPLIT, $0-144
	MOVQ row_base+0(FP), SI
	MOVQ row_len+8(FP), CX
	MOVQ v_base+24(FP), BX
	MOVQ spc_base+48(FP), DX
	MOVQ path_base+72(FP), DI
	MOVQ free_base+96(FP), R8
	VPBROADCASTQ base+120(FP), Z31
	MOVQ i+128(FP), AX
	VPBROADCASTD AX, Z30
	MOVQ $0x7FF0000000000000, AX
	VPBROADCASTQ AX, Z29
	VMOVAPD Z29, Z25
	VPTERNLOGQ $0xFF, Z28, Z28, Z28
	VMOVDQA64 Z28, Z24
	MOVQ $0x0706050403020100, AX
	VMOVQ AX, X0
	VPMOVZXBQ X0, Z27
	MOVQ $8, AX
	VPBROADCASTQ AX, Z26
	VPADDQ Z26, Z27, Z23
	VPADDQ Z26, Z26, Z26
	XORQ AX, AX
	TESTQ CX, CX
	JEQ done

loop:
	STEP8(0, Z29, Z28, Z27)
	STEP8(64, Z25, Z24, Z23)
	VPADDQ Z26, Z27, Z27
	VPADDQ Z26, Z23, Z23
	ADDQ $16, AX
	CMPQ AX, CX
	JLT loop

done:
	MOVQ lanes+136(FP), AX
	VMOVUPD Z29, 0(AX)
	VMOVUPD Z25, 64(AX)
	VMOVDQU64 Z28, 128(AX)
	VMOVDQU64 Z24, 192(AX)
	VZEROUPPER
	RET
