//go:build amd64 && !purego

#include "textflag.h"

// func forwardAVX2(y, x []float32)
TEXT ·forwardAVX2(SB), NOSPLIT, $0-48
	MOVQ y_base+0(FP), DX
	MOVQ x_base+24(FP), SI
	MOVQ x_len+32(FP), CX
	XORQ AX, AX
	VXORPS Y7, Y7, Y7

floop:
	VMOVUPS (SI)(AX*4), Y0
	VMAXPS Y7, Y0, Y1                 // x > 0 ? x : +0 (NaN gives +0)
	VCMPPS $3, Y0, Y0, Y2             // unordered: x is NaN
	VBLENDVPS Y2, Y0, Y1, Y1          // the NaN itself where x is NaN
	VMOVUPS Y1, (DX)(AX*4)
	ADDQ $8, AX
	CMPQ AX, CX
	JLT  floop
	VZEROUPPER
	RET

// func backAVX2(dx, dy, x []float32)
TEXT ·backAVX2(SB), NOSPLIT, $0-72
	MOVQ dx_base+0(FP), DX
	MOVQ dy_base+24(FP), BX
	MOVQ x_base+48(FP), SI
	MOVQ x_len+56(FP), CX
	XORQ AX, AX
	VPXOR Y7, Y7, Y7

bloop:
	VMOVDQU (SI)(AX*4), Y0
	VPCMPGTD Y7, Y0, Y0               // bits(x) > 0 as int32
	VPAND (BX)(AX*4), Y0, Y0
	VMOVDQU Y0, (DX)(AX*4)
	ADDQ $8, AX
	CMPQ AX, CX
	JLT  bloop
	VZEROUPPER
	RET
