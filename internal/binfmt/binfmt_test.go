package binfmt

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"math"
	"runtime"
	"testing"
)

const magic = "SDEMLTST"

func sample() []byte {
	e := NewEncoder(magic, 3)
	e.U32(7)
	e.Int(-5)
	e.F64(math.Inf(-1))
	e.Bool(true)
	e.Floats([]float64{1.5, math.NaN(), -0.0})
	e.Blob([]byte("state"))
	var b bytes.Buffer
	if _, err := e.WriteTo(&b); err != nil {
		panic(err)
	}
	return b.Bytes()
}

func decode(data []byte) (u uint32, i int, f float64, ok bool, x []float64, blob []byte, err error) {
	d, err := Open(bytes.NewReader(data), magic, 3, 1<<20)
	if err != nil {
		return
	}
	u, i, f, ok, x, blob = d.U32(), d.Int("i", -10, 10), d.F64(), d.Bool("ok"), d.Floats("x"), d.Blob("blob")
	err = d.Err()
	return
}

// A round trip returns every field bit for bit (NaN payload and the sign of zero included).
func TestRoundTrip(t *testing.T) {
	u, i, f, ok, x, blob, err := decode(sample())
	if err != nil {
		t.Fatal(err)
	}
	if u != 7 || i != -5 || !math.IsInf(f, -1) || !ok || string(blob) != "state" || len(x) != 3 ||
		x[0] != 1.5 || math.Float64bits(x[1]) != math.Float64bits(math.NaN()) || math.Float64bits(x[2]) != math.Float64bits(-0.0) {
		t.Fatalf("decoded %v %v %v %v %v %q", u, i, f, ok, x, blob)
	}
}

// Every truncation, every flipped byte and trailing bytes are errors wrapping ErrFormat.
func TestCorruption(t *testing.T) {
	good := sample()
	for n := range len(good) {
		if _, _, _, _, _, _, err := decode(good[:n]); !errors.Is(err, ErrFormat) {
			t.Fatalf("truncated to %d bytes: err = %v", n, err)
		}
	}
	for k := range len(good) {
		bad := append([]byte(nil), good...)
		bad[k] ^= 0x40
		if _, _, _, _, _, _, err := decode(bad); !errors.Is(err, ErrFormat) {
			t.Fatalf("byte %d flipped: err = %v", k, err)
		}
	}
	// A valid checksum over a body with a trailing byte.
	body := append(append([]byte(nil), good[:len(good)-4]...), 0)
	if _, _, _, _, _, _, err := decode(binary.LittleEndian.AppendUint32(body, crc32.ChecksumIEEE(body))); !errors.Is(err, ErrFormat) {
		t.Fatalf("trailing byte: err = %v", err)
	}
}

// A length field claiming 2^61 values (with a valid checksum) is an error before any
// allocation of that size: the decode allocates less than 1 MB.
func TestHugeClaimDoesNotAllocate(t *testing.T) {
	e := NewEncoder(magic, 3)
	e.U64(1 << 61)
	var b bytes.Buffer
	e.WriteTo(&b)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	d, err := Open(bytes.NewReader(b.Bytes()), magic, 3, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	x := d.Floats("x")
	runtime.ReadMemStats(&after)
	if x != nil || !errors.Is(d.Err(), ErrFormat) {
		t.Fatalf("x has %d values, err = %v", len(x), d.Err())
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 1<<20 {
		t.Fatalf("decode allocated %d bytes", grew)
	}
}

// FuzzOpen: any input gives fields or an error, never a panic.
func FuzzOpen(f *testing.F) {
	f.Add(sample())
	f.Add([]byte(magic))
	f.Fuzz(func(t *testing.T, data []byte) {
		decode(data)
	})
}

// Fields whose length the format fixes elsewhere (FixedFloats, Raw) round-trip, and a count
// beyond the bytes left is an error naming the field, not an allocation of that size.
func TestFixedFields(t *testing.T) {
	e := NewEncoder(magic, 3)
	e.FixedFloats([]float64{2, math.Inf(1)})
	e.Raw([]byte("pcg"))
	var b bytes.Buffer
	e.WriteTo(&b)
	d, err := Open(bytes.NewReader(b.Bytes()), magic, 3, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	x, p := d.FixedFloats("x", 2), d.Raw("p", 3)
	if err := d.Err(); err != nil || len(x) != 2 || x[0] != 2 || !math.IsInf(x[1], 1) || string(p) != "pcg" {
		t.Fatalf("decoded %v %q, err %v", x, p, err)
	}
	d, _ = Open(bytes.NewReader(b.Bytes()), magic, 3, 1<<20)
	if x := d.FixedFloats("W", 1<<61); x != nil || !errors.Is(d.Err(), ErrFormat) || !bytes.Contains([]byte(d.Err().Error()), []byte("W needs")) {
		t.Fatalf("huge count: %d values, err = %v", len(x), d.Err())
	}
}
