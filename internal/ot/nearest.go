package ot

import (
	"fmt"
	"math"

	"github.com/sdeml/sdeml/internal/parallel"
)

// MeanNearest returns (1/m) Σᵢ minⱼ ‖xᵢ − yⱼ‖, the mean Euclidean distance from each of the
// m rows of x to its nearest row of y (rows of D values): how far generated samples lie
// from their closest training sample (a memorising model scores 0). Rows run in parallel;
// each row's search stops summing a candidate once it exceeds the best so far, which does
// not change the minimum, so the result is the same bits for any GOMAXPROCS. With no row
// in x the mean is NaN, with none in y every distance is +Inf. It panics if D < 1 or a
// length is not a multiple of D.
func MeanNearest(x, y []float64, D int) float64 {
	if D < 1 || len(x)%D != 0 || len(y)%D != 0 {
		panic(fmt.Sprintf("ot: MeanNearest: len(x) = %d, len(y) = %d: not rows of D = %d values", len(x), len(y), D))
	}
	m, n := len(x)/D, len(y)/D
	d := make([]float64, m)
	parallel.For(m, func(_, i int) {
		xi := x[i*D : (i+1)*D]
		best := math.Inf(1)
		for j := range n {
			yj := y[j*D : (j+1)*D]
			var s float64
			for k, v := range xi {
				u := v - yj[k]
				s += u * u
				if s >= best {
					break
				}
			}
			best = min(best, s)
		}
		d[i] = math.Sqrt(best)
	})
	var sum float64
	for _, v := range d {
		sum += v
	}
	return sum / float64(m)
}
