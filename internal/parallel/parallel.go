// Package parallel holds the deterministic parallel loops shared by sdeml's packages.
//
// Work is split into items; each item's result must depend only on its index (and on
// per-item random streams derived from (seed, index), see Stream), never on which
// goroutine ran it or in what order. Reductions are then done serially in index order
// by the caller, so results are bit-identical for any GOMAXPROCS.
package parallel

import (
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
)

// Workers returns the number of goroutines For uses for n items: min(n, GOMAXPROCS).
func Workers(n int) int {
	p := runtime.GOMAXPROCS(0)
	if n < p {
		p = n
	}
	if p < 1 {
		p = 1
	}
	return p
}

// For calls fn(worker, i) for every i in [0, n), spread over Workers(n) goroutines.
// worker is in [0, Workers(n)) and lets fn use per-worker scratch space; the
// assignment of items to workers is dynamic, so fn's result for item i must not
// depend on worker. For returns when all calls have returned.
func For(n int, fn func(worker, i int)) {
	p := Workers(n)
	if p == 1 {
		for i := 0; i < n; i++ {
			fn(0, i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	wg.Add(p)
	for w := 0; w < p; w++ {
		go func(w int) {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				fn(w, i)
			}
		}(w)
	}
	wg.Wait()
}

// Stream returns the random stream for item index of a computation seeded by seed.
// Streams for distinct (seed, index) pairs are independent PCG streams, so parallel
// work that draws from Stream(seed, i) for item i gives the same bits whatever the
// scheduling.
func Stream(seed uint64, index int) *rand.PCG {
	return rand.NewPCG(seed, mix(uint64(index)+0x9e3779b97f4a7c15))
}

// mix is the SplitMix64 finaliser; it decorrelates consecutive indices.
func mix(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}
