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

// scaleTask doubles x in the blocks of parallel.Blocks: each block writes its own
// entries, so the result is the same for any split.
type scaleTask struct {
	x   []float64
	per int
}

func (t *scaleTask) Do(_, i int) {
	for k := i * t.per; k < min((i+1)*t.per, len(t.x)); k++ {
		t.x[k] *= 2
	}
}

func ExampleBlocks() {
	x := make([]float64, 100000)
	for i := range x {
		x[i] = float64(i)
	}
	t := &scaleTask{x: x}
	var n int
	n, t.per = parallel.Blocks(len(x), 1<<14) // one block at GOMAXPROCS 1, up to 4 per worker else
	parallel.Run(n, t)
	fmt.Println(x[0], x[1], x[len(x)-1])
	// Output: 0 2 199998
}
