package reflected

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/sdeml/sdeml/internal/ot"
)

// TestW1OnSegment checks W1 in D = 4 against the 1-D distance of the coordinates: points on
// a line are an isometric copy of their coordinates, so both must agree (LSAP vs sorting),
// and SlicedW1 ≤ W1. Also W1(x, x + v) = ‖v‖ for a constant shift that keeps nothing else
// cheaper (both samples on the same line, shifted along it, is not that case, so a shift
// normal to the line is used: every coupling then costs at least ‖v‖ per point).
func TestW1OnSegment(t *testing.T) {
	target, _ := DiagonalSegment(4, 0.5)
	const m = 300
	x, y := make([]float64, 4*m), make([]float64, 4*m)
	target.Sample(x, rand.NewPCG(1, 2))
	target.Sample(y, rand.NewPCG(3, 4))
	got, err := W1(x, y, 4)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := ot.W1Sorted1D(target.AllCoordinates(x), target.AllCoordinates(y), nil)
	// 1e-12: both are sums of m distances of O(1) numbers computed in different orders.
	if math.Abs(got-want) > 1e-12 {
		t.Errorf("W1 %v, sorted coordinates %v", got, want)
	}
	sw, err := SlicedW1(x, y, 4, 50, rand.NewPCG(5, 6))
	if err != nil || sw > got+1e-12 {
		t.Errorf("SlicedW1 = %v (err %v) exceeds W1 = %v", sw, err, got)
	}
	// Shift x normal to the line by v = 0.01·(1, −1, 0, 0)/√2.
	xs := append([]float64(nil), x...)
	for i := 0; i < m; i++ {
		xs[4*i] += 0.01 / math.Sqrt2
		xs[4*i+1] -= 0.01 / math.Sqrt2
	}
	if off := target.MeanOffDistance(xs); math.Abs(off-0.01) > 1e-14 {
		t.Errorf("MeanOffDistance %v, want 0.01", off)
	}
	d, _ := W1(x, xs, 4)
	if math.Abs(d-0.01) > 1e-14 {
		t.Errorf("W1(x, x+v) = %v, want ‖v‖ = 0.01", d)
	}
	if _, err := W1(x, y[:4*(m-1)], 4); err == nil {
		t.Error("unequal sizes: no error")
	}
	if _, err := W1(nil, nil, 4); err == nil {
		t.Error("empty samples: no error")
	}
}
