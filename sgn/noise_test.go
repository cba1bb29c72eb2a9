package sgn

import (
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

func TestMinibatchGrads(t *testing.T) {
	g := randDense(10, 4, 31)
	obj := rowGrader{g}
	w4 := make([]float64, 4) // rowGrader ignores w; its length must still be Dim()
	pool := []int{9, 7, 5, 3, 1, 0, 2, 4, 6, 8}
	mean := CenterRows(mat.NewDense(10, 4, nil), g, nil)
	// b = len(pool): every batch is the whole pool, so every row is the full mean.
	full := mat.NewDense(6, 4, nil)
	if err := MinibatchGrads(full, obj, w4, pool, 10, 1); err != nil {
		t.Fatal(err)
	}
	for r := 0; r < 6; r++ {
		// Same 10 rows summed in a different order: rounding only.
		if !floats.EqualApprox(full.RawRowView(r), mean, 1e-14) {
			t.Fatalf("row %d = %v, want the mean %v", r, full.RawRowView(r), mean)
		}
	}
	// b = 1 over a sub-pool: every row is one of the pool's rows.
	sub := []int{2, 5, 7}
	one := mat.NewDense(40, 4, nil)
	var two *mat.Dense
	withProcs(2, func() { _ = MinibatchGrads(one, obj, w4, sub, 1, 3) })
	seen := map[int]bool{}
	for r := 0; r < 40; r++ {
		found := false
		for _, i := range sub {
			if floats.Equal(one.RawRowView(r), g.RawRowView(i)) {
				found, seen[i] = true, true
			}
		}
		if !found {
			t.Fatalf("row %d is not a pool row", r)
		}
	}
	// 40 uniform draws from 3 rows miss one with probability 3·(2/3)^40 < 1e-6.
	if len(seen) != 3 {
		t.Errorf("only rows %v drawn", seen)
	}
	withProcs(1, func() {
		two = mat.NewDense(40, 4, nil)
		_ = MinibatchGrads(two, obj, w4, sub, 1, 3)
	})
	if !mat.Equal(one, two) {
		t.Error("MinibatchGrads differs between GOMAXPROCS 1 and 2")
	}
	if err := MinibatchGrads(one, obj, w4, sub, 4, 1); err == nil || !strings.Contains(err.Error(), "b = 4") {
		t.Errorf("b > len(pool): error %v", err)
	}
	mustPanic(t, "MinibatchGrads columns", func() { MinibatchGrads(mat.NewDense(2, 3, nil), obj, w4, sub, 1, 1) })
	// CenterRows with a given mean subtracts exactly that vector.
	c := mat.NewDense(10, 4, nil)
	CenterRows(c, g, []float64{1, 2, 3, 4})
	if c.At(3, 2) != g.At(3, 2)-3 {
		t.Error("CenterRows with explicit mean")
	}
}
