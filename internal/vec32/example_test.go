package vec32_test

import (
	"fmt"

	"github.com/sdeml/sdeml/internal/vec32"
)

// Two rows of two channels and the channels' sums over the rows.
func Example() {
	z := []float32{1, 2, 3, 4}
	s := make([]float64, 2)
	vec32.ColSums(s, z)
	fmt.Println(z, s)
	// Output:
	// [1 2 3 4] [4 6]
}
