package data

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"math"

	"github.com/sdeml/sdeml/internal/binfmt"
)

// IDX element types (the third byte of an IDX file's magic number).
const (
	IDXUint8   = 0x08
	IDXInt8    = 0x09
	IDXInt16   = 0x0B
	IDXInt32   = 0x0C
	IDXFloat32 = 0x0D
	IDXFloat64 = 0x0E
)

// maxIDXBytes bounds the payload ReadIDX accepts (8 GiB).
const maxIDXBytes = 1 << 33

// IDX is an array read from an IDX file (the format of the MNIST distribution): a magic
// number 0x00 0x00 type ndim, ndim big-endian uint32 dimensions, then the elements in
// row-major order, big-endian.
type IDX struct {
	// Type is the element type, one of the IDX* constants.
	Type byte
	// Dims are the dimensions, outermost first.
	Dims []int
	// Data holds the raw big-endian elements.
	Data []byte
}

// Len is the number of elements, the product of Dims.
func (x *IDX) Len() int { return len(x.Data) / idxSize(x.Type) }

// Float64 returns element i (in row-major order) converted to float64.
func (x *IDX) Float64(i int) float64 {
	s := idxSize(x.Type)
	b := x.Data[i*s : (i+1)*s]
	switch x.Type {
	case IDXUint8:
		return float64(b[0])
	case IDXInt8:
		return float64(int8(b[0]))
	case IDXInt16:
		return float64(int16(binary.BigEndian.Uint16(b)))
	case IDXInt32:
		return float64(int32(binary.BigEndian.Uint32(b)))
	case IDXFloat32:
		return float64(math.Float32frombits(binary.BigEndian.Uint32(b)))
	default:
		return math.Float64frombits(binary.BigEndian.Uint64(b))
	}
}

// idxSize is the byte size of an element of type t (0 for an unknown type).
func idxSize(t byte) int {
	switch t {
	case IDXUint8, IDXInt8:
		return 1
	case IDXInt16:
		return 2
	case IDXInt32, IDXFloat32:
		return 4
	case IDXFloat64:
		return 8
	}
	return 0
}

// ReadIDX reads one IDX array from r, gunzipping it first if it starts with the gzip
// magic bytes. It returns an error, never panics, for a bad magic number, an unknown
// type, dimensions whose payload would exceed 8 GiB, truncated data, trailing bytes or a
// corrupt gzip stream. Memory grows with the bytes actually read, not with the declared
// size.
func ReadIDX(r io.Reader) (*IDX, error) {
	x, err := readIDX(r)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	return x, nil
}

// readIDX is ReadIDX with errors not prefixed by the package name (callers add context).
func readIDX(r io.Reader) (*IDX, error) {
	br := bufio.NewReader(r)
	if head, err := br.Peek(2); err == nil && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("IDX gzip header: %w", err)
		}
		defer zr.Close()
		br = bufio.NewReader(zr)
	}
	var magic [4]byte
	if _, err := io.ReadFull(br, magic[:]); err != nil {
		return nil, fmt.Errorf("IDX magic number: %w", binfmt.Truncated(err))
	}
	if magic[0] != 0 || magic[1] != 0 {
		return nil, fmt.Errorf("IDX magic number % x does not start with 00 00", magic)
	}
	size := idxSize(magic[2])
	if size == 0 {
		return nil, fmt.Errorf("IDX element type 0x%02x is not one of 08 09 0b 0c 0d 0e", magic[2])
	}
	nd := int(magic[3])
	if nd == 0 {
		return nil, fmt.Errorf("IDX has 0 dimensions")
	}
	x := &IDX{Type: magic[2], Dims: make([]int, nd)}
	total := int64(size)
	for i := range x.Dims {
		var b [4]byte
		if _, err := io.ReadFull(br, b[:]); err != nil {
			return nil, fmt.Errorf("IDX dimension %d: %w", i, binfmt.Truncated(err))
		}
		d := int64(binary.BigEndian.Uint32(b[:]))
		x.Dims[i] = int(d)
		if d != 0 && total > maxIDXBytes/d {
			return nil, fmt.Errorf("IDX dimensions %v exceed %d bytes", x.Dims[:i+1], int64(maxIDXBytes))
		}
		total *= d
	}
	var buf bytes.Buffer
	buf.Grow(int(min(total, 1<<20)))
	n, err := io.CopyN(&buf, br, total)
	if err != nil {
		return nil, fmt.Errorf("IDX data truncated: got %d of %d bytes (dims %v): %w", n, total, x.Dims, binfmt.Truncated(err))
	}
	var extra [1]byte
	if k, err := br.Read(extra[:]); k > 0 {
		return nil, fmt.Errorf("IDX has trailing data after %d bytes of elements (dims %v)", total, x.Dims)
	} else if err != nil && err != io.EOF {
		return nil, fmt.Errorf("IDX after data: %w", err)
	}
	x.Data = buf.Bytes()
	return x, nil
}
