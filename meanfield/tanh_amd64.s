//go:build amd64 && !purego

#include "textflag.h"

DATA tanh_absmask<>+0(SB)/8, $0x7fffffffffffffff
DATA tanh_absmask<>+8(SB)/8, $0x7fffffffffffffff
DATA tanh_absmask<>+16(SB)/8, $0x7fffffffffffffff
DATA tanh_absmask<>+24(SB)/8, $0x7fffffffffffffff
GLOBL tanh_absmask<>(SB), RODATA|NOPTR, $32
DATA tanh_signmask<>+0(SB)/8, $0x8000000000000000
DATA tanh_signmask<>+8(SB)/8, $0x8000000000000000
DATA tanh_signmask<>+16(SB)/8, $0x8000000000000000
DATA tanh_signmask<>+24(SB)/8, $0x8000000000000000
GLOBL tanh_signmask<>(SB), RODATA|NOPTR, $32
DATA tanh_neg2<>+0(SB)/8, $0xc000000000000000
DATA tanh_neg2<>+8(SB)/8, $0xc000000000000000
DATA tanh_neg2<>+16(SB)/8, $0xc000000000000000
DATA tanh_neg2<>+24(SB)/8, $0xc000000000000000
GLOBL tanh_neg2<>(SB), RODATA|NOPTR, $32
DATA tanh_clamp<>+0(SB)/8, $0xc044000000000000
DATA tanh_clamp<>+8(SB)/8, $0xc044000000000000
DATA tanh_clamp<>+16(SB)/8, $0xc044000000000000
DATA tanh_clamp<>+24(SB)/8, $0xc044000000000000
GLOBL tanh_clamp<>(SB), RODATA|NOPTR, $32
DATA tanh_log2e<>+0(SB)/8, $0x3ff71547652b82fe
DATA tanh_log2e<>+8(SB)/8, $0x3ff71547652b82fe
DATA tanh_log2e<>+16(SB)/8, $0x3ff71547652b82fe
DATA tanh_log2e<>+24(SB)/8, $0x3ff71547652b82fe
GLOBL tanh_log2e<>(SB), RODATA|NOPTR, $32
DATA tanh_shifter<>+0(SB)/8, $0x4338000000000000
DATA tanh_shifter<>+8(SB)/8, $0x4338000000000000
DATA tanh_shifter<>+16(SB)/8, $0x4338000000000000
DATA tanh_shifter<>+24(SB)/8, $0x4338000000000000
GLOBL tanh_shifter<>(SB), RODATA|NOPTR, $32
DATA tanh_ln2hi<>+0(SB)/8, $0x3fe62e42fee00000
DATA tanh_ln2hi<>+8(SB)/8, $0x3fe62e42fee00000
DATA tanh_ln2hi<>+16(SB)/8, $0x3fe62e42fee00000
DATA tanh_ln2hi<>+24(SB)/8, $0x3fe62e42fee00000
GLOBL tanh_ln2hi<>(SB), RODATA|NOPTR, $32
DATA tanh_ln2lo<>+0(SB)/8, $0x3dea39ef35793c76
DATA tanh_ln2lo<>+8(SB)/8, $0x3dea39ef35793c76
DATA tanh_ln2lo<>+16(SB)/8, $0x3dea39ef35793c76
DATA tanh_ln2lo<>+24(SB)/8, $0x3dea39ef35793c76
GLOBL tanh_ln2lo<>(SB), RODATA|NOPTR, $32
DATA tanh_one<>+0(SB)/8, $0x3ff0000000000000
DATA tanh_one<>+8(SB)/8, $0x3ff0000000000000
DATA tanh_one<>+16(SB)/8, $0x3ff0000000000000
DATA tanh_one<>+24(SB)/8, $0x3ff0000000000000
GLOBL tanh_one<>(SB), RODATA|NOPTR, $32
DATA tanh_two<>+0(SB)/8, $0x4000000000000000
DATA tanh_two<>+8(SB)/8, $0x4000000000000000
DATA tanh_two<>+16(SB)/8, $0x4000000000000000
DATA tanh_two<>+24(SB)/8, $0x4000000000000000
GLOBL tanh_two<>(SB), RODATA|NOPTR, $32
DATA tanh_bias<>+0(SB)/8, $0x00000000000003ff
DATA tanh_bias<>+8(SB)/8, $0x00000000000003ff
DATA tanh_bias<>+16(SB)/8, $0x00000000000003ff
DATA tanh_bias<>+24(SB)/8, $0x00000000000003ff
GLOBL tanh_bias<>(SB), RODATA|NOPTR, $32
DATA tanh_c1<>+0(SB)/8, $0x3fe0000000000000
DATA tanh_c1<>+8(SB)/8, $0x3fe0000000000000
DATA tanh_c1<>+16(SB)/8, $0x3fe0000000000000
DATA tanh_c1<>+24(SB)/8, $0x3fe0000000000000
GLOBL tanh_c1<>(SB), RODATA|NOPTR, $32
DATA tanh_c2<>+0(SB)/8, $0x3fc5555555555555
DATA tanh_c2<>+8(SB)/8, $0x3fc5555555555555
DATA tanh_c2<>+16(SB)/8, $0x3fc5555555555555
DATA tanh_c2<>+24(SB)/8, $0x3fc5555555555555
GLOBL tanh_c2<>(SB), RODATA|NOPTR, $32
DATA tanh_c3<>+0(SB)/8, $0x3fa5555555555555
DATA tanh_c3<>+8(SB)/8, $0x3fa5555555555555
DATA tanh_c3<>+16(SB)/8, $0x3fa5555555555555
DATA tanh_c3<>+24(SB)/8, $0x3fa5555555555555
GLOBL tanh_c3<>(SB), RODATA|NOPTR, $32
DATA tanh_c4<>+0(SB)/8, $0x3f81111111111111
DATA tanh_c4<>+8(SB)/8, $0x3f81111111111111
DATA tanh_c4<>+16(SB)/8, $0x3f81111111111111
DATA tanh_c4<>+24(SB)/8, $0x3f81111111111111
GLOBL tanh_c4<>(SB), RODATA|NOPTR, $32
DATA tanh_c5<>+0(SB)/8, $0x3f56c16c16c16c17
DATA tanh_c5<>+8(SB)/8, $0x3f56c16c16c16c17
DATA tanh_c5<>+16(SB)/8, $0x3f56c16c16c16c17
DATA tanh_c5<>+24(SB)/8, $0x3f56c16c16c16c17
GLOBL tanh_c5<>(SB), RODATA|NOPTR, $32
DATA tanh_c6<>+0(SB)/8, $0x3f2a01a01a01a01a
DATA tanh_c6<>+8(SB)/8, $0x3f2a01a01a01a01a
DATA tanh_c6<>+16(SB)/8, $0x3f2a01a01a01a01a
DATA tanh_c6<>+24(SB)/8, $0x3f2a01a01a01a01a
GLOBL tanh_c6<>(SB), RODATA|NOPTR, $32
DATA tanh_c7<>+0(SB)/8, $0x3efa01a01a01a01a
DATA tanh_c7<>+8(SB)/8, $0x3efa01a01a01a01a
DATA tanh_c7<>+16(SB)/8, $0x3efa01a01a01a01a
DATA tanh_c7<>+24(SB)/8, $0x3efa01a01a01a01a
GLOBL tanh_c7<>(SB), RODATA|NOPTR, $32
DATA tanh_c8<>+0(SB)/8, $0x3ec71de3a556c734
DATA tanh_c8<>+8(SB)/8, $0x3ec71de3a556c734
DATA tanh_c8<>+16(SB)/8, $0x3ec71de3a556c734
DATA tanh_c8<>+24(SB)/8, $0x3ec71de3a556c734
GLOBL tanh_c8<>(SB), RODATA|NOPTR, $32
DATA tanh_c9<>+0(SB)/8, $0x3e927e4fb7789f5c
DATA tanh_c9<>+8(SB)/8, $0x3e927e4fb7789f5c
DATA tanh_c9<>+16(SB)/8, $0x3e927e4fb7789f5c
DATA tanh_c9<>+24(SB)/8, $0x3e927e4fb7789f5c
GLOBL tanh_c9<>(SB), RODATA|NOPTR, $32
DATA tanh_c10<>+0(SB)/8, $0x3e5ae64567f544e4
DATA tanh_c10<>+8(SB)/8, $0x3e5ae64567f544e4
DATA tanh_c10<>+16(SB)/8, $0x3e5ae64567f544e4
DATA tanh_c10<>+24(SB)/8, $0x3e5ae64567f544e4
GLOBL tanh_c10<>(SB), RODATA|NOPTR, $32
DATA tanh_c11<>+0(SB)/8, $0x3e21eed8eff8d898
DATA tanh_c11<>+8(SB)/8, $0x3e21eed8eff8d898
DATA tanh_c11<>+16(SB)/8, $0x3e21eed8eff8d898
DATA tanh_c11<>+24(SB)/8, $0x3e21eed8eff8d898
GLOBL tanh_c11<>(SB), RODATA|NOPTR, $32
DATA tanh_c12<>+0(SB)/8, $0x3de6124613a86d09
DATA tanh_c12<>+8(SB)/8, $0x3de6124613a86d09
DATA tanh_c12<>+16(SB)/8, $0x3de6124613a86d09
DATA tanh_c12<>+24(SB)/8, $0x3de6124613a86d09
GLOBL tanh_c12<>(SB), RODATA|NOPTR, $32

// func tanhRowAVX2(s []float64)
//
// tanhRowGeneric (tanh.go) four lanes at a time, operation for operation (the same
// roundings and fused multiply-adds), so both give the same bits. len(s) must be a multiple
// of 4.
TEXT ·tanhRowAVX2(SB), NOSPLIT, $0-24
	MOVQ s_base+0(FP), SI
	MOVQ s_len+8(FP), CX
	SHRQ $2, CX
	JZ   done
	VMOVUPD tanh_clamp<>(SB), Y15
	VMOVUPD tanh_absmask<>(SB), Y14
	VMOVUPD tanh_shifter<>(SB), Y13
	VMOVUPD tanh_signmask<>(SB), Y12

loop:
	VMOVUPD (SI), Y0
	VANDPD  Y14, Y0, Y1                 // |x|
	VMULPD  tanh_neg2<>(SB), Y1, Y1     // −2|x|
	VMAXPD  Y1, Y15, Y1                 // y = max(−2|x|, −40); NaN y is returned (second source)
	VMOVAPD Y13, Y2
	VFMADD231PD tanh_log2e<>(SB), Y1, Y2 // t = y·log2e + shifter
	VSUBPD  Y13, Y2, Y3                 // kf = t − shifter
	VPSUBQ  Y13, Y2, Y2                 // k = bits(t) − bits(shifter)
	VMOVAPD Y1, Y4
	VFNMADD231PD tanh_ln2hi<>(SB), Y3, Y4 // r = y − kf·ln2Hi
	VFNMADD231PD tanh_ln2lo<>(SB), Y3, Y4 // r −= kf·ln2Lo
	VMULPD  Y4, Y4, Y5                  // r2
	VMOVUPD tanh_c1<>(SB), Y6
	VFMADD231PD tanh_c2<>(SB), Y4, Y6   // a0 = c1 + r c2
	VMOVUPD tanh_c3<>(SB), Y7
	VFMADD231PD tanh_c4<>(SB), Y4, Y7   // a1
	VMOVUPD tanh_c5<>(SB), Y8
	VFMADD231PD tanh_c6<>(SB), Y4, Y8   // a2
	VMOVUPD tanh_c7<>(SB), Y9
	VFMADD231PD tanh_c8<>(SB), Y4, Y9   // a3
	VMOVUPD tanh_c9<>(SB), Y10
	VFMADD231PD tanh_c10<>(SB), Y4, Y10 // a4
	VMOVUPD tanh_c11<>(SB), Y11
	VFMADD231PD tanh_c12<>(SB), Y4, Y11 // a5
	VFMADD231PD Y5, Y7, Y6              // b0 = a0 + a1 r2
	VFMADD231PD Y5, Y9, Y8              // b1 = a2 + a3 r2
	VFMADD231PD Y5, Y11, Y10            // b2 = a4 + a5 r2
	VMULPD  Y5, Y5, Y7                  // r4
	VFMADD231PD Y7, Y8, Y6              // d0 = b0 + b1 r4
	VMULPD  Y7, Y7, Y9                  // r8
	VFMADD231PD Y9, Y10, Y6             // q1 = d0 + b2 r8
	VFMADD231PD Y6, Y5, Y4              // p = r + r2 q1
	VPADDQ  tanh_bias<>(SB), Y2, Y2
	VPSLLQ  $52, Y2, Y2                 // sc = 2^k
	VSUBPD  tanh_one<>(SB), Y2, Y3      // sc − 1
	VFMADD231PD Y4, Y2, Y3              // e = sc·p + (sc − 1)
	VADDPD  tanh_two<>(SB), Y3, Y5      // e + 2
	VDIVPD  Y5, Y3, Y6                  // e/(e + 2)
	VANDPD  Y14, Y6, Y6
	VANDPD  Y12, Y0, Y0
	VORPD   Y0, Y6, Y6                  // copysign
	VMOVUPD Y6, (SI)
	ADDQ    $32, SI
	DECQ    CX
	JNZ     loop
	VZEROUPPER

done:
	RET
