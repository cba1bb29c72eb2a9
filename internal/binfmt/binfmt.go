// Package binfmt is the small binary container shared by the library's checkpoint files:
//
//	magic    8 bytes (the file kind)
//	version  uint32
//	body     little-endian fields written by an Encoder
//	crc      uint32, CRC-32 (IEEE) of every preceding byte
//
// Floats are stored as IEEE-754 bits, so a round trip is exact. A Decoder works on the whole
// file in memory, read with a size cap, and checks every count against the bytes actually
// left before it allocates, so a corrupted header is an error, never a large allocation or
// a panic.
package binfmt

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
)

// Encoder appends little-endian fields to a buffer that starts with magic and version.
type Encoder struct{ b []byte }

// NewEncoder starts a file of kind magic (8 bytes) and format version.
func NewEncoder(magic string, version uint32) *Encoder {
	if len(magic) != 8 {
		panic(fmt.Sprintf("binfmt: magic %q is not 8 bytes", magic))
	}
	e := &Encoder{b: append(make([]byte, 0, 256), magic...)}
	e.U32(version)
	return e
}

// U32 appends v.
func (e *Encoder) U32(v uint32) { e.b = binary.LittleEndian.AppendUint32(e.b, v) }

// U64 appends v.
func (e *Encoder) U64(v uint64) { e.b = binary.LittleEndian.AppendUint64(e.b, v) }

// Int appends v as an int64.
func (e *Encoder) Int(v int) { e.U64(uint64(int64(v))) }

// F64 appends the bits of v.
func (e *Encoder) F64(v float64) { e.U64(math.Float64bits(v)) }

// Bool appends 1 or 0 as one byte.
func (e *Encoder) Bool(v bool) {
	if v {
		e.b = append(e.b, 1)
	} else {
		e.b = append(e.b, 0)
	}
}

// Floats appends len(x) and the bits of each element.
func (e *Encoder) Floats(x []float64) {
	e.U64(uint64(len(x)))
	for _, v := range x {
		e.F64(v)
	}
}

// FixedFloats appends the bits of each element of x without a count, for a format that
// fixes the count elsewhere (read it back with Decoder.FixedFloats).
func (e *Encoder) FixedFloats(x []float64) {
	for _, v := range x {
		e.F64(v)
	}
}

// Raw appends p without a length, for a format that fixes the length elsewhere (read it
// back with Decoder.Raw).
func (e *Encoder) Raw(p []byte) { e.b = append(e.b, p...) }

// Blob appends len(p) and p.
func (e *Encoder) Blob(p []byte) {
	e.U64(uint64(len(p)))
	e.b = append(e.b, p...)
}

// WriteTo appends the checksum and writes the file to w in one Write, so w sees the whole
// file or an error.
func (e *Encoder) WriteTo(w io.Writer) (int64, error) {
	out := binary.LittleEndian.AppendUint32(e.b, crc32.ChecksumIEEE(e.b))
	n, err := w.Write(out)
	return int64(n), err
}

// Decoder reads the fields of a file checked by Open. After the first error every read
// returns a zero value, and Err reports that error.
type Decoder struct {
	b   []byte
	err error
}

// ErrFormat is wrapped by every error about the file's content.
var ErrFormat = errors.New("malformed file")

// Open reads all of r (at most maxBytes), checks the magic, the version and the checksum
// and returns a Decoder positioned after the version.
func Open(r io.Reader, magic string, version uint32, maxBytes int64) (*Decoder, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxBytes+1))
	if err != nil {
		return nil, err
	}
	switch {
	case int64(len(data)) > maxBytes:
		return nil, fmt.Errorf("%w: more than %d bytes", ErrFormat, maxBytes)
	case len(data) < len(magic)+8:
		return nil, fmt.Errorf("%w: %d bytes, too short", ErrFormat, len(data))
	case string(data[:len(magic)]) != magic:
		return nil, fmt.Errorf("%w: magic %q, want %q", ErrFormat, data[:len(magic)], magic)
	}
	if v := binary.LittleEndian.Uint32(data[len(magic):]); v != version {
		return nil, fmt.Errorf("%w: format version %d, want %d", ErrFormat, v, version)
	}
	body, sum := data[:len(data)-4], binary.LittleEndian.Uint32(data[len(data)-4:])
	if crc32.ChecksumIEEE(body) != sum {
		return nil, fmt.Errorf("%w: checksum mismatch (corrupted or truncated)", ErrFormat)
	}
	return &Decoder{b: body[len(magic)+4:]}, nil
}

func (d *Decoder) take(n uint64, what string) []byte {
	if d.err != nil {
		return nil
	}
	if n > uint64(len(d.b)) {
		d.err = fmt.Errorf("%w: %s needs %d bytes, %d left", ErrFormat, what, n, len(d.b))
		return nil
	}
	p := d.b[:n]
	d.b = d.b[n:]
	return p
}

// U32 reads a uint32.
func (d *Decoder) U32() uint32 {
	if p := d.take(4, "uint32"); p != nil {
		return binary.LittleEndian.Uint32(p)
	}
	return 0
}

// U64 reads a uint64.
func (d *Decoder) U64() uint64 {
	if p := d.take(8, "uint64"); p != nil {
		return binary.LittleEndian.Uint64(p)
	}
	return 0
}

// Int reads an int64 and checks it lies in [lo, hi].
func (d *Decoder) Int(what string, lo, hi int) int {
	v := int64(d.U64())
	if d.err == nil && (v < int64(lo) || v > int64(hi)) {
		d.err = fmt.Errorf("%w: %s = %d outside [%d, %d]", ErrFormat, what, v, lo, hi)
		return 0
	}
	return int(v)
}

// F64 reads a float64.
func (d *Decoder) F64() float64 { return math.Float64frombits(d.U64()) }

// Bool reads a byte that must be 0 or 1.
func (d *Decoder) Bool(what string) bool {
	p := d.take(1, what)
	if p == nil {
		return false
	}
	if p[0] > 1 {
		d.err = fmt.Errorf("%w: %s = %d, want 0 or 1", ErrFormat, what, p[0])
	}
	return p[0] == 1
}

// Floats reads a length-prefixed float64 slice; the length is checked against the bytes
// left before allocating.
func (d *Decoder) Floats(what string) []float64 {
	n := d.U64()
	if d.err != nil {
		return nil
	}
	if n > uint64(len(d.b))/8 {
		d.err = fmt.Errorf("%w: %s claims %d values, %d bytes left", ErrFormat, what, n, len(d.b))
		return nil
	}
	return d.FixedFloats(what, n)
}

// FixedFloats reads n float64 values written without a count (Encoder.FixedFloats); n is
// checked against the bytes left before allocating.
func (d *Decoder) FixedFloats(what string, n uint64) []float64 {
	if d.err != nil {
		return nil
	}
	if n > uint64(len(d.b))/8 {
		d.err = fmt.Errorf("%w: %s needs %d values, %d bytes left", ErrFormat, what, n, len(d.b))
		return nil
	}
	p := d.take(8*n, what)
	x := make([]float64, n)
	for i := range x {
		x[i] = math.Float64frombits(binary.LittleEndian.Uint64(p[8*i:]))
	}
	return x
}

// Raw reads n bytes written without a length (Encoder.Raw), as a copy.
func (d *Decoder) Raw(what string, n uint64) []byte {
	p := d.take(n, what)
	if p == nil {
		return nil
	}
	return append([]byte(nil), p...)
}

// Blob reads a length-prefixed byte string (a copy).
func (d *Decoder) Blob(what string) []byte {
	n := d.U64()
	p := d.take(n, what)
	if p == nil {
		return nil
	}
	return append([]byte(nil), p...)
}

// Err returns the first error, or one about trailing bytes if the body was not consumed.
func (d *Decoder) Err() error {
	if d.err == nil && len(d.b) != 0 {
		return fmt.Errorf("%w: %d trailing bytes", ErrFormat, len(d.b))
	}
	return d.err
}

// NewBody starts a headerless field list (a state blob nested inside a file).
func NewBody() *Encoder { return &Encoder{} }

// Bytes returns the fields appended so far (no checksum).
func (e *Encoder) Bytes() []byte { return e.b }

// NewDecoder reads the fields of a headerless blob made by NewBody.
func NewDecoder(b []byte) *Decoder { return &Decoder{b: b} }

// Truncated turns an io.EOF from io.ReadFull into io.ErrUnexpectedEOF, so that a stream that
// ends before a field reads as truncated rather than as a clean end of input.
func Truncated(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// Failed reports whether a read has failed (truncation or a value out of range), for
// loops whose count came from the input: they stop at the first failure.
func (d *Decoder) Failed() bool { return d.err != nil }
