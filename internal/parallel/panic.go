package parallel

import (
	"errors"
	"fmt"
)

// Panic is the value Run and For panic with in the caller's goroutine when a task panicked
// on a helper goroutine (a panic raised by a task on the caller's own goroutine goes on
// unchanged). Value is what the task panicked with and Stack the helper's stack at the
// panic. A panic carried out of a nested loop keeps the innermost Panic, so Stack is always
// the stack of the goroutine where the task panicked.
//
// A caller that wants an error instead can recover, and errors.As finds the *Panic; when
// Value is an error, errors.Is and errors.As also see through to it.
type Panic struct {
	Value any
	Stack []byte
}

// Error returns the original panic value followed by the worker's stack.
func (p *Panic) Error() string {
	return fmt.Sprintf("%v\n\n[panic in a parallel worker goroutine; its stack:]\n%s", p.Value, p.Stack)
}

// Unwrap returns Value if it is an error, else nil.
func (p *Panic) Unwrap() error {
	err, _ := p.Value.(error)
	return err
}

// errGoexit is the Value of a Panic for a task that called runtime.Goexit (for example
// t.FailNow in a test) on a helper goroutine.
var errGoexit = errors.New("parallel: a task called runtime.Goexit (e.g. testing's t.FailNow) on a helper goroutine")
