package gnorm_test

import (
	"fmt"

	"github.com/sdeml/sdeml/internal/gnorm"
)

// One sample of two pixels and four channels in two groups: each group's four values
// normalised to mean 0 and variance 1 (ε = 0 here; γ = 1, β = 0).
func Example() {
	x := []float32{1, 3, 10, 20, 3, 5, 30, 40} // group 0: 1, 3, 3, 5; group 1: 10, 20, 30, 40
	y, keep := make([]float32, 8), make([]float64, 4)
	one, zero := []float64{1, 1, 1, 1}, []float64{0, 0, 0, 0}
	gnorm.Forward(y, x, 4, 2, one, zero, 0, keep)
	fmt.Printf("means %v %v\n", keep[0], keep[2])
	fmt.Printf("%.4f\n", y)
	// Output:
	// means 3 25
	// [-1.4142 0.0000 -1.3416 -0.4472 0.0000 1.4142 0.4472 1.3416]
}
