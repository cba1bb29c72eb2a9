package sde

import "math"

// luFactor factors the n×n row-major matrix a in place as P·A = L·U with
// partial pivoting (Doolittle; L unit lower triangular below the diagonal,
// U on and above it), recording the row interchanges in piv. It is the
// small dense solver of the implicit methods' Newton stages: O(n³/3)
// flops, no allocation. It returns false if a pivot is zero or not finite
// (A singular to working precision, or with a NaN/Inf entry).
func luFactor(a []float64, n int, piv []int) bool {
	for k := range n {
		p, big := k, math.Abs(a[k*n+k])
		for i := k + 1; i < n; i++ {
			if v := math.Abs(a[i*n+k]); v > big {
				p, big = i, v
			}
		}
		if !(big > 0) || math.IsInf(big, 0) {
			return false
		}
		piv[k] = p
		if p != k {
			rk, rp := a[k*n:k*n+n], a[p*n:p*n+n]
			for j := range rk {
				rk[j], rp[j] = rp[j], rk[j]
			}
		}
		inv := 1 / a[k*n+k]
		rk := a[k*n+k+1 : k*n+n]
		for i := k + 1; i < n; i++ {
			l := a[i*n+k] * inv
			a[i*n+k] = l
			if l == 0 {
				continue
			}
			ri := a[i*n+k+1 : i*n+n]
			for j, v := range rk {
				ri[j] -= l * v
			}
		}
	}
	return true
}

// luSolve overwrites b with the solution x of A x = b, given the factors
// of luFactor.
func luSolve(a []float64, n int, piv []int, b []float64) {
	for k := range n {
		if p := piv[k]; p != k {
			b[k], b[p] = b[p], b[k]
		}
	}
	for i := range n {
		s := b[i]
		for j, l := range a[i*n : i*n+i] {
			s -= l * b[j]
		}
		b[i] = s
	}
	for i := n - 1; i >= 0; i-- {
		s := b[i]
		for j := i + 1; j < n; j++ {
			s -= a[i*n+j] * b[j]
		}
		b[i] = s / a[i*n+i]
	}
}

// luDetSign returns the sign (±1) of det A from the factors of luFactor:
// the product of the signs of U's diagonal, negated once per row
// interchange.
func luDetSign(a []float64, n int, piv []int) float64 {
	s := 1.0
	for k := range n {
		if a[k*n+k] < 0 {
			s = -s
		}
		if piv[k] != k {
			s = -s
		}
	}
	return s
}
