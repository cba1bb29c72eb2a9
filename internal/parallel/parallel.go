package parallel

import (
	"math/rand/v2"
	"runtime"
)

// Workers returns the number of goroutines For and Run use for n items: min(n, GOMAXPROCS),
// at least 1.
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

// Task is the body of a parallel loop: Do(worker, i) processes item i. worker is in
// [0, Workers(n)) and is distinct among goroutines running the same loop at the same time,
// so it can index per-worker scratch space; the assignment of items to workers is dynamic,
// so Do's result for item i must not depend on worker.
type Task interface {
	Do(worker, i int)
}

// Func adapts a function to Task.
type Func func(worker, i int)

// Do calls f(worker, i).
func (f Func) Do(worker, i int) { f(worker, i) }

// For calls fn(worker, i) for every i in [0, n), spread over Workers(n) goroutines (the
// caller included), and returns when all calls have returned. See Task for the meaning of
// worker. A closure that captures variables is allocated by the caller; Run with a
// pointer to a long-lived Task avoids that.
//
// A panic in fn is carried to the caller: the remaining items are not started, For waits
// for the calls in flight and then panics in the caller's goroutine, with the original
// value if fn panicked there and with a *Panic (the value and the worker's stack) if it
// panicked on a helper. The caller can recover either; the pool stays usable.
func For(n int, fn func(worker, i int)) { Run(n, Func(fn)) }

// Run calls t.Do(worker, i) for every i in [0, n) like For, panics included. It does not
// allocate (unless a task panics).
func Run(n int, t Task) {
	if n <= 0 {
		return
	}
	p := Workers(n)
	if p == 1 {
		for i := 0; i < n; i++ {
			t.Do(0, i)
		}
		return
	}
	j := jobPool.Get().(*job)
	j.run(n, p, t)
	jobPool.Put(j)
}

// Stream returns the random stream for item index of a computation seeded by seed.
// Streams for distinct (seed, index) pairs are independent PCG streams, so parallel
// work that draws from Stream(seed, i) for item i gives the same bits whatever the
// scheduling.
func Stream(seed uint64, index int) *rand.PCG {
	return rand.NewPCG(StreamSeeds(seed, index))
}

// StreamSeeds returns the PCG seeds of Stream(seed, index), so that a hot loop can reseed
// a PCG it already owns (pcg.Seed(StreamSeeds(seed, i))) instead of allocating a new one.
func StreamSeeds(seed uint64, index int) (uint64, uint64) {
	return seed, mix(uint64(index) + 0x9e3779b97f4a7c15)
}

// mix is the SplitMix64 finaliser; it decorrelates consecutive indices.
func mix(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// Blocks returns how to cut a range of n elements into blocks for Run when each block
// should hold at least minBlock elements (waking a helper costs microseconds, so a block
// should cost more than that): count blocks of per elements, block i covering
// [i·per, min((i+1)·per, n)). It returns count = 1, per = n when GOMAXPROCS is 1 or n is
// below 2·minBlock, so that the caller can run the range in place. The blocks depend on n,
// minBlock and GOMAXPROCS only; a loop whose blocks each write their own elements gives
// the same result for any split.
func Blocks(n, minBlock int) (count, per int) {
	minBlock = max(minBlock, 1)
	if n < 2*minBlock || runtime.GOMAXPROCS(0) == 1 {
		return 1, n
	}
	per = minBlock
	// At most 4 blocks per worker: enough to balance a helper that starts late.
	if most := 4 * runtime.GOMAXPROCS(0); n > most*per {
		per = (n + most - 1) / most
	}
	return (n + per - 1) / per, per
}
