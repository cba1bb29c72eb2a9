package sweep

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"path/filepath"
	"strings"
)

// unitFormat names the version of the unit-file layout.
const unitFormat = "sdeml-sweep-unit/1"

// maxUnitFile bounds the size of a unit file that is read; per-unit results are small.
const maxUnitFile = 16 << 20

// header is the fixed part of a unit file.
type header struct {
	Format  string          `json:"format"`
	Sweep   string          `json:"sweep"`
	Key     string          `json:"key"`
	Seconds float64         `json:"seconds"`
	Result  json.RawMessage `json:"result"`
}

// unitName maps a key to a file name: the key with every byte outside [A-Za-z0-9._=+-]
// replaced by '_' (truncated to 100 bytes), then 8 hex digits of the key's FNV-1a hash,
// so distinct keys never share a file however they sanitise.
func unitName(key string) string {
	var b strings.Builder
	for i := 0; i < len(key) && b.Len() < 100; i++ {
		c := key[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("._=+-", c) >= 0 {
			b.WriteByte(c)
		} else {
			b.WriteByte('_')
		}
	}
	h := fnv.New32a()
	io.WriteString(h, key)
	return fmt.Sprintf("%s-%08x.json", b.String(), h.Sum32())
}

func unitPath(dir, key string) string { return filepath.Join(dir, "units", unitName(key)) }

// encodeUnit returns the unit file for result v of unit key in sweep id.
func encodeUnit(id, key string, seconds float64, v any) ([]byte, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("sweep: unit %q: encoding result: %v (use sweep.Float for values that may be NaN or ±Inf)", key, err)
	}
	if math.IsNaN(seconds) || math.IsInf(seconds, 0) {
		seconds = 0
	}
	b, err := json.Marshal(header{Format: unitFormat, Sweep: id, Key: key, Seconds: seconds, Result: raw})
	if err != nil {
		return nil, fmt.Errorf("sweep: unit %q: %v", key, err)
	}
	return append(b, '\n'), nil
}

// decodeUnit parses a unit file's bytes into dst (a pointer to the result type) and returns
// its header. It checks the format, that the file belongs to sweep id and unit key, and that
// the result has exactly the fields of dst; errors do not name the file (the caller does).
func decodeUnit(data []byte, id, key string, dst any) (header, error) {
	var h header
	if len(data) > maxUnitFile {
		return h, fmt.Errorf("%d bytes, more than the %d a unit file may hold", len(data), maxUnitFile)
	}
	if err := strictUnmarshal(data, &h); err != nil {
		return h, fmt.Errorf("not a complete unit file: %v", err)
	}
	switch {
	case h.Format != unitFormat:
		return h, fmt.Errorf("format %.60q, want %q", h.Format, unitFormat)
	case h.Sweep != id:
		return h, fmt.Errorf("written by sweep %.200q, this run is %.200q (different settings: use another -out or drop the file)", h.Sweep, id)
	case h.Key != key:
		return h, fmt.Errorf("holds unit %.100q, want %.100q", h.Key, key)
	case h.Seconds < 0 || math.IsNaN(h.Seconds):
		return h, fmt.Errorf("seconds = %v must be >= 0", h.Seconds)
	case len(h.Result) == 0:
		return h, errors.New("no result")
	}
	if err := strictUnmarshal(h.Result, dst); err != nil {
		return h, fmt.Errorf("result: %v", err)
	}
	return h, nil
}

// strictUnmarshal decodes exactly one JSON value with no unknown fields and nothing after it.
func strictUnmarshal(data []byte, dst any) error {
	d := json.NewDecoder(bytes.NewReader(data))
	d.DisallowUnknownFields()
	if err := d.Decode(dst); err != nil {
		return err
	}
	if _, err := d.Token(); err != io.EOF {
		return errors.New("data after the JSON value")
	}
	return nil
}
