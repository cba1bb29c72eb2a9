package gemm

import (
	"sync"
	"sync/atomic"
)

// Phases of a product: packing the column panels of B, then computing the tiles of C.
const (
	phasePackB = iota
	phaseCompute
)

// job is one phase of one product, shared by the calling goroutine and the helpers it
// wakes. Items are handed out through an atomic counter; each item writes a disjoint part
// of the packed B or of C and its result does not depend on who runs it, so the output is
// the same for any number of helpers.
type job struct {
	pr    problem
	phase int
	n     int
	next  atomic.Int64
	wg    sync.WaitGroup
}

var jobPool = sync.Pool{New: func() any { return new(job) }}

// helpers are long-lived goroutines that run jobs sent on their channel. They are started
// on first need, up to GOMAXPROCS-1, and block on the channel when idle. Reusing them
// (instead of starting goroutines per call, as parallel.For does) keeps Dgemm free of
// allocations.
var helpers struct {
	mu      sync.Mutex
	started int
	ch      chan *job
}

func init() { helpers.ch = make(chan *job, 256) }

// do runs items 0..n-1 of the given phase on `workers` goroutines (the caller included) and
// returns when all are done.
func (j *job) do(phase, n, workers int) {
	j.phase, j.n = phase, n
	j.next.Store(0)
	if workers > 1 {
		ensureHelpers(workers - 1)
		j.wg.Add(workers - 1)
		for w := 1; w < workers; w++ {
			helpers.ch <- j
		}
	}
	j.work()
	j.wg.Wait()
}

// work runs items until none are left.
func (j *job) work() {
	var s *scratch
	if j.phase == phaseCompute {
		s = scratchPool.Get().(*scratch)
	}
	for {
		t := int(j.next.Add(1) - 1)
		if t >= j.n {
			break
		}
		if j.phase == phasePackB {
			j.pr.packPanel(t)
		} else {
			j.pr.compute(t, s)
		}
	}
	if s != nil {
		scratchPool.Put(s)
	}
}

// ensureHelpers starts helper goroutines until at least n exist.
func ensureHelpers(n int) {
	helpers.mu.Lock()
	for ; helpers.started < n; helpers.started++ {
		go func() {
			for j := range helpers.ch {
				j.work()
				j.wg.Done()
			}
		}()
	}
	helpers.mu.Unlock()
}
