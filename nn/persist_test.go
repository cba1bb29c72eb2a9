package nn

import (
	"bytes"
	"slices"
	"testing"
)

func TestSaveLoad(t *testing.T) {
	for _, masked := range []bool{false, true} {
		net, _ := NewMLP([]int{3, 5, 4, 2}, GELU, Sigmoid)
		if masked {
			net.Mask = randomMask(net.NumParams(), 40)
		}
		w := randomParams(net, 41)
		var buf bytes.Buffer
		if err := Save(&buf, net, w); err != nil {
			t.Fatal(err)
		}
		file := buf.Bytes()
		got, gw, err := Load(bytes.NewReader(file))
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got.Sizes, net.Sizes) || got.Hidden != net.Hidden || got.Output != net.Output ||
			!slices.Equal(got.Mask, net.Mask) || !slices.Equal(gw, w) {
			t.Fatalf("masked=%v: round trip changed the network", masked)
		}
		// Every strict prefix is truncated, and every single-bit flip breaks the CRC or a
		// header check (CRC-32 detects all 1-bit errors).
		for n := 0; n < len(file); n++ {
			if _, _, err := Load(bytes.NewReader(file[:n])); err == nil {
				t.Fatalf("prefix of %d bytes loaded without error", n)
			}
		}
		for i := range file {
			bad := slices.Clone(file)
			bad[i] ^= 1 << (i % 8)
			if _, _, err := Load(bytes.NewReader(bad)); err == nil {
				t.Fatalf("flip in byte %d loaded without error", i)
			}
		}
		if _, _, err := Load(bytes.NewReader(append(slices.Clone(file), 0))); err == nil {
			t.Fatal("trailing byte loaded without error")
		}
	}
	net, _ := NewMLP([]int{2, 2}, ReLU, Identity)
	if err := Save(&bytes.Buffer{}, net, make([]float64, 5)); err == nil {
		t.Error("Save accepted wrong params length")
	}
}

func FuzzLoad(f *testing.F) {
	net, _ := NewMLP([]int{2, 3, 2}, ReLU, Identity)
	w := randomParams(net, 42)
	var buf bytes.Buffer
	Save(&buf, net, w)
	f.Add(buf.Bytes())
	net.Mask = randomMask(net.NumParams(), 43)
	buf.Reset()
	Save(&buf, net, w)
	f.Add(buf.Bytes())
	f.Add([]byte("SDEMLNN\x00\x01\x00\x00\x00\xff\xff\xff\xff"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, p, err := Load(bytes.NewReader(data))
		if err != nil {
			return
		}
		if len(p) != m.NumParams() || m.Validate() != nil {
			t.Fatalf("Load returned an inconsistent network")
		}
	})
}
