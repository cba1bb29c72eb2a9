package nn

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats"
)

func seqFile(t testing.TB) ([]byte, *Sequential, []float64) {
	net, err := NewSequential(Shape{2, 9, 8}, Conv2D{Out: 3, Kernel: 3, Stride: 2, Pad: 1, Act: ReLU}, MaxPool{2, 1},
		Conv2D{Out: 2, Kernel: 1, Stride: 1, Act: Tanh}, AvgPool{2, 2}, Flatten{}, Dense{Out: 4, Act: GELU}, Dense{Out: 3})
	if err != nil {
		t.Fatal(err)
	}
	w := make([]float64, net.NumParams())
	net.Init(w, TorchDefault, rand.NewPCG(3, 3))
	var buf bytes.Buffer
	if err := SaveSequential(&buf, net, w); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), net, w
}

func TestSaveLoadSequential(t *testing.T) {
	file, net, w := seqFile(t)
	got, gw, err := LoadSequential(bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	if got.In != net.In || len(got.Layers) != len(net.Layers) || !floats.Equal(gw, w) {
		t.Fatalf("round trip changed the network or parameters")
	}
	for i := range net.Layers {
		if got.Layers[i] != net.Layers[i] {
			t.Fatalf("layer %d: %#v, want %#v", i, got.Layers[i], net.Layers[i])
		}
	}
	if _, _, err := Load(bytes.NewReader(file)); err == nil || !strings.Contains(err.Error(), "LoadSequential") {
		t.Errorf("Load of a Sequential file: error %v, want one pointing to LoadSequential", err)
	}
	for n := 0; n < len(file); n++ {
		if _, _, err := LoadSequential(bytes.NewReader(file[:n])); err == nil {
			t.Fatalf("truncated to %d bytes: no error", n)
		}
	}
	for i := 0; i < len(file); i += 7 {
		c := append([]byte(nil), file...)
		c[i] ^= 0x40
		if _, _, err := LoadSequential(bytes.NewReader(c)); err == nil {
			t.Fatalf("byte %d flipped: no error", i)
		}
	}
	if _, _, err := LoadSequential(bytes.NewReader(append(file, 0))); err == nil {
		t.Errorf("trailing byte: no error")
	}
}

// TestLoadSequentialHugeHeader: headers declaring enormous shapes or parameter counts fail
// before any allocation of that size.
func TestLoadSequentialHugeHeader(t *testing.T) {
	file, _, _ := seqFile(t)
	set := func(off int, v uint32) []byte {
		c := append([]byte(nil), file...)
		binary.LittleEndian.PutUint32(c[off:], v)
		return c
	}
	for name, c := range map[string][]byte{
		"input 2^32-1 wide": set(20, 1<<32-1),
		"input 2^20 high":   set(16, 1<<20),
		"2^30 out channels": set(29, 1<<30),
		"2^31 layers":       set(24, 1<<31),
		"negative stride":   set(37, 1<<32-1),
		"huge kernel":       set(33, 1<<31-1),
	} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, _, err := LoadSequential(bytes.NewReader(c))
		runtime.ReadMemStats(&after)
		if err == nil || strings.Count(err.Error(), "nn:") != 1 {
			t.Errorf("%s: error %v", name, err)
		}
		// bufio (4 KB), the layer list and the first 2^16 parameters at most.
		if a := after.TotalAlloc - before.TotalAlloc; a > 1<<20 {
			t.Errorf("%s: allocated %d bytes", name, a)
		}
	}
}

func FuzzLoadSequential(f *testing.F) {
	file, _, _ := seqFile(f)
	f.Add(file)
	f.Add(file[:40])
	f.Fuzz(func(t *testing.T, data []byte) {
		net, w, err := LoadSequential(bytes.NewReader(data))
		if err != nil {
			return
		}
		if len(w) != net.NumParams() {
			t.Fatalf("loaded %d parameters for a network of %d", len(w), net.NumParams())
		}
	})
}
