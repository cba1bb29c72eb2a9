package parallel

import (
	"runtime"
	"testing"
)

func TestForVisitsEachIndexOnce(t *testing.T) {
	for _, procs := range []int{1, 2, 4} {
		old := runtime.GOMAXPROCS(procs)
		for _, n := range []int{0, 1, 3, 100} {
			seen := make([]int, n)
			For(n, func(w, i int) { seen[i]++ })
			for i, c := range seen {
				if c != 1 {
					t.Fatalf("procs=%d n=%d: index %d visited %d times", procs, n, i, c)
				}
			}
		}
		runtime.GOMAXPROCS(old)
	}
}

func TestStreamDeterministicAndDistinct(t *testing.T) {
	a, b := Stream(7, 3), Stream(7, 3)
	for k := 0; k < 10; k++ {
		if a.Uint64() != b.Uint64() {
			t.Fatal("same (seed, index) gave different streams")
		}
	}
	c, d := Stream(7, 3), Stream(7, 4)
	same := 0
	for k := 0; k < 64; k++ {
		if c.Uint64() == d.Uint64() {
			same++
		}
	}
	// Two independent 64-bit streams agree on a draw with probability 2^-64.
	if same != 0 {
		t.Fatalf("streams for neighbouring indices collided %d times", same)
	}
}
