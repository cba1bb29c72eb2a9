package vec32_test

import (
	"fmt"

	"github.com/sdeml/sdeml/internal/vec32"
)

// A bias added to each of two rows of two channels, and the channels' sums over the rows.
func Example() {
	z := []float32{1, 2, 3, 4}
	vec32.AddRows(z, []float32{10, 20})
	s := make([]float64, 2)
	vec32.ColSums(s, z)
	fmt.Println(z, s)
	// Output:
	// [11 22 13 24] [24 46]
}
