package sweep

import (
	"testing"
)

// FuzzDecodeUnit feeds arbitrary bytes to the unit-file decoder: it must return an error or
// a result, never panic, and a result it accepts must re-encode to a file it accepts again
// with the same result bytes.
func FuzzDecodeUnit(f *testing.F) {
	good, err := encodeUnit("sweep", "key", 1.5, point{Rho: 0.1, Seed: 2, Metric: 0.25})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add([]byte(`{"format":"sdeml-sweep-unit/1","sweep":"sweep","key":"key","seconds":0,"result":{"Metric":"NaN"}}`))
	f.Add([]byte(`{"format":"sdeml-sweep-unit/1","sweep":"sweep","key":"key","result":null}`))
	f.Add([]byte(`{}`))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		var p point
		h, err := decodeUnit(data, "sweep", "key", &p)
		if err != nil {
			return
		}
		again, err := encodeUnit("sweep", "key", h.Seconds, p)
		if err != nil {
			t.Fatalf("accepted result does not re-encode: %v", err)
		}
		var q point
		if _, err := decodeUnit(again, "sweep", "key", &q); err != nil {
			t.Fatalf("re-encoded file rejected: %v", err)
		}
		b1, _ := encodeUnit("sweep", "key", h.Seconds, q)
		if string(b1) != string(again) {
			t.Fatalf("second round trip changed the file:\n%s\n%s", again, b1)
		}
	})
}
