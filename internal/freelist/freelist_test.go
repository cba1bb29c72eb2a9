package freelist

import (
	"runtime"
	"testing"
)

// A kept value survives garbage collections (a sync.Pool's would be dropped by two), and
// Get returns what Put kept, last in first out, then nil.
func TestKeptAcrossGC(t *testing.T) {
	var l List[[64]float64]
	a, b := l.New(), l.New()
	if a == b {
		t.Fatal("New returned the same value twice from an empty list")
	}
	l.Put(a)
	l.Put(b)
	runtime.GC()
	runtime.GC()
	if got := l.Get(); got != b {
		t.Errorf("first Get after two collections: %p, want %p", got, b)
	}
	if got := l.Get(); got != a {
		t.Errorf("second Get: %p, want %p", got, a)
	}
	if got := l.Get(); got != nil {
		t.Errorf("Get from an empty list: %p, want nil", got)
	}
}

// Put drops values beyond 4·GOMAXPROCS + 8.
func TestBounded(t *testing.T) {
	var l List[int]
	limit := 4*runtime.GOMAXPROCS(0) + 8
	for range limit + 5 {
		l.Put(new(int))
	}
	if len(l.free) != limit {
		t.Errorf("%d values kept, want %d", len(l.free), limit)
	}
}

// Get and Put allocate nothing once the list holds values.
func TestNoAllocs(t *testing.T) {
	var l List[int]
	l.Put(new(int))
	if n := testing.AllocsPerRun(100, func() { l.Put(l.New()) }); n != 0 {
		t.Errorf("%v allocations per Get/Put, want 0", n)
	}
}
