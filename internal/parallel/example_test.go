package parallel_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/sdeml/sdeml/internal/parallel"
)

// Each item draws from its own stream and writes its own slot; the reduction is serial in
// index order, so the sum is the same bits for any GOMAXPROCS.
func ExampleFor() {
	const n = 1000
	means := make([]float64, n)
	parallel.For(n, func(_, i int) {
		r := rand.New(parallel.Stream(7, i))
		var s float64
		for k := 0; k < 100; k++ {
			s += r.Float64()
		}
		means[i] = s / 100
	})
	var total float64
	for _, m := range means {
		total += m
	}
	fmt.Printf("mean of %d uniform means: %.2f\n", n, total/n)
	// Output: mean of 1000 uniform means: 0.50
}
