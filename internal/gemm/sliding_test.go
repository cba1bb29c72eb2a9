package gemm

import (
	"math"
	"math/rand/v2"
	"testing"
)

// expand returns the rows×cols matrix whose row i is x[i·ld : i·ld+cols] (rows possibly
// overlapping), stored with leading dimension cols.
func expand(x []float32, rows, cols, ld int) []float32 {
	e := make([]float32, rows*cols)
	for i := range rows {
		copy(e[i*cols:(i+1)*cols], x[i*ld:i*ld+cols])
	}
	return e
}

// TestSgemmSlidingMatchesExpanded checks, on every float32 kernel of this machine and with
// op(A) and B read in place or packed, that SgemmSliding with overlapping rows (leading
// dimensions below the column counts, as for the windows of an image row) gives the same
// bits as sgemm on the explicit matrices, for every transpose, several kc blocks and
// edge tiles.
func TestSgemmSlidingMatchesExpanded(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	defer func() { packAll = false }()
	for _, kern := range allKernels32() {
		for ci := range 60 {
			packAll = ci%2 == 1
			m, n, k := 1+rng.IntN(70), 1+rng.IntN(50), 1+rng.IntN(600)
			transA, transB := ci%4 >= 2, (ci/4)%2 == 1
			ar, ac := opShape(transA, m, k)
			br, bc := opShape(transB, k, n)
			lda, ldb := 1+rng.IntN(ac), 1+rng.IntN(bc) // overlapping rows
			if ci%5 == 0 {
				lda, ldb = ac+rng.IntN(3), bc+rng.IntN(3) // ordinary strides
			}
			a := make([]float32, (ar-1)*lda+ac)
			b := make([]float32, (br-1)*ldb+bc)
			for i := range a {
				a[i] = float32(rng.NormFloat64())
			}
			for i := range b {
				b[i] = float32(rng.NormFloat64())
			}
			c := make([]float32, m*n)
			for i := range c {
				c[i] = float32(rng.NormFloat64())
			}
			want := append([]float32(nil), c...)
			alpha, beta := float32(1), float32(ci%3)
			sgemm(&kern, transA, transB, m, n, k, alpha, expand(a, ar, ac, lda), ac, expand(b, br, bc, ldb), bc, beta, want, n)
			sgemmSliding(&kern, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, n)
			for i := range c {
				if !sameBits32(c[i], want[i]) {
					t.Fatalf("kernel %s, case %d (m=%d n=%d k=%d tA=%v tB=%v lda=%d ldb=%d): c[%d] = %v, want %v",
						kern.name, ci, m, n, k, transA, transB, lda, ldb, i, c[i], want[i])
				}
			}
		}
	}
}

// TestSgemmSlidingPanics checks the argument checks: a leading dimension below 1 and a
// slice too short for its rows.
func TestSgemmSlidingPanics(t *testing.T) {
	for _, f := range []func(){
		func() {
			SgemmSliding(false, false, 2, 2, 2, 1, make([]float32, 4), 0, make([]float32, 4), 2, 0, make([]float32, 4), 2)
		},
		func() {
			SgemmSliding(false, false, 3, 2, 4, 1, make([]float32, 5), 1, make([]float32, 8), 2, 0, make([]float32, 6), 2)
		},
		func() {
			SgemmSliding(false, false, 2, 2, 2, 1, make([]float32, 4), 2, make([]float32, 4), 2, 0, make([]float32, 4), 1)
		},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			f()
		}()
	}
}

// TestSgemmInPlaceRows checks that SgemmInPlaceRows(n) is the largest row count for which
// the product's plan reads B in place (problem.split), on widths that pick the narrow
// and the wide kernel.
func TestSgemmInPlaceRows(t *testing.T) {
	for _, n := range []int{1, 8, 16, 32, 48, 100} {
		rows := SgemmInPlaceRows(n)
		if tile := SgemmRowTile(n); tile < 1 || rows != 0 && rows != 2*tile {
			t.Errorf("n = %d: row tile %d, in-place rows %d", n, tile, rows)
		}
		plan := func(m int) bool {
			pr := problem[float32]{kern: *active32.forWidth(n), ops: ops32, m: m, n: n, k: 50}
			pr.split(1)
			return pr.inPlaceB
		}
		if rows == 0 {
			if plan(1) {
				t.Errorf("n = %d: 0 rows, but a 1-row product reads B in place", n)
			}
			continue
		}
		if !plan(rows) || plan(rows+1) {
			t.Errorf("n = %d: %d rows; in place at %d rows: %v, at %d: %v", n, rows, rows, plan(rows), rows+1, plan(rows+1))
		}
	}
}

// TestSgemmInPlacePanel checks that a product whose B rows are one panel wide (ldb = nr)
// reads B in place for any number of rows, with the bits of the fully packed product
// (packAll), for the narrow and the wide kernel's panel width and products with and
// without β.
func TestSgemmInPlacePanel(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 9))
	for _, n := range []int{active32.forWidth(1).nr, active32.nr} {
		kern := active32.forWidth(n)
		if kern.nr != n || kern.fnTB == nil {
			continue
		}
		for _, m := range []int{1, 2*kern.mr + 1, 100} {
			pr := problem[float32]{kern: *kern, ops: ops32, m: m, n: n, k: 70, ldb: n}
			pr.split(1)
			if !pr.inPlaceB {
				t.Fatalf("n = %d, m = %d: B one panel wide is packed", n, m)
			}
			for _, beta := range []float32{0, 0.5} {
				a, b := make([]float32, m*300), make([]float32, 300*n)
				c0 := make([]float32, m*n)
				for _, v := range [][]float32{a, b, c0} {
					for i := range v {
						v[i] = float32(rng.NormFloat64())
					}
				}
				got, want := append([]float32(nil), c0...), append([]float32(nil), c0...)
				Sgemm(false, false, m, n, 300, 1.5, a, 300, b, n, beta, got, n)
				packAll = true
				Sgemm(false, false, m, n, 300, 1.5, a, 300, b, n, beta, want, n)
				packAll = false
				for i := range want {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
						t.Fatalf("n = %d, m = %d, β = %v: c[%d] = %v, packed %v", n, m, beta, i, got[i], want[i])
					}
				}
			}
		}
	}
}
