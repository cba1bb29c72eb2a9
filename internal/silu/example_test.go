package silu_test

import (
	"fmt"

	"github.com/sdeml/sdeml/internal/silu"
)

// SiLU of three values and σ kept for the backward pass; the derivative at 0 is σ(0) = 1/2.
func Example() {
	x := []float32{-2, 0, 3}
	y, s := make([]float32, 3), make([]float64, 3)
	silu.Forward(y, s, x)
	dx := make([]float32, 3)
	silu.Backward(dx, []float32{1, 1, 1}, s, x)
	fmt.Printf("y = %.6f\nσ = %.6f\ndy/dx = %.6f\n", y, s, dx)
	// Output:
	// y = [-0.238406 0.000000 2.857722]
	// σ = [0.119203 0.500000 0.952574]
	// dy/dx = [-0.090784 0.500000 1.088104]
}
