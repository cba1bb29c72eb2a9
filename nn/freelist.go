package nn

import "github.com/sdeml/sdeml/internal/freelist"

// freeList keeps scratch values for reuse across calls, like sync.Pool, but is not emptied
// by the garbage collector (internal/freelist): the scratch of a convolutional pass holds
// megabytes, and a sync.Pool that dropped it at every collection would have it reallocated,
// which triggers the next collection, and so on. The zero value is empty and ready to use.
type freeList[T any] struct{ l freelist.List[T] }

// get returns a kept value, or nil if there is none.
func (l *freeList[T]) get() *T { return l.l.Get() }

// put keeps v for a later get, unless the list is full.
func (l *freeList[T]) put(v *T) { l.l.Put(v) }
