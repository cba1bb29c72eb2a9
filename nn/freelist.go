package nn

import (
	"runtime"
	"sync"
)

// freeList keeps scratch values for reuse across calls, like sync.Pool, but is not emptied
// by the garbage collector: the scratch of a convolutional pass holds megabytes, and a
// sync.Pool that dropped it at every collection would have it reallocated, which triggers
// the next collection, and so on. It keeps up to 4·GOMAXPROCS + seqRound values (enough for
// every chunk of a few concurrent calls); values put beyond that are left to the collector.
// The zero value is empty and ready to use.
type freeList[T any] struct {
	mu   sync.Mutex
	free []*T
}

// get returns a kept value, or nil if there is none.
func (l *freeList[T]) get() *T {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := len(l.free)
	if n == 0 {
		return nil
	}
	v := l.free[n-1]
	l.free[n-1] = nil
	l.free = l.free[:n-1]
	return v
}

// put keeps v for a later get, unless the list is full.
func (l *freeList[T]) put(v *T) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.free) < 4*runtime.GOMAXPROCS(0)+seqRound {
		l.free = append(l.free, v)
	}
}
