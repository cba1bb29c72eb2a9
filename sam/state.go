package sam

import (
	"fmt"

	"github.com/sdeml/sdeml/internal/binfmt"
)

// Stateful is implemented by updaters and optimizers whose later steps depend on earlier
// ones: momentum buffers, Adam moments, update counts (which drive a Schedule) and random
// streams. MarshalState returns that state; UnmarshalState restores it, so a run that
// restores the state of another at step k continues with the same bits. The configuration
// (LR, Rho, …) is not part of the state: it is the caller's, as for a fresh run.
//
// SGD, Adam and the SAM family implement it; Train's checkpoints need it.
type Stateful interface {
	MarshalState() ([]byte, error)
	UnmarshalState([]byte) error
}

// MarshalState returns the update count and the momentum buffer.
func (s *SGD) MarshalState() ([]byte, error) {
	e := binfmt.NewBody()
	e.Int(s.t)
	e.Floats(s.v)
	return e.Bytes(), nil
}

// UnmarshalState restores the state written by MarshalState.
func (s *SGD) UnmarshalState(b []byte) error {
	d := binfmt.NewDecoder(b)
	t, v := d.Int("SGD update count", 0, 1<<62), d.Floats("SGD momentum")
	if err := d.Err(); err != nil {
		return fmt.Errorf("sam: SGD.UnmarshalState: %w", err)
	}
	if len(v) == 0 {
		v = nil
	}
	s.t, s.v = t, v
	return nil
}

// MarshalState returns the update count and both moment buffers.
func (a *Adam) MarshalState() ([]byte, error) {
	e := binfmt.NewBody()
	e.Int(a.t)
	e.Floats(a.m)
	e.Floats(a.v)
	return e.Bytes(), nil
}

// UnmarshalState restores the state written by MarshalState.
func (a *Adam) UnmarshalState(b []byte) error {
	d := binfmt.NewDecoder(b)
	t, m, v := d.Int("Adam update count", 0, 1<<62), d.Floats("Adam first moment"), d.Floats("Adam second moment")
	if err := d.Err(); err != nil {
		return fmt.Errorf("sam: Adam.UnmarshalState: %w", err)
	}
	if len(m) != len(v) {
		return fmt.Errorf("sam: Adam.UnmarshalState: moments of length %d and %d", len(m), len(v))
	}
	if len(m) == 0 {
		m, v = nil, nil
	}
	a.t, a.m, a.v = t, m, v
	return nil
}

// MarshalState returns the state of Base (SAM itself keeps none between steps).
func (s *SAM) MarshalState() ([]byte, error) { return baseState("SAM", s.Base) }

// UnmarshalState restores the state of Base.
func (s *SAM) UnmarshalState(b []byte) error { return restoreBase("SAM", s.Base, b) }

func baseState(who string, base Updater) ([]byte, error) {
	st, ok := base.(Stateful)
	if !ok {
		return nil, fmt.Errorf("sam: %s.Base (%T) does not implement sam.Stateful, so its state cannot be saved", who, base)
	}
	return st.MarshalState()
}

func restoreBase(who string, base Updater, b []byte) error {
	st, ok := base.(Stateful)
	if !ok {
		return fmt.Errorf("sam: %s.Base (%T) does not implement sam.Stateful, so its state cannot be restored", who, base)
	}
	return st.UnmarshalState(b)
}
