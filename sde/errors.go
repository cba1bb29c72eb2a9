package sde

import "strings"

// contextError adds context to an error of this package while keeping one
// "sde: " prefix: "sde: path 3: non-finite state …", never
// "sde: path 3: sde: non-finite state …". Unwrap returns the original.
type contextError struct {
	ctx string
	err error
}

// withContext returns err with ctx inserted after the package prefix.
func withContext(ctx string, err error) error { return &contextError{ctx, err} }

func (e *contextError) Error() string {
	return "sde: " + e.ctx + ": " + strings.TrimPrefix(e.err.Error(), "sde: ")
}

func (e *contextError) Unwrap() error { return e.err }
