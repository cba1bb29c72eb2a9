package relu32_test

import (
	"fmt"

	"github.com/sdeml/sdeml/internal/relu32"
)

// ReLU and its backward mask: ∂/∂y passes where x > 0.
func Example() {
	x := []float32{-1, 0, 2, 3}
	y, dx := make([]float32, 4), make([]float32, 4)
	relu32.Forward(y, x)
	relu32.Back(dx, []float32{5, 5, 5, 5}, x)
	fmt.Println(y, dx)
	// Output:
	// [0 0 2 3] [0 0 5 5]
}
