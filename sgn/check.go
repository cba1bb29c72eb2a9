package sgn

import (
	"errors"
	"fmt"

	"github.com/sdeml/sdeml/internal/parallel"
)

// checkParams returns an error unless len(w) equals the objective dimension d.
func checkParams(name string, w []float64, d int) error {
	if len(w) != d {
		return fmt.Errorf("sgn: %s: len(w) = %d, but the objective has dimension %d", name, len(w), d)
	}
	return nil
}

// checkIndices returns an error if obj reports its number of samples (as nn.Objective
// does, through Len) and an entry of idx is outside [0, Len()).
func checkIndices(name, field string, obj any, idx []int) error {
	l, ok := obj.(interface{ Len() int })
	if !ok {
		return nil
	}
	n := l.Len()
	for i, v := range idx {
		if v < 0 || v >= n {
			return fmt.Errorf("sgn: %s: %s[%d] = %d outside [0, %d) (the objective's samples)", name, field, i, v, n)
		}
	}
	return nil
}

// firstHVP makes the first HVP call of an entry point on the caller's goroutine with
// vectors of length dim. The callback cannot tell its dimension, so this is where a wrong
// one shows: if it panics (an HVP of another length indexing out of range, or nn's length
// check), the panic becomes an error naming dim, before any parallel call is made.
func firstHVP(name string, dim int, call func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			var p *parallel.Panic
			if e, ok := r.(error); ok && errors.As(e, &p) {
				r = p.Value // a parallel HVP: report its own message, not the stack
			}
			err = fmt.Errorf("sgn: %s: the HVP panicked on vectors of length dim = %d (is that its dimension?): %v", name, dim, r)
		}
	}()
	call()
	return nil
}
