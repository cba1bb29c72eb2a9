package data

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"math"
	"strings"
	"testing"
)

// writeIDX encodes dims and big-endian payload as an IDX file.
func writeIDX(typ byte, dims []uint32, payload []byte) []byte {
	var b bytes.Buffer
	b.Write([]byte{0, 0, typ, byte(len(dims))})
	for _, d := range dims {
		binary.Write(&b, binary.BigEndian, d)
	}
	b.Write(payload)
	return b.Bytes()
}

func gz(b []byte) []byte {
	var out bytes.Buffer
	w := gzip.NewWriter(&out)
	w.Write(b)
	w.Close()
	return out.Bytes()
}

func TestReadIDX(t *testing.T) {
	// 2×3 uint8 array and a float64 vector, plain and gzipped.
	u8 := writeIDX(IDXUint8, []uint32{2, 3}, []byte{1, 2, 3, 4, 5, 255})
	var f64 bytes.Buffer
	for _, v := range []float64{-1.5, math.Pi} {
		binary.Write(&f64, binary.BigEndian, v)
	}
	fl := writeIDX(IDXFloat64, []uint32{2}, f64.Bytes())
	var i16 bytes.Buffer
	binary.Write(&i16, binary.BigEndian, []int16{-2, 300})
	sh := writeIDX(IDXInt16, []uint32{2}, i16.Bytes())
	for _, tc := range []struct {
		name string
		data []byte
		dims []int
		vals []float64
	}{
		{"uint8", u8, []int{2, 3}, []float64{1, 2, 3, 4, 5, 255}},
		{"uint8.gz", gz(u8), []int{2, 3}, []float64{1, 2, 3, 4, 5, 255}},
		{"float64", fl, []int{2}, []float64{-1.5, math.Pi}},
		{"int16.gz", gz(sh), []int{2}, []float64{-2, 300}},
	} {
		x, err := ReadIDX(bytes.NewReader(tc.data))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if len(x.Dims) != len(tc.dims) || x.Len() != len(tc.vals) {
			t.Fatalf("%s: dims %v len %d", tc.name, x.Dims, x.Len())
		}
		for i, v := range tc.vals {
			if x.Float64(i) != v {
				t.Errorf("%s: element %d = %v, want %v", tc.name, i, x.Float64(i), v)
			}
		}
	}
	// Malformed inputs: each must give an error whose text says what is wrong.
	corruptGz := gz(u8)
	corruptGz[len(corruptGz)-6] ^= 0xff // damage the CRC-32 of the gzip trailer
	for _, tc := range []struct {
		name, want string
		data       []byte
	}{
		{"empty", "magic", nil},
		{"short magic", "magic", []byte{0, 0}},
		{"bad magic", "does not start", []byte{1, 0, 8, 1, 0, 0, 0, 1, 7}},
		{"bad type", "element type", []byte{0, 0, 7, 1, 0, 0, 0, 1, 7}},
		{"zero dims", "0 dimensions", []byte{0, 0, 8, 0}},
		{"truncated dims", "dimension 1", []byte{0, 0, 8, 2, 0, 0, 0, 1, 0}},
		{"truncated data", "truncated", u8[:len(u8)-1]},
		{"trailing", "trailing", append(append([]byte{}, u8...), 9)},
		{"huge", "exceed", writeIDX(IDXFloat64, []uint32{1 << 31, 1 << 31}, nil)},
		{"truncated gzip", "truncated", gz(u8)[:20]},
		{"corrupt gzip", "checksum", corruptGz},
	} {
		_, err := ReadIDX(bytes.NewReader(tc.data))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one mentioning %q", tc.name, err, tc.want)
		}
	}
}

func FuzzReadIDX(f *testing.F) {
	u8 := writeIDX(IDXUint8, []uint32{2, 3}, []byte{1, 2, 3, 4, 5, 255})
	f.Add(u8)
	f.Add(gz(u8))
	f.Add(writeIDX(IDXFloat32, []uint32{1}, []byte{0, 0, 0, 0}))
	f.Add([]byte{0, 0, 8, 3, 255, 255, 255, 255})
	f.Fuzz(func(t *testing.T, data []byte) {
		x, err := ReadIDX(bytes.NewReader(data))
		if err != nil {
			return
		}
		n := 1
		for _, d := range x.Dims {
			n *= d
		}
		if x.Len() != n {
			t.Fatalf("Len %d, dims %v", x.Len(), x.Dims)
		}
		for i := 0; i < x.Len(); i++ {
			_ = x.Float64(i)
		}
	})
}
