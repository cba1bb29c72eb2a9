package gemm

// packA copies the block op(A)[i0:i0+mc, p0:p0+kc] into dst as ceil(mc/mr) panels of mr
// rows, panel q holding dst[q*kc*mr + p*mr + i] = op(A)[i0+q*mr+i, p0+p]. Rows past mc are
// zero-filled (they feed only edge-tile entries that are never written to C).
func packA[T float32 | float64](dst []T, transA bool, a []T, lda, i0, mc, p0, kc, mr int) {
	for q := 0; q*mr < mc; q++ {
		panel := dst[q*kc*mr : (q+1)*kc*mr]
		rows := min(mr, mc-q*mr)
		r0 := i0 + q*mr
		if transA {
			// op(A)[i, p] = a[p*lda+i]: each p gives mr contiguous values (at most 8, so a
			// loop: a copy call would cost more than the values).
			for p := 0; p < kc; p++ {
				src := a[(p0+p)*lda+r0 : (p0+p)*lda+r0+rows]
				d := panel[p*mr : p*mr+mr]
				for i, v := range src {
					d[i] = v
				}
				for i := rows; i < mr; i++ {
					d[i] = 0
				}
			}
			continue
		}
		// op(A)[i, p] = a[i*lda+p]: each row is contiguous in p.
		for i := 0; i < rows; i++ {
			src := a[(r0+i)*lda+p0 : (r0+i)*lda+p0+kc]
			for p, v := range src {
				panel[p*mr+i] = v
			}
		}
		for i := rows; i < mr; i++ {
			for p := 0; p < kc; p++ {
				panel[p*mr+i] = 0
			}
		}
	}
}

// packB copies the block op(B)[p0:p0+kc, j0:j0+nr] into dst (kc·nr values) as
// dst[p*nr+j] = op(B)[p0+p, j0+j]. Columns past n are zero-filled. With AVX, the float64
// panels are moved by the routines of pack_amd64.s; otherwise packBGo does it.
func packB(dst []float64, transB bool, b []float64, ldb, n, j0, p0, kc, nr int) {
	cols := min(nr, n-j0)
	if !packAVX || nr%4 != 0 {
		packBGo(dst, transB, b, ldb, n, j0, p0, kc, nr, 16)
		return
	}
	if !transB {
		// op(B)[p, j] = b[p*ldb+j]: each row is contiguous in j.
		if kc > 0 {
			src := b[p0*ldb+j0:]
			if len(src) < (kc-1)*ldb+cols || len(dst) < kc*nr {
				panic("gemm: packB: short slice")
			}
			packBNAVX(dst, src, ldb, kc, cols, nr)
		}
		return
	}
	// op(B)[p, j] = b[j*ldb+p]: each column is contiguous in p. Groups of four columns and
	// four p are transposed in registers; the p left over take the loop below, the
	// columns left over packBT.
	j := 0
	if cols >= 4 && kc >= 4 {
		groups, kc4 := cols/4, kc/4
		src := b[j0*ldb+p0:]
		if len(src) < (4*groups-1)*ldb+4*kc4 || len(dst) < kc*nr {
			panic("gemm: packB: short slice")
		}
		packBTAVX(dst, src, ldb, kc4, nr, groups)
		j = 4 * groups
		for jj := 0; jj < j; jj++ {
			col := b[(j0+jj)*ldb+p0 : (j0+jj)*ldb+p0+kc]
			for p := 4 * kc4; p < kc; p++ {
				dst[p*nr+jj] = col[p]
			}
		}
	}
	packBT(dst, b, ldb, n, j0, p0, kc, nr, j)
}

// packBGo is packB in Go, for either element type: op(B) = Bᵀ by packBT; rows of
// op(B) = B by copy and clear or, when shorter than loopBelow values, by a loop (the
// calls cost more than 16 float64 values; for float32 they measured faster even on the
// 9-wide rows of conv1-dW, so packB32 passes 0).
func packBGo[T float32 | float64](dst []T, transB bool, b []T, ldb, n, j0, p0, kc, nr, loopBelow int) {
	if transB {
		packBT(dst, b, ldb, n, j0, p0, kc, nr, 0)
		return
	}
	cols := min(nr, n-j0)
	for p := 0; p < kc; p++ {
		d := dst[p*nr : p*nr+nr]
		src := b[(p0+p)*ldb+j0 : (p0+p)*ldb+j0+cols]
		if cols >= loopBelow {
			copy(d, src)
			clear(d[cols:])
			continue
		}
		for j, v := range src {
			d[j] = v
		}
		for j := cols; j < nr; j++ {
			d[j] = 0
		}
	}
}

// packB32 is packB for float32 (no AVX routines).
func packB32(dst []float32, transB bool, b []float32, ldb, n, j0, p0, kc, nr int) {
	packBGo(dst, transB, b, ldb, n, j0, p0, kc, nr, 0)
}

// packBT is packB for op(B) = Bᵀ (op(B)[p, j] = b[j*ldb+p], each column contiguous in p)
// from column jFrom of the panel on: eight columns at a time, so that each p writes eight
// adjacent values, then one at a time; the columns past n are zero-filled.
func packBT[T float32 | float64](dst []T, b []T, ldb, n, j0, p0, kc, nr, jFrom int) {
	cols := min(nr, n-j0)
	j := jFrom
	for ; j+8 <= cols; j += 8 {
		r := (j0+j)*ldb + p0
		s0, s1 := b[r:r+kc], b[r+ldb:r+ldb+kc]
		s2, s3 := b[r+2*ldb:r+2*ldb+kc], b[r+3*ldb:r+3*ldb+kc]
		s4, s5 := b[r+4*ldb:r+4*ldb+kc], b[r+5*ldb:r+5*ldb+kc]
		s6, s7 := b[r+6*ldb:r+6*ldb+kc], b[r+7*ldb:r+7*ldb+kc]
		for p := range s0 {
			d := dst[p*nr+j : p*nr+j+8 : p*nr+j+8]
			d[0], d[1], d[2], d[3] = s0[p], s1[p], s2[p], s3[p]
			d[4], d[5], d[6], d[7] = s4[p], s5[p], s6[p], s7[p]
		}
	}
	for ; j < cols; j++ {
		src := b[(j0+j)*ldb+p0 : (j0+j)*ldb+p0+kc]
		for p, v := range src {
			dst[p*nr+j] = v
		}
	}
	for j := cols; j < nr; j++ {
		for p := 0; p < kc; p++ {
			dst[p*nr+j] = 0
		}
	}
}
