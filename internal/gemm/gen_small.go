//go:build ignore

// gen_small.go writes small_amd64.s, the AVX-512F and AVX2 kernels of the few-rows path
// (small.go):
// go run gen_small.go.
package main

import (
	"fmt"
	"os"
	"strings"
)

var out strings.Builder

func emit(format string, args ...any) { fmt.Fprintf(&out, "\t"+format+"\n", args...) }

// rowA returns the address of row i of A (pointer AX, R8 = lda·8, R9 = 3·lda·8,
// R10 = 5·lda·8, R11 = 7·lda·8) plus off bytes.
func rowA(i, off int) string {
	idx := []string{"", "(R8*1)", "(R8*2)", "(R9*1)", "(R8*4)", "(R10*1)", "(R9*2)", "(R11*1)"}[i]
	return fmt.Sprintf("%d(AX)%s", off, idx)
}

// rowB returns the address of row r of an 8-row group of B at base (DX = ldb·8,
// SI = 3·ldb·8, DI = 5·ldb·8, R12 = 7·ldb·8).
func rowB(base string, r int) string {
	idx := []string{"", "(DX*1)", "(DX*2)", "(SI*1)", "(DX*4)", "(DI*1)", "(SI*2)", "(R12*1)"}[r]
	return fmt.Sprintf("(%s)%s", base, idx)
}

// strides loads the row stride of A (argument name at offset 32) into R8..R11.
func strides(name string) {
	emit("MOVQ %s+32(FP), R8", name)
	emit("SHLQ $3, R8")
	emit("LEAQ (R8)(R8*2), R9")
	emit("LEAQ (R8)(R8*4), R10")
	emit("LEAQ (R9)(R8*4), R11")
}

// dotNT writes dotNT16m<m>: for rows i < m of A (a[i*lda+p]) and rows j < 16 of B
// (b[j*ldb+p]), acc[i*16+j] ← fma(a_ip, b_jp, acc[i*16+j]) for p = 0, …, kb-1 in order;
// kb is a positive multiple of 8. Each 8×8 block of B is transposed in registers, so
// lane j of the product vectors holds column j.
func dotNT(m int) {
	name := fmt.Sprintf("dotNT16m%d", m)
	fmt.Fprintf(&out, "\n// func %s(kb int, a []float64, lda int, b []float64, ldb int, acc []float64)\n", name)
	fmt.Fprintf(&out, "TEXT ·%s(SB), NOSPLIT, $0-96\n", name)
	emit("MOVQ acc_base+72(FP), SI")
	for i := 0; i < m; i++ {
		for g := 0; g < 2; g++ {
			emit("VMOVUPD %d(SI), Z%d", i*128+g*64, 16+8*g+i)
		}
	}
	emit("MOVQ kb+0(FP), CX")
	emit("SHRQ $3, CX")
	emit("MOVQ a_base+8(FP), AX")
	strides("lda")
	emit("MOVQ b_base+40(FP), BX")
	emit("MOVQ ldb+64(FP), DX")
	emit("SHLQ $3, DX")
	emit("LEAQ (DX)(DX*2), SI")
	emit("LEAQ (DX)(DX*4), DI")
	emit("LEAQ (SI)(DX*4), R12")
	emit("LEAQ (BX)(DX*8), R13")
	fmt.Fprintf(&out, "%s_loop:\n", name)
	for g, base := range []string{"BX", "R13"} {
		for r := 0; r < 8; r++ {
			emit("VMOVUPD %s, Z%d", rowB(base, r), r)
		}
		// a_{2h}, a_{2h+1} = unpack lo/hi of rows 2h, 2h+1 (Z8..Z15).
		for h := 0; h < 4; h++ {
			emit("VUNPCKLPD Z%d, Z%d, Z%d", 2*h+1, 2*h, 8+2*h)
			emit("VUNPCKHPD Z%d, Z%d, Z%d", 2*h+1, 2*h, 9+2*h)
		}
		// b0..b7 (Z0..Z7) from pairs (a0,a2), (a1,a3), (a4,a6), (a5,a7).
		pairs := [][2]int{{8, 10}, {9, 11}, {12, 14}, {13, 15}}
		for h, pr := range pairs {
			emit("VSHUFF64X2 $0x88, Z%d, Z%d, Z%d", pr[1], pr[0], 2*h)
			emit("VSHUFF64X2 $0xDD, Z%d, Z%d, Z%d", pr[1], pr[0], 2*h+1)
		}
		// t_q (Z8+q): t0,t4 from (b0,b4); t2,t6 from (b1,b5); t1,t5 from (b2,b6); t3,t7 from (b3,b7).
		for h, q := range []int{0, 2, 1, 3} {
			emit("VSHUFF64X2 $0x88, Z%d, Z%d, Z%d", h+4, h, 8+q)
			emit("VSHUFF64X2 $0xDD, Z%d, Z%d, Z%d", h+4, h, 12+q)
		}
		for q := 0; q < 8; q++ {
			for i := 0; i < m; i++ {
				emit("VFMADD231PD.BCST %s, Z%d, Z%d", rowA(i, 8*q), 8+q, 16+8*g+i)
			}
		}
	}
	emit("ADDQ $64, AX")
	emit("ADDQ $64, BX")
	emit("ADDQ $64, R13")
	emit("DECQ CX")
	emit("JNZ %s_loop", name)
	emit("MOVQ acc_base+72(FP), SI")
	for i := 0; i < m; i++ {
		for g := 0; g < 2; g++ {
			emit("VMOVUPD Z%d, %d(SI)", 16+8*g+i, i*128+g*64)
		}
	}
	emit("VZEROUPPER")
	emit("RET")
}

// axpyNN writes axpyNN24m<m>: for rows i < m of op(A) (a[i*rs+p*ps]) and columns j < 24
// of B (b[p*ldb+j]), acc[i*24+j] ← fma(a_ip, b_pj, acc[i*24+j]) for p = 0, …, kb-1 in
// order; kb ≥ 1.
func axpyNN(m int) {
	name := fmt.Sprintf("axpyNN24m%d", m)
	fmt.Fprintf(&out, "\n// func %s(kb int, a []float64, rs, ps int, b []float64, ldb int, acc []float64)\n", name)
	fmt.Fprintf(&out, "TEXT ·%s(SB), NOSPLIT, $0-104\n", name)
	emit("MOVQ acc_base+80(FP), SI")
	for i := 0; i < m; i++ {
		for u := 0; u < 3; u++ {
			emit("VMOVUPD %d(SI), Z%d", i*192+u*64, 3*i+u)
		}
	}
	emit("MOVQ kb+0(FP), CX")
	emit("MOVQ a_base+8(FP), AX")
	strides("rs")
	emit("MOVQ ps+40(FP), DI")
	emit("SHLQ $3, DI")
	emit("MOVQ b_base+48(FP), BX")
	emit("MOVQ ldb+72(FP), DX")
	emit("SHLQ $3, DX")
	fmt.Fprintf(&out, "%s_loop:\n", name)
	for u := 0; u < 3; u++ {
		emit("VMOVUPD %d(BX), Z%d", 64*u, 24+u)
	}
	for i := 0; i < m; i++ {
		emit("VBROADCASTSD %s, Z27", rowA(i, 0))
		for u := 0; u < 3; u++ {
			emit("VFMADD231PD Z%d, Z27, Z%d", 24+u, 3*i+u)
		}
	}
	emit("ADDQ DI, AX")
	emit("ADDQ DX, BX")
	emit("DECQ CX")
	emit("JNZ %s_loop", name)
	for i := 0; i < m; i++ {
		for u := 0; u < 3; u++ {
			emit("VMOVUPD Z%d, %d(SI)", 3*i+u, i*192+u*64)
		}
	}
	emit("VZEROUPPER")
	emit("RET")
}

// dotNT4 writes dotNT4m<m> (AVX2+FMA): as dotNT with 4 rows of B, kb a positive multiple
// of 4; each 4×4 block of B is transposed in registers (4 unpack + 4 VPERM2F128).
func dotNT4(m int) {
	name := fmt.Sprintf("dotNT4m%d", m)
	fmt.Fprintf(&out, "\n// func %s(kb int, a []float64, lda int, b []float64, ldb int, acc []float64)\n", name)
	fmt.Fprintf(&out, "TEXT ·%s(SB), NOSPLIT, $0-96\n", name)
	emit("MOVQ acc_base+72(FP), SI")
	for i := 0; i < m; i++ {
		emit("VMOVUPD %d(SI), Y%d", i*32, 8+i)
	}
	emit("MOVQ kb+0(FP), CX")
	emit("SHRQ $2, CX")
	emit("MOVQ a_base+8(FP), AX")
	strides("lda")
	emit("MOVQ b_base+40(FP), BX")
	emit("MOVQ ldb+64(FP), DX")
	emit("SHLQ $3, DX")
	emit("LEAQ (DX)(DX*2), SI")
	fmt.Fprintf(&out, "%s_loop:\n", name)
	for r := 0; r < 4; r++ {
		emit("VMOVUPD %s, Y%d", rowB("BX", r), r)
	}
	// a0..a3 (Y4..Y7) = unpack lo/hi of rows (0,1) and (2,3).
	emit("VUNPCKLPD Y1, Y0, Y4")
	emit("VUNPCKHPD Y1, Y0, Y5")
	emit("VUNPCKLPD Y3, Y2, Y6")
	emit("VUNPCKHPD Y3, Y2, Y7")
	// t_q (Y0+q): t0, t2 from (a0, a2); t1, t3 from (a1, a3).
	emit("VPERM2F128 $0x20, Y6, Y4, Y0")
	emit("VPERM2F128 $0x31, Y6, Y4, Y2")
	emit("VPERM2F128 $0x20, Y7, Y5, Y1")
	emit("VPERM2F128 $0x31, Y7, Y5, Y3")
	for q := 0; q < 4; q++ {
		for i := 0; i < m; i++ {
			emit("VBROADCASTSD %s, Y%d", rowA(i, 8*q), 12+i)
			emit("VFMADD231PD Y%d, Y%d, Y%d", 12+i, q, 8+i)
		}
	}
	emit("ADDQ $32, AX")
	emit("ADDQ $32, BX")
	emit("DECQ CX")
	emit("JNZ %s_loop", name)
	emit("MOVQ acc_base+72(FP), SI")
	for i := 0; i < m; i++ {
		emit("VMOVUPD Y%d, %d(SI)", 8+i, i*32)
	}
	emit("VZEROUPPER")
	emit("RET")
}

// axpyNN12 writes axpyNN12m<m> (AVX2+FMA): as axpyNN with 12 columns of B.
func axpyNN12(m int) {
	name := fmt.Sprintf("axpyNN12m%d", m)
	fmt.Fprintf(&out, "\n// func %s(kb int, a []float64, rs, ps int, b []float64, ldb int, acc []float64)\n", name)
	fmt.Fprintf(&out, "TEXT ·%s(SB), NOSPLIT, $0-104\n", name)
	emit("MOVQ acc_base+80(FP), SI")
	for i := 0; i < m; i++ {
		for u := 0; u < 3; u++ {
			emit("VMOVUPD %d(SI), Y%d", i*96+u*32, 3*i+u)
		}
	}
	emit("MOVQ kb+0(FP), CX")
	emit("MOVQ a_base+8(FP), AX")
	strides("rs")
	emit("MOVQ ps+40(FP), DI")
	emit("SHLQ $3, DI")
	emit("MOVQ b_base+48(FP), BX")
	emit("MOVQ ldb+72(FP), DX")
	emit("SHLQ $3, DX")
	fmt.Fprintf(&out, "%s_loop:\n", name)
	for u := 0; u < 3; u++ {
		emit("VMOVUPD %d(BX), Y%d", 32*u, 12+u)
	}
	for i := 0; i < m; i++ {
		emit("VBROADCASTSD %s, Y15", rowA(i, 0))
		for u := 0; u < 3; u++ {
			emit("VFMADD231PD Y%d, Y15, Y%d", 12+u, 3*i+u)
		}
	}
	emit("ADDQ DI, AX")
	emit("ADDQ DX, BX")
	emit("DECQ CX")
	emit("JNZ %s_loop", name)
	for i := 0; i < m; i++ {
		for u := 0; u < 3; u++ {
			emit("VMOVUPD Y%d, %d(SI)", 3*i+u, i*96+u*32)
		}
	}
	emit("VZEROUPPER")
	emit("RET")
}

func main() {
	out.WriteString("// Code generated by gen_small.go; DO NOT EDIT.\n\n//go:build amd64 && !purego\n\n#include \"textflag.h\"\n")
	for m := 1; m <= 8; m++ {
		dotNT(m)
	}
	for m := 1; m <= 8; m++ {
		axpyNN(m)
	}
	for m := 1; m <= 4; m++ {
		dotNT4(m)
	}
	for m := 1; m <= 4; m++ {
		axpyNN12(m)
	}
	if err := os.WriteFile("small_amd64.s", []byte(out.String()), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
