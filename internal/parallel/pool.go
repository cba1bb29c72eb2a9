package parallel

import (
	"runtime/debug"
	"sync"
	"sync/atomic"
)

// job is one loop, shared by the calling goroutine and the helpers it wakes. Items are
// handed out through an atomic counter.
//
// The caller never waits for a helper that has not started: a helper joins only while the
// loop is open and belongs to the current generation (enter), and the caller, once it has
// run out of items, closes the loop and waits only for the helpers that joined. A helper
// that receives a ticket late finds the loop closed, or the job reused for a later
// generation, and leaves without touching it.
type job struct {
	task Task
	n    int
	next atomic.Int64 // next item
	ids  atomic.Int64 // last worker id handed out; the caller is 0
	// state packs the generation (high 32 bits), the closed bit and the number of helpers
	// inside the loop (low bits).
	state atomic.Uint64
	gen   uint32
	done  chan struct{}
	// failed holds the first panic of a helper in this generation (see Panic).
	failed atomic.Pointer[Panic]
}

const (
	closedBit = 1 << 31
	countMask = closedBit - 1
)

type ticket struct {
	j   *job
	gen uint32
}

var jobPool = sync.Pool{New: func() any { return &job{done: make(chan struct{}, 1)} }}

// helpers are long-lived goroutines that run loops sent on their channel. They are started
// on first need, up to GOMAXPROCS−1 (more if GOMAXPROCS grows), and block when idle.
var helpers struct {
	mu      sync.Mutex
	started int
	ch      chan ticket
}

// The channel is buffered so that a loop started right after another finds its tickets
// queued for helpers still on their way back; stale tickets are harmless (see job).
func init() { helpers.ch = make(chan ticket, 64) }

func (j *job) run(n, workers int, t Task) {
	j.task, j.n = t, n
	j.gen++
	j.next.Store(0)
	j.ids.Store(0)
	j.state.Store(uint64(j.gen) << 32) // open, no helpers: publishes task and n
	ensureHelpers(workers - 1)
	for w := 1; w < workers; w++ {
		select {
		case helpers.ch <- ticket{j, j.gen}:
		default: // every helper is busy (e.g. a nested loop): the caller does the work
		}
	}
	j.lead()
	j.finish()
	if p := j.failed.Swap(nil); p != nil {
		j.task = nil
		panic(p) // in the caller's goroutine; the job is dropped, not pooled
	}
	j.task = nil
}

// lead runs items as worker 0 on the calling goroutine. If a task panics there, the
// deferred call stops the hand-out of items and waits for the helpers before the panic
// goes on up the caller's stack unchanged, so no helper still runs the task when the
// caller recovers.
func (j *job) lead() {
	ok := false
	defer func() {
		if !ok {
			j.stop()
			j.finish()
		}
	}()
	j.work(0)
	ok = true
}

// finish closes the loop and waits for the helpers that joined it.
func (j *job) finish() {
	if s := j.state.Or(closedBit); s&countMask != 0 {
		<-j.done // the last helper to leave signals
	}
}

// stop makes every worker's next claim find no item left.
func (j *job) stop() { j.next.Store(int64(j.n)) }

// help runs items as a helper. A panic in a task is recovered here, recorded in j.failed
// (the first one wins) with this goroutine's stack, and the hand-out stops; the caller
// re-panics with it once every helper has left. A task that calls runtime.Goexit ends this
// helper goroutine; that too is reported to the caller, and a new helper replaces it.
func (j *job) help(worker int) {
	ok := false
	defer func() {
		if !ok {
			r := recover()
			exited := r == nil
			if exited {
				r = errGoexit
			}
			p, nested := r.(*Panic)
			if !nested {
				p = &Panic{Value: r, Stack: debug.Stack()}
			}
			j.failed.CompareAndSwap(nil, p)
			j.stop()
			if exited {
				helpers.mu.Lock()
				helpers.started--
				helpers.mu.Unlock()
			}
		}
		j.leave()
	}()
	j.work(worker)
	ok = true
}

// enter admits a helper to the open loop of generation gen.
func (j *job) enter(gen uint32) bool {
	for {
		s := j.state.Load()
		if uint32(s>>32) != gen || s&closedBit != 0 {
			return false
		}
		if j.state.CompareAndSwap(s, s+1) {
			return true
		}
	}
}

// leave signals the caller if this was the last helper of a closed loop.
func (j *job) leave() {
	if s := j.state.Add(^uint64(0)); s&closedBit != 0 && s&countMask == 0 {
		j.done <- struct{}{}
	}
}

// work runs items as the given worker until none are left.
func (j *job) work(worker int) {
	for {
		i := int(j.next.Add(1) - 1)
		if i >= j.n {
			return
		}
		j.task.Do(worker, i)
	}
}

// ensureHelpers starts helper goroutines until at least n exist.
func ensureHelpers(n int) {
	helpers.mu.Lock()
	for ; helpers.started < n; helpers.started++ {
		go func() {
			for tk := range helpers.ch {
				if tk.j.enter(tk.gen) {
					tk.j.help(int(tk.j.ids.Add(1)))
				}
			}
		}()
	}
	helpers.mu.Unlock()
}
