package freelist_test

import (
	"fmt"
	"runtime"

	"github.com/sdeml/sdeml/internal/freelist"
)

// A List hands back the value that was put, even after a garbage collection (a sync.Pool
// may have dropped it).
func Example() {
	var scratch freelist.List[[]float64]
	buf := scratch.New() // empty list: a new *[]float64
	*buf = make([]float64, 0, 1024)
	scratch.Put(buf)
	runtime.GC()
	again := scratch.New()
	fmt.Println(again == buf, cap(*again))
	// Output: true 1024
}
