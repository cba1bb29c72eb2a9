package maxpool_test

import (
	"fmt"

	"github.com/sdeml/sdeml/internal/maxpool"
)

// One 2×2 window of one channel, pre-activations (−1, 2; 2, 0.5) and bias 0.5: the
// activations are (0, 2.5; 2.5, 1), whose maximum 2.5 is first reached at entry (0, 1),
// index 1 of z. Backward, that entry receives the error and the others 0.
func ExampleReLUMax2x2() {
	z := []float64{-1, 2, 2, 0.5} // the 2×2 input, row-major, one channel
	y, arg := make([]float64, 1), make([]int32, 1)
	row := maxpool.Row{N: 1, C: 1, RowStride: 2, Step: 2}
	maxpool.ReLUMax2x2(y, arg, z, []float64{0.5}, row)
	fmt.Println(y, arg)

	dz := make([]float64, 4)
	maxpool.ReLUMax2x2Back(dz, []float64{7}, y, arg, row)
	fmt.Println(dz)
	// Output:
	// [2.5] [1]
	// [0 7 0 0]
}
