//go:build amd64 && !purego

#include "textflag.h"

// The step for four columns AX+off/8 … with AVX2 is split in three parts so that the stores
// can be skipped when no lane improves (the common case once a search has scanned a few rows):
// PRE4(off) computes r = (base + row) − v into Y0, loads spc into Y1, the mask r < spc into
// Y2 and its sign bits into R10 (ZF set when no lane improves); UPD4(off) sets spc = r and
// path = i where r < spc (blends; the qword mask narrowed to dwords by VSHUFPS for path);
// ARG4(off, low, idx, cols): a lane takes (spc, column) where spc < low, or spc = low and the
// column is free. Without opmasks, selections are blends.
#define PRE4(off) \
	VMOVUPD off(SI)(AX*8), Y0; \
	VADDPD Y15, Y0, Y0; \
	VSUBPD off(BX)(AX*8), Y0, Y0; \
	VMOVUPD off(DX)(AX*8), Y1; \
	VCMPPD $1, Y1, Y0, Y2; \
	VMOVMSKPD Y2, R10; \
	TESTL R10, R10

#define UPD4(off) \
	VBLENDVPD Y2, Y0, Y1, Y1; \
	VMOVUPD Y1, off(DX)(AX*8); \
	VEXTRACTF128 $1, Y2, X3; \
	VSHUFPS $0x88, X3, X2, X3; \
	VMOVDQU off/2(DI)(AX*4), X4; \
	VBLENDVPS X3, X14, X4, X4; \
	VMOVDQU X4, off/2(DI)(AX*4)

#define ARG4(off, low, idx, cols) \
	VCMPPD $1, low, Y1, Y5; \
	VCMPPD $0, low, Y1, Y6; \
	VPMOVSXDQ off/2(R8)(AX*4), Y7; \
	VANDPD Y7, Y6, Y6; \
	VORPD Y6, Y5, Y5; \
	VBLENDVPD Y5, Y1, low, low; \
	VBLENDVPD Y5, cols, idx, idx

// func scanAVX2(row, v, spc []float64, path, free []int32, base float64, i int, lanes *scanLanes)
//
// The AVX2 version of scanAVX512 (scan_amd64.s): eight columns per step in two sets of
// four lanes (columns ≡ 0–3 and 4–7 mod 8); len(row) is a multiple of 8.
//
// Registers: SI row, BX v, DX spc, DI path, R8 free, CX n, AX column; Y15 = base,
// X14 = i (dwords), Y13/Y12 and Y9/Y8 = low/idx of the two lane sets, Y11/Y10 = their
// columns; Y0–Y7 are scratch (all sixteen registers are in use, so the step 8 is
// broadcast into Y3 once per step).
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
	VMOVDQU Y13, Y9
	VPCMPEQQ Y12, Y12, Y12
	VMOVDQU Y12, Y8
	// Y11 = (0, 1, 2, 3), Y10 = (4, 5, 6, 7)
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
	VPADDQ Y10, Y11, Y10
	XORQ AX, AX
	TESTQ CX, CX
	JEQ done

loop:
	PRE4(0)
	JZ arg0
	UPD4(0)

arg0:
	ARG4(0, Y13, Y12, Y11)
	PRE4(32)
	JZ arg1
	UPD4(32)

arg1:
	ARG4(32, Y9, Y8, Y10)
	MOVQ $8, R9
	VMOVQ R9, X3
	VPBROADCASTQ X3, Y3
	VPADDQ Y3, Y11, Y11
	VPADDQ Y3, Y10, Y10
	ADDQ $8, AX
	CMPQ AX, CX
	JLT loop

done:
	MOVQ lanes+136(FP), AX
	VMOVUPD Y13, 0(AX)
	VMOVUPD Y9, 32(AX)
	VMOVDQU Y12, 128(AX)
	VMOVDQU Y8, 160(AX)
	VZEROUPPER
	RET
