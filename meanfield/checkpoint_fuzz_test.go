package meanfield

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"testing"
)

// resum rewrites the CRC-32 trailer of b so that mutated bodies get past the checksum.
func resum(b []byte) []byte {
	if len(b) >= 4 {
		binary.LittleEndian.PutUint32(b[len(b)-4:], crc32.ChecksumIEEE(b[:len(b)-4]))
	}
	return b
}

// FuzzLoadCheckpoint: LoadCheckpoint never panics; input it accepts re-encodes to the same
// bytes. The fuzzer's input is tried both as given and with a corrected checksum, so the
// field checks behind the CRC are exercised.
func FuzzLoadCheckpoint(f *testing.F) {
	good := validCheckpointBytes(f)
	f.Add(good)
	f.Add(good[:offN+16])
	f.Add([]byte(checkpointMagic))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, in := range [][]byte{b, resum(bytes.Clone(b))} {
			cp, err := LoadCheckpoint(bytes.NewReader(in))
			if err != nil {
				continue
			}
			var out bytes.Buffer
			if err := cp.Save(&out); err != nil {
				t.Fatalf("decoded checkpoint does not save: %v", err)
			}
			if !bytes.Equal(out.Bytes(), in) {
				t.Fatal("decode/encode round trip changed the bytes")
			}
		}
	})
}
