package parallel

import (
	"fmt"
	"testing"
)

// BenchmarkRun times the loop overhead: n trivial items over the pool (the items cost
// about a nanosecond each, so the figure is dominated by waking helpers and joining).
func BenchmarkRun(b *testing.B) {
	for _, n := range []int{2, 64, 4096} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			task := &sumTask{out: make([]float64, n)}
			Run(n, task)
			b.ReportAllocs()
			for b.Loop() {
				Run(n, task)
			}
		})
	}
}
