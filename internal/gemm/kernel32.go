package gemm

import "math"

// kernels32 lists the float32 kernels usable on this machine, fastest first; the portable
// kernel is always last. kernel32_amd64.go prepends the assembly kernels.
var kernels32 = []kernel32{{name: "generic", mr: 4, nr: 4, fnT: kernGeneric32T, fnN: kernGeneric32N, fnTB: kernGeneric32TB, fnNB: kernGeneric32NB}}

// active32 is the kernel Sgemm uses: kernels32[0] after package initialisation.
var active32 = kernels32[0]

// maxMR32 and maxNR32 bound the tile shape of every float32 kernel.
const (
	maxMR32 = 12
	maxNR32 = 32
)

// fma32 returns a·b + c rounded once to float32 (round to nearest, ties to even), the
// result of the VFMADD…PS instructions, which Go has no intrinsic for. The product of two
// float32 values is exact in float64 (48 ≤ 53 significant bits), so only the sum rounds.
// Rounding s = p + c to float64 and then to float32 could round twice across a float32
// midpoint; instead s is rounded to odd (Boldo and Melquiond, "Emulation of FMA and
// correctly rounded sums: proved algorithms using rounding to odd", IEEE TC 57(4), 2008):
// when the float64 sum is inexact (its error e, from Knuth's TwoSum, is not 0) and its last
// significand bit is even, it is moved one float64 ulp towards the exact value. A
// round-to-odd result with at least 2 more bits than the target (53 ≥ 24 + 2) then rounds to
// float32 as the exact value would.
func fma32(a, b, c float32) float32 {
	p := float64(a) * float64(b)
	cc := float64(c)
	s := p + cc
	if math.IsInf(s, 0) || s != s {
		return float32(s)
	}
	v := s - p
	e := (p - (s - v)) + (cc - v)
	if e != 0 {
		bits := math.Float64bits(s)
		if bits&1 == 0 {
			if (e > 0) == (s > 0) {
				bits++
			} else {
				bits--
			}
			s = math.Float64frombits(bits)
		}
	}
	return float32(s)
}

// combine32 is combine in float32: alpha·acc when beta is ±0 (c not read), else
// fma(alpha, acc, beta·c) rounded once.
func combine32(acc, c, alpha, beta float32) float32 {
	if beta == 0 {
		return alpha * acc
	}
	return fma32(alpha, acc, beta*c)
}

// kernGeneric32T is the fnT variant of the portable float32 kernel.
func kernGeneric32T(kc int, a []float32, ps int, b, c []float32, ldc int, alpha, beta float32) {
	kernGeneric32(kc, a, 1, ps, b, 4, c, ldc, alpha, beta)
}

// kernGeneric32N is the fnN variant of the portable float32 kernel.
func kernGeneric32N(kc int, a []float32, rs int, b, c []float32, ldc int, alpha, beta float32) {
	kernGeneric32(kc, a, rs, 1, b, 4, c, ldc, alpha, beta)
}

// kernGeneric32TB is the fnTB variant of the portable float32 kernel.
func kernGeneric32TB(kc int, a []float32, ps int, b []float32, ldb int, c []float32, ldc int, alpha, beta float32) {
	kernGeneric32(kc, a, 1, ps, b, ldb, c, ldc, alpha, beta)
}

// kernGeneric32NB is the fnNB variant of the portable float32 kernel.
func kernGeneric32NB(kc int, a []float32, rs int, b []float32, ldb int, c []float32, ldc int, alpha, beta float32) {
	kernGeneric32(kc, a, rs, 1, b, ldb, c, ldc, alpha, beta)
}

// kernGeneric32 is the portable 4×4 float32 microkernel reading a_ip = a[i*rs+p*ps] and
// b_pj = b[p*ldb+j] (ldb = 4: a packed panel); see kernel32.
func kernGeneric32(kc int, a []float32, rs, ps int, b []float32, ldb int, c []float32, ldc int, alpha, beta float32) {
	var acc [4][4]float32
	for p := 0; p < kc; p++ {
		bp := b[ldb*p : ldb*p+4 : ldb*p+4]
		for i := range acc {
			ai := a[i*rs+p*ps]
			r := &acc[i]
			r[0] = fma32(ai, bp[0], r[0])
			r[1] = fma32(ai, bp[1], r[1])
			r[2] = fma32(ai, bp[2], r[2])
			r[3] = fma32(ai, bp[3], r[3])
		}
	}
	for i := range acc {
		row := c[i*ldc : i*ldc+4 : i*ldc+4]
		for j, v := range acc[i] {
			row[j] = combine32(v, row[j], alpha, beta)
		}
	}
}
