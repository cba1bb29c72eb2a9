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

// closed marks, in job.state, a phase whose items are all claimed; the low bits count the
// helpers inside the phase.
const closed = 1 << 62

// job is one phase of one product, shared by the calling goroutine and the helpers it
// wakes. Items are handed out through an atomic counter; each item writes a disjoint part
// of the packed B or of C and its result does not depend on who runs it, so the output is
// the same for any number of helpers.
//
// The caller never waits for a helper that has not started: a helper joins only while the
// phase is open (enter), and the caller, once it has run out of items, closes the phase and
// waits only for the helpers that joined. A helper that receives the job late finds it
// closed (or joins a later phase of the same job, which is equally correct) and leaves.
type job struct {
	pr    problem
	phase int
	n     int
	next  atomic.Int64
	state atomic.Int64
	done  chan struct{}
}

var jobPool = sync.Pool{New: func() any { return &job{done: make(chan struct{}, 1)} }}

// helpers are long-lived goroutines that run jobs sent on their channel. They are started
// on first need, up to GOMAXPROCS-1, and block on the channel when idle. Reusing them
// (instead of starting goroutines per call, as parallel.For does) keeps Dgemm free of
// allocations and saves the start-up cost.
var helpers struct {
	mu      sync.Mutex
	started int
	ch      chan *job
}

func init() { helpers.ch = make(chan *job, 64) }

// do runs items 0..n-1 of the given phase on up to `workers` goroutines (the caller
// included) and returns when all are done.
func (j *job) do(phase, n, workers int) {
	j.phase, j.n = phase, n
	j.next.Store(0)
	j.state.Store(0) // open: publishes phase, n and pr to helpers that enter
	if workers > 1 {
		ensureHelpers(workers - 1)
		for w := 1; w < workers; w++ {
			select {
			case helpers.ch <- j:
			default: // queue full: the caller does the work
			}
		}
	}
	j.work()
	if j.state.Or(closed) != 0 {
		<-j.done // the last helper to leave signals
	}
}

// enter admits a helper to the open phase.
func (j *job) enter() bool {
	for {
		s := j.state.Load()
		if s&closed != 0 {
			return false
		}
		if j.state.CompareAndSwap(s, s+1) {
			return true
		}
	}
}

// leave signals the caller if this was the last helper of a closed phase.
func (j *job) leave() {
	if j.state.Add(-1) == closed {
		j.done <- struct{}{}
	}
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
				if j.enter() {
					j.work()
					j.leave()
				}
			}
		}()
	}
	helpers.mu.Unlock()
}
