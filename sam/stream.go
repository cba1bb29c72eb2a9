package sam

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/sdeml/sdeml/internal/binfmt"
)

// stream is a lazily seeded PCG random stream whose position can be saved and restored
// (the optimizers' draws must resume with the same bits after a checkpoint).
type stream struct {
	src *rand.PCG
	rng *rand.Rand
}

// get returns the stream's generator, seeding it with (seed, tag) on first use.
func (s *stream) get(seed, tag uint64) *rand.Rand {
	if s.rng == nil {
		s.src = rand.NewPCG(seed, tag)
		s.rng = rand.New(s.src)
	}
	return s.rng
}

// encode writes whether the stream has started and, if so, its PCG state.
func (s *stream) encode(e *binfmt.Encoder) {
	e.Bool(s.src != nil)
	if s.src == nil {
		return
	}
	b, _ := s.src.MarshalBinary() // PCG's MarshalBinary never fails
	e.Blob(b)
}

// decode restores a stream written by encode (not started: reseeded on first use).
// Decoding errors stay in d (see binfmt.Decoder.Err); a PCG state of the wrong form is
// returned.
func (s *stream) decode(d *binfmt.Decoder, what string) error {
	s.src, s.rng = nil, nil
	if !d.Bool(what + " started") {
		return nil
	}
	b := d.Blob(what)
	if b == nil {
		return nil
	}
	src := new(rand.PCG)
	if err := src.UnmarshalBinary(b); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	s.src, s.rng = src, rand.New(src)
	return nil
}

// encodeInts writes the ints of x (indices, exact as float64 below 2⁵³) as a float slice,
// so decodeInts gets binfmt's length check before allocating.
func encodeInts(e *binfmt.Encoder, x []int) {
	f := make([]float64, len(x))
	for i, v := range x {
		f[i] = float64(v)
	}
	e.Floats(f)
}

// decodeInts reads ints written by encodeInts, each an integer in [0, hi); it returns nil
// and an error for anything else.
func decodeInts(d *binfmt.Decoder, what string, hi int) ([]int, error) {
	f := d.Floats(what)
	if len(f) == 0 {
		return nil, nil
	}
	x := make([]int, len(f))
	for i, v := range f {
		if v != math.Trunc(v) || v < 0 || v >= float64(hi) {
			return nil, fmt.Errorf("%s[%d] = %v is not an integer in [0, %d)", what, i, v, hi)
		}
		x[i] = int(v)
	}
	return x, nil
}
