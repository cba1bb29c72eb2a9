package sam

import (
	"errors"
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

// MarshalState returns the state of Base, the ascent-sample stream and its permutation.
func (s *NSAM) MarshalState() ([]byte, error) {
	base, err := baseState("NSAM", s.Base)
	if err != nil {
		return nil, err
	}
	e := binfmt.NewBody()
	e.Blob(base)
	s.rng.encode(e)
	encodeInts(e, s.perm)
	return e.Bytes(), nil
}

// UnmarshalState restores the state written by MarshalState.
func (s *NSAM) UnmarshalState(b []byte) error {
	d := binfmt.NewDecoder(b)
	base := d.Blob("NSAM Base state")
	errRNG := s.rng.decode(d, "NSAM ascent stream")
	perm, errPerm := decodeInts(d, "NSAM permutation", 1<<40)
	if err := errors.Join(d.Err(), errRNG, errPerm); err != nil {
		return fmt.Errorf("sam: NSAM.UnmarshalState: %w", err)
	}
	s.perm = perm
	return restoreBase("NSAM", s.Base, base)
}

// MarshalState returns the state of Base, the draw stream and permutation, and the
// scorer's state (the default finite-difference scorer's stream, or Score's if it is
// Stateful; ExactNorm keeps none).
func (r *RWSAM) MarshalState() ([]byte, error) {
	base, err := baseState("RWSAM", r.Base)
	if err != nil {
		return nil, err
	}
	var score []byte
	switch sc := r.Score.(type) {
	case nil, *ExactNorm:
	case Stateful:
		if score, err = sc.MarshalState(); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("sam: RWSAM.Score (%T) does not implement sam.Stateful, so its state cannot be saved", r.Score)
	}
	e := binfmt.NewBody()
	e.Blob(base)
	r.rng.encode(e)
	encodeInts(e, r.perm)
	r.fd.rng.encode(e)
	e.Int(r.fd.Dirs)
	e.Blob(score)
	return e.Bytes(), nil
}

// UnmarshalState restores the state written by MarshalState.
func (r *RWSAM) UnmarshalState(b []byte) error {
	d := binfmt.NewDecoder(b)
	base := d.Blob("RWSAM Base state")
	errRNG := r.rng.decode(d, "RWSAM draw stream")
	perm, errPerm := decodeInts(d, "RWSAM permutation", 1<<40)
	errFD := r.fd.rng.decode(d, "RWSAM finite-difference stream")
	dirs := d.Int("RWSAM finite-difference directions", 0, 1<<20)
	score := d.Blob("RWSAM Score state")
	if err := errors.Join(d.Err(), errRNG, errPerm, errFD); err != nil {
		return fmt.Errorf("sam: RWSAM.UnmarshalState: %w", err)
	}
	r.perm, r.fd.Dirs = perm, dirs
	if r.fd.Dirs != 0 {
		r.fd.Seed = r.Seed ^ 0x6664
	}
	switch sc := r.Score.(type) {
	case nil, *ExactNorm:
		if len(score) != 0 {
			return fmt.Errorf("sam: RWSAM.UnmarshalState: the state holds a Score state but Score is %T", r.Score)
		}
	case Stateful:
		if err := sc.UnmarshalState(score); err != nil {
			return err
		}
	default:
		return fmt.Errorf("sam: RWSAM.Score (%T) does not implement sam.Stateful, so its state cannot be restored", r.Score)
	}
	return restoreBase("RWSAM", r.Base, base)
}

// MarshalState returns the position of the direction stream.
func (f *FiniteDiff) MarshalState() ([]byte, error) {
	e := binfmt.NewBody()
	f.rng.encode(e)
	return e.Bytes(), nil
}

// UnmarshalState restores the state written by MarshalState.
func (f *FiniteDiff) UnmarshalState(b []byte) error {
	d := binfmt.NewDecoder(b)
	err := f.rng.decode(d, "FiniteDiff direction stream")
	if err := errors.Join(d.Err(), err); err != nil {
		return fmt.Errorf("sam: FiniteDiff.UnmarshalState: %w", err)
	}
	return nil
}

// MarshalState returns the remembered scores.
func (st *Stale) MarshalState() ([]byte, error) {
	e := binfmt.NewBody()
	e.Floats(st.s)
	seen := make([]byte, len(st.seen))
	for i, v := range st.seen {
		if v {
			seen[i] = 1
		}
	}
	e.Blob(seen)
	e.F64(st.sum)
	e.Int(st.cnt)
	return e.Bytes(), nil
}

// UnmarshalState restores the state written by MarshalState.
func (st *Stale) UnmarshalState(b []byte) error {
	d := binfmt.NewDecoder(b)
	s, seenB := d.Floats("Stale scores"), d.Blob("Stale seen")
	sum := d.F64()
	cnt := d.Int("Stale count", 0, 1<<62)
	err := d.Err()
	if err == nil && (len(seenB) != len(s) || cnt > len(s)) {
		err = fmt.Errorf("%d scores, %d seen flags, count %d", len(s), len(seenB), cnt)
	}
	if err != nil {
		return fmt.Errorf("sam: Stale.UnmarshalState: %w", err)
	}
	seen := make([]bool, len(s))
	for i, v := range seenB {
		if v > 1 {
			return fmt.Errorf("sam: Stale.UnmarshalState: seen flag %d = %d, want 0 or 1", i, v)
		}
		seen[i] = v == 1
	}
	if len(s) == 0 {
		s, seen = nil, nil
	}
	st.s, st.seen, st.sum, st.cnt = s, seen, sum, cnt
	return nil
}
