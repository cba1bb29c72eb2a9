package bnorm_test

import (
	"fmt"

	"github.com/sdeml/sdeml/internal/bnorm"
)

// Two rows of four channels: per-channel sums Σx and Σx², then y = 2x + 1.
func Example() {
	x := []float32{1, 2, 3, 4, 5, 6, 7, 8}
	s, s2 := make([]float64, 4), make([]float64, 4)
	bnorm.Sums(s, s2, x, x)
	y := make([]float32, 8)
	bnorm.Affine(y, x, []float64{2, 2, 2, 2}, []float64{1, 1, 1, 1})
	fmt.Println(s, s2, y)
	// Output:
	// [6 8 10 12] [26 40 58 80] [3 5 7 9 11 13 15 17]
}
