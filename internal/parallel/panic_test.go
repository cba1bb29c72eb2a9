package parallel

import (
	"errors"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
)

var errBoom = errors.New("boom")

// catch runs f and returns what it panicked with (nil if it returned).
func catch(f func()) (r any) {
	defer func() { r = recover() }()
	f()
	return nil
}

// panicAt panics with errBoom on item bad and counts the items it ran.
type panicAt struct {
	bad int
	ran atomic.Int32
}

func (p *panicAt) Do(w, i int) {
	p.ran.Add(1)
	if i == p.bad {
		panic(errBoom)
	}
}

// asPanic checks that r is errBoom, either directly (raised on the caller's goroutine) or
// inside a *Panic whose stack names the task (raised on a helper).
func asPanic(t *testing.T, r any) {
	t.Helper()
	switch v := r.(type) {
	case error:
		if !errors.Is(v, errBoom) {
			t.Fatalf("recovered %v, want errBoom", v)
		}
		var p *Panic
		if errors.As(v, &p) && !strings.Contains(string(p.Stack), "panicAt") {
			t.Fatalf("worker stack does not name the panicking task:\n%s", p.Stack)
		}
	default:
		t.Fatalf("recovered %T %v, want errBoom or *Panic", r, r)
	}
}

// TestRunPanicReachesCaller: whichever item panics, and whichever goroutine runs it, the
// caller recovers the panic; the pool is usable afterwards (every item of a later loop
// runs exactly once). Before panics were carried, a panic on a helper killed the process.
func TestRunPanicReachesCaller(t *testing.T) {
	for _, procs := range []int{1, 2, 4} {
		old := runtime.GOMAXPROCS(procs)
		for rep := 0; rep < 200; rep++ {
			n := 2 + rep%50
			task := &panicAt{bad: rep % n}
			asPanic(t, catch(func() { Run(n, task) }))
			if r := task.ran.Load(); r < 1 || int(r) > n {
				t.Fatalf("procs=%d: %d items ran of %d", procs, r, n)
			}
			after := &countTask{seen: make([]atomic.Int32, n), workers: Workers(n)}
			Run(n, after)
			for i := range n {
				if after.seen[i].Load() != 1 {
					t.Fatalf("procs=%d: after a panic, item %d ran %d times", procs, i, after.seen[i].Load())
				}
			}
		}
		runtime.GOMAXPROCS(old)
	}
}

// TestRunPanicOnHelperCarriesStack forces the panic onto a helper (item 0 blocks the
// caller until a helper has panicked) and checks the *Panic: original value, the helper's
// stack, and a message that contains both.
func TestRunPanicOnHelperCarriesStack(t *testing.T) {
	old := runtime.GOMAXPROCS(2)
	defer runtime.GOMAXPROCS(old)
	for rep := 0; rep < 50; rep++ {
		r, onHelper := catchOnHelper(helperPanics)
		if !onHelper {
			continue // the caller ran both items (helper busy); nothing on a helper
		}
		p, ok := r.(*Panic)
		if !ok {
			t.Fatalf("recovered %T %v, want *Panic", r, r)
		}
		if p.Value != "helper says no" {
			t.Fatalf("Panic.Value = %v", p.Value)
		}
		if !strings.Contains(string(p.Stack), "helperPanics") {
			t.Fatalf("Panic.Stack lacks the panicking frame:\n%s", p.Stack)
		}
		if msg := p.Error(); !strings.Contains(msg, "helper says no") || !strings.Contains(msg, "helperPanics") {
			t.Fatalf("Panic.Error() lacks value or stack:\n%s", msg)
		}
		return
	}
	t.Fatal("no run put the item on a helper")
}

//go:noinline
func helperPanics() { panic("helper says no") }

// catchOnHelper runs For over two items with f as the helper's item: the caller's item
// (worker 0) waits, bounded, until a helper has started the other one. It returns what
// catch recovered and whether f ran on a helper at all (if the helpers were busy, the
// caller runs both items and f does not run).
func catchOnHelper(f func()) (recovered any, onHelper bool) {
	var started atomic.Bool
	r := catch(func() {
		For(2, func(w, i int) {
			if w == 0 {
				for k := 0; k < 1e8 && !started.Load(); k++ {
					runtime.Gosched()
				}
				return
			}
			started.Store(true)
			f()
		})
	})
	return r, started.Load()
}

// TestNestedRunPanic: a panic in an inner loop goes through the outer loop to the outer
// caller, keeping the innermost value, and both levels stay usable.
func TestNestedRunPanic(t *testing.T) {
	for _, procs := range []int{1, 2, 3} {
		old := runtime.GOMAXPROCS(procs)
		for rep := 0; rep < 100; rep++ {
			n := 1 + rep%9
			bad := rep % n
			r := catch(func() {
				For(n, func(_, i int) {
					inner := &panicAt{bad: -1}
					if i == bad {
						inner.bad = rep % 5
					}
					Run(5, inner)
				})
			})
			asPanic(t, r)
			if p, ok := r.(*Panic); ok {
				if _, nested := p.Value.(*Panic); nested {
					t.Fatal("nested loops wrapped a *Panic in a *Panic")
				}
			}
			var total atomic.Int32
			For(n, func(_, i int) { For(5, func(_, k int) { total.Add(1) }) })
			if int(total.Load()) != 5*n {
				t.Fatalf("procs=%d: after a nested panic, %d of %d items ran", procs, total.Load(), 5*n)
			}
		}
		runtime.GOMAXPROCS(old)
	}
}

// TestRunGoexitOnHelper: runtime.Goexit in a task on a helper ends that goroutine; the
// caller gets a panic saying so instead of waiting forever, and a later loop still runs.
func TestRunGoexitOnHelper(t *testing.T) {
	old := runtime.GOMAXPROCS(2)
	defer runtime.GOMAXPROCS(old)
	if r, onHelper := catchOnHelper(runtime.Goexit); onHelper {
		p, ok := r.(*Panic)
		if !ok || !errors.Is(p, errGoexit) {
			t.Fatalf("recovered %v, want a *Panic for Goexit", r)
		}
	}
	var c atomic.Int32
	For(64, func(_, _ int) { c.Add(1) })
	if c.Load() != 64 {
		t.Fatalf("after Goexit, %d of 64 items ran", c.Load())
	}
}
