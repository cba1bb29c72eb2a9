package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestPackB checks packB against its definition, bit for bit (random bit patterns, NaN
// payloads included), with and without the AVX routines, for every panel width of the
// kernels, every column count up to it and depths around the multiples of 4.
func TestPackB(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	haveAVX := packAVX
	defer func() { packAVX = haveAVX }()
	for _, useAVX := range []bool{false, true} {
		if useAVX && !haveAVX {
			t.Log("no AVX packing on this CPU or build")
			continue
		}
		packAVX = useAVX
		for _, transB := range []bool{false, true} {
			for _, nr := range []int{4, 8, 12, 16, 24} {
				for cols := 1; cols <= nr; cols++ {
					for _, kcb := range []int{1, 3, 4, 5, 9, 17} {
						name := fmt.Sprintf("avx=%v transB=%v nr=%d cols=%d kc=%d", useAVX, transB, nr, cols, kcb)
						checkPackB(t, rng, name, transB, nr, cols, kcb)
					}
				}
			}
		}
	}
}

func checkPackB(t *testing.T, rng *rand.Rand, name string, transB bool, nr, cols, kcb int) {
	t.Helper()
	// op(B) is kcb+p0 rows by j0+cols columns; the panel starts at (p0, j0).
	p0, j0 := rng.IntN(3), rng.IntN(5)
	rows, ncol := p0+kcb, j0+cols
	br, bc := rows, ncol
	if transB {
		br, bc = ncol, rows
	}
	ldb := bc + rng.IntN(3)
	b := make([]float64, (br-1)*ldb+bc) // exactly the length Dgemm's check allows
	for i := range b {
		b[i] = math.Float64frombits(rng.Uint64())
	}
	dst := make([]float64, kcb*nr)
	for i := range dst {
		dst[i] = math.NaN()
	}
	packB(dst, transB, b, ldb, ncol, j0, p0, kcb, nr)
	for p := 0; p < kcb; p++ {
		for j := 0; j < nr; j++ {
			want := 0.0
			if j < cols {
				if transB {
					want = b[(j0+j)*ldb+p0+p]
				} else {
					want = b[(p0+p)*ldb+j0+j]
				}
			}
			if got := dst[p*nr+j]; math.Float64bits(got) != math.Float64bits(want) {
				t.Fatalf("%s: dst[%d*nr+%d] bits %#x, want %#x", name, p, j, math.Float64bits(got), math.Float64bits(want))
			}
		}
	}
}
