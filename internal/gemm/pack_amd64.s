//go:build amd64 && !purego

#include "textflag.h"

// Lane masks for VMASKMOVPD: packMask<>+32·r loads the first r lanes of a vector (r = 1, 2, 3).
DATA packMask<>+0(SB)/8, $0
DATA packMask<>+8(SB)/8, $0
DATA packMask<>+16(SB)/8, $0
DATA packMask<>+24(SB)/8, $0
DATA packMask<>+32(SB)/8, $-1
DATA packMask<>+40(SB)/8, $0
DATA packMask<>+48(SB)/8, $0
DATA packMask<>+56(SB)/8, $0
DATA packMask<>+64(SB)/8, $-1
DATA packMask<>+72(SB)/8, $-1
DATA packMask<>+80(SB)/8, $0
DATA packMask<>+88(SB)/8, $0
DATA packMask<>+96(SB)/8, $-1
DATA packMask<>+104(SB)/8, $-1
DATA packMask<>+112(SB)/8, $-1
DATA packMask<>+120(SB)/8, $0
GLOBL packMask<>(SB), RODATA|NOPTR, $128

// func packBNAVX(dst, b []float64, ldb, kc, cols, nr int)
//
// For p < kc: dst[p*nr+j] = b[p*ldb+j] for j < cols, and +0 for cols <= j < nr
// (nr a multiple of 4, cols <= nr). Full vectors are moved as they are, the last partial
// one with a masked load (masked lanes read as +0 and are not accessed).
TEXT ·packBNAVX(SB), NOSPLIT, $0-80
	MOVQ dst_base+0(FP), DI
	MOVQ b_base+24(FP), SI
	MOVQ ldb+48(FP), R8
	SHLQ $3, R8
	MOVQ kc+56(FP), CX
	MOVQ cols+64(FP), DX
	MOVQ nr+72(FP), R9
	MOVQ R9, BX
	SHRQ $2, BX          // BX = vectors per packed row
	SHLQ $3, R9          // R9 = packed row in bytes
	MOVQ DX, R10
	SHRQ $2, R10         // R10 = full vectors
	MOVQ DX, R11
	ANDQ $3, R11         // R11 = lanes of the partial vector
	SUBQ R10, BX         // BX = vectors after the full ones
	SHLQ $5, R11
	LEAQ packMask<>(SB), AX
	VMOVUPD (AX)(R11*1), Y15
	VXORPD Y14, Y14, Y14
	TESTQ CX, CX
	JZ nDone

nRow:
	MOVQ SI, R12
	MOVQ DI, R13
	MOVQ R10, R14
	TESTQ R14, R14
	JZ nPart

nFull:
	VMOVUPD (R12), Y0
	VMOVUPD Y0, (R13)
	ADDQ $32, R12
	ADDQ $32, R13
	DECQ R14
	JNZ nFull

nPart:
	MOVQ BX, R14
	TESTQ R11, R11
	JZ nZero
	VMASKMOVPD (R12), Y15, Y0
	VMOVUPD Y0, (R13)
	ADDQ $32, R13
	DECQ R14

nZero:
	TESTQ R14, R14
	JZ nNext

nZeroLoop:
	VMOVUPD Y14, (R13)
	ADDQ $32, R13
	DECQ R14
	JNZ nZeroLoop

nNext:
	ADDQ R8, SI
	ADDQ R9, DI
	DECQ CX
	JNZ nRow

nDone:
	VZEROUPPER
	RET

// func packBTAVX(dst, b []float64, ldb, kc4, nr, groups int)
//
// For g < groups, p < 4·kc4 and jj < 4: dst[p*nr+4g+jj] = b[(4g+jj)*ldb+p]. Each step
// loads four p of four columns and transposes the 4×4 block in registers.
TEXT ·packBTAVX(SB), NOSPLIT, $0-80
	MOVQ dst_base+0(FP), DI
	MOVQ b_base+24(FP), SI
	MOVQ ldb+48(FP), R8
	SHLQ $3, R8          // R8 = column stride in bytes
	MOVQ kc4+56(FP), CX
	MOVQ nr+64(FP), R9
	SHLQ $3, R9          // R9 = packed row in bytes
	MOVQ groups+72(FP), DX
	LEAQ (R8)(R8*2), R10 // 3 column strides
	LEAQ (R9)(R9*2), R11 // 3 packed rows
	TESTQ CX, CX
	JZ tDone
	TESTQ DX, DX
	JZ tDone

tGroup:
	MOVQ SI, R12
	MOVQ DI, R13
	MOVQ CX, R14

tBlock:
	VMOVUPD (R12), Y0
	VMOVUPD (R12)(R8*1), Y1
	VMOVUPD (R12)(R8*2), Y2
	VMOVUPD (R12)(R10*1), Y3
	VUNPCKLPD Y1, Y0, Y4
	VUNPCKHPD Y1, Y0, Y5
	VUNPCKLPD Y3, Y2, Y6
	VUNPCKHPD Y3, Y2, Y7
	VPERM2F128 $0x20, Y6, Y4, Y0
	VPERM2F128 $0x20, Y7, Y5, Y1
	VPERM2F128 $0x31, Y6, Y4, Y2
	VPERM2F128 $0x31, Y7, Y5, Y3
	VMOVUPD Y0, (R13)
	VMOVUPD Y1, (R13)(R9*1)
	VMOVUPD Y2, (R13)(R9*2)
	VMOVUPD Y3, (R13)(R11*1)
	ADDQ $32, R12
	LEAQ (R13)(R9*4), R13
	DECQ R14
	JNZ tBlock

	LEAQ (SI)(R8*4), SI
	ADDQ $32, DI
	DECQ DX
	JNZ tGroup

tDone:
	VZEROUPPER
	RET
