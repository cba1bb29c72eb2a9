package freelist

import (
	"runtime"
	"sync"
)

// List keeps up to 4·GOMAXPROCS + 8 values (enough for every task of a few concurrent
// parallel loops); values put beyond that are left to the collector. The zero value is
// empty and ready to use; it is safe for concurrent use.
type List[T any] struct {
	mu   sync.Mutex
	free []*T
}

// Get removes and returns a kept value, or returns nil if there is none.
func (l *List[T]) Get() *T {
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

// New returns a kept value, or new(T) if there is none.
func (l *List[T]) New() *T {
	if v := l.Get(); v != nil {
		return v
	}
	return new(T)
}

// Put keeps v for a later Get, unless the list is full.
func (l *List[T]) Put(v *T) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.free) < 4*runtime.GOMAXPROCS(0)+8 {
		l.free = append(l.free, v)
	}
}
