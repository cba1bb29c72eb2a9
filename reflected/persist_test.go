package reflected

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestScoreNetSaveLoad(t *testing.T) {
	net, err := NewScoreNet(3, []int{16, 16}, TimeEmbedding{Freqs: 3}, rand.NewPCG(1, 1))
	if err != nil {
		t.Fatal(err)
	}
	if err := net.Net.Prune(net.W, 300); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := net.Save(&buf); err != nil {
		t.Fatal(err)
	}
	data := slices.Clone(buf.Bytes())
	got, err := LoadScoreNet(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.W, net.W) || !slices.Equal(got.Net.Mask, net.Net.Mask) || got.Embed != net.Embed {
		t.Fatal("loaded network differs")
	}
	x := []float64{0.1, 0.5, 0.9, 0.3, 0.3, 0.3}
	ts := []float64{0.01, 1}
	a, b := make([]float64, 6), make([]float64, 6)
	net.Score(a, x, ts)
	got.Score(b, x, ts)
	if !slices.Equal(a, b) {
		t.Errorf("scores differ after load: %v vs %v", a, b)
	}
	// Every truncation and a corrupted header must give an error, not a panic.
	for n := 0; n < len(data); n += 1 + n/8 {
		if _, err := LoadScoreNet(bytes.NewReader(data[:n])); err == nil {
			t.Fatalf("truncated at %d bytes: no error", n)
		}
	}
	bad := slices.Clone(data)
	bad[12] = 7 // Freqs 7 no longer fits the input width
	if _, err := LoadScoreNet(bytes.NewReader(bad)); err == nil {
		t.Error("mismatched embedding: no error")
	}
}

// FuzzLoadScoreNet checks that arbitrary bytes never make LoadScoreNet panic.
func FuzzLoadScoreNet(f *testing.F) {
	net, _ := NewScoreNet(2, []int{4}, TimeEmbedding{Freqs: 1}, rand.NewPCG(1, 1))
	var buf bytes.Buffer
	net.Save(&buf)
	f.Add(buf.Bytes())
	f.Add([]byte("SDEMLRSN"))
	f.Fuzz(func(t *testing.T, b []byte) {
		LoadScoreNet(bytes.NewReader(b))
	})
}
