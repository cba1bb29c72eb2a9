package parallel

import (
	"math/rand/v2"
	"runtime"
	"sync/atomic"
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

// countTask records which worker ran each item and checks worker bounds.
type countTask struct {
	seen    []atomic.Int32
	workers int
	bad     atomic.Int32
}

func (c *countTask) Do(w, i int) {
	if w < 0 || w >= c.workers {
		c.bad.Add(1)
	}
	c.seen[i].Add(1)
}

func TestRunWorkerIDsInRangeAndNested(t *testing.T) {
	for _, procs := range []int{1, 2, 3, 8} {
		old := runtime.GOMAXPROCS(procs)
		for rep := 0; rep < 200; rep++ {
			n := 1 + rep%37
			outer := &countTask{seen: make([]atomic.Int32, n), workers: Workers(n)}
			inner := make([]*countTask, n)
			for i := range inner {
				inner[i] = &countTask{seen: make([]atomic.Int32, 5), workers: Workers(5)}
			}
			For(n, func(w, i int) {
				outer.Do(w, i)
				Run(5, inner[i]) // nested loop: must neither deadlock nor reuse ids wrongly
			})
			for i := 0; i < n; i++ {
				if outer.seen[i].Load() != 1 {
					t.Fatalf("procs=%d n=%d: item %d ran %d times", procs, n, i, outer.seen[i].Load())
				}
				for k := 0; k < 5; k++ {
					if inner[i].seen[k].Load() != 1 {
						t.Fatalf("procs=%d: nested item %d/%d ran %d times", procs, i, k, inner[i].seen[k].Load())
					}
				}
				if inner[i].bad.Load() != 0 {
					t.Fatalf("procs=%d: nested worker id out of range", procs)
				}
			}
			if outer.bad.Load() != 0 {
				t.Fatalf("procs=%d n=%d: worker id out of [0, %d)", procs, n, outer.workers)
			}
		}
		runtime.GOMAXPROCS(old)
	}
}

type sumTask struct{ out []float64 }

func (s *sumTask) Do(w, i int) { s.out[i] = float64(i) * 0.5 }

func TestRunDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items at random under the race detector")
	}
	task := &sumTask{out: make([]float64, 64)}
	Run(64, task) // start the helpers
	if a := testing.AllocsPerRun(100, func() { Run(64, task) }); a != 0 {
		t.Fatalf("Run allocated %.1f times per call", a)
	}
}

func TestStreamSeedsReseedMatchesStream(t *testing.T) {
	var p rand.PCG
	for i := 0; i < 5; i++ {
		p.Seed(StreamSeeds(42, i))
		q := Stream(42, i)
		for k := 0; k < 8; k++ {
			if p.Uint64() != q.Uint64() {
				t.Fatalf("index %d: reseeded PCG differs from Stream", i)
			}
		}
	}
}

// TestBlocks checks that the blocks of Blocks tile [0, n) exactly, hold at least minBlock
// elements (but the last), and number at most 4 per worker; one block at GOMAXPROCS 1 or
// for n < 2·minBlock.
func TestBlocks(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, procs := range []int{1, 2, 3} {
		runtime.GOMAXPROCS(procs)
		for _, n := range []int{0, 1, 5, 31, 32, 33, 100, 1000, 235146} {
			for _, minBlock := range []int{0, 1, 16, 1000} {
				count, per := Blocks(n, minBlock)
				if procs == 1 || n < 2*max(minBlock, 1) {
					if count != 1 || per != n {
						t.Fatalf("procs=%d n=%d min=%d: (%d, %d), want (1, %d)", procs, n, minBlock, count, per, n)
					}
					continue
				}
				if count < 2 || count > 4*procs || per < minBlock || (count-1)*per >= n || count*per < n {
					t.Fatalf("procs=%d n=%d min=%d: (%d, %d) do not tile the range as promised", procs, n, minBlock, count, per)
				}
			}
		}
	}
}
