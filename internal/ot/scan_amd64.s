//go:build amd64 && !purego

#include "textflag.h"

// func scanAVX512(row, v, spc []float64, path, free []int32, base float64, i int, lanes *scanLanes)
//
// Eight columns per step. r = (base + row) − v; where r < spc (K1): spc = r, path = i (a
// masked store of the low eight dwords of Z30). d = the new spc. Lane state: low (Z29),
// idx (Z28); a lane takes (d, j) where d < low (K2) or d = low and the column is free (K3).
//
// Registers: SI row, BX v, DX spc, DI path, R8 free, CX n, AX column; Z31 = base,
// Z30 = i (dwords), Z27 = the columns of the eight lanes, Z26 = 8.
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
	VPTERNLOGQ $0xFF, Z28, Z28, Z28
	MOVQ $0x0706050403020100, AX
	VMOVQ AX, X0
	VPMOVZXBQ X0, Z27
	MOVQ $8, AX
	VPBROADCASTQ AX, Z26
	XORQ AX, AX
	TESTQ CX, CX
	JEQ done

loop:
	VMOVUPD (SI)(AX*8), Z0
	VADDPD Z31, Z0, Z0
	VSUBPD (BX)(AX*8), Z0, Z0
	VMOVUPD (DX)(AX*8), Z1
	VCMPPD $1, Z1, Z0, K1
	VMOVUPD Z0, K1, (DX)(AX*8)
	VMOVDQU32 Z30, K1, (DI)(AX*4)
	VMOVAPD Z0, K1, Z1
	VPMOVSXDQ (R8)(AX*4), Z2
	VPTESTMQ Z2, Z2, K3
	VCMPPD $0, Z29, Z1, K3, K3
	VCMPPD $1, Z29, Z1, K2
	KORW K2, K3, K2
	VMOVAPD Z1, K2, Z29
	VMOVDQA64 Z27, K2, Z28
	VPADDQ Z26, Z27, Z27
	ADDQ $8, AX
	CMPQ AX, CX
	JLT loop

done:
	MOVQ lanes+136(FP), AX
	VMOVUPD Z29, 0(AX)
	VMOVDQU64 Z28, 64(AX)
	VZEROUPPER
	RET
