package nn

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// A saved graph loads back with the same architecture, parameters and state bits, and its
// objective gives the same losses in both modes.
func TestGraphSaveLoad(t *testing.T) {
	obj, w := graphObjective(t, oddGraph(t), 12, SoftmaxCE{}, 3)
	randomizeState(obj.State, 5)
	obj.State.Step = 17
	path := filepath.Join(t.TempDir(), "g.bin")
	if err := SaveGraphFile(path, obj.Net, w, obj.State); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	g, w2, st, err := LoadGraph(f)
	if err != nil {
		t.Fatal(err)
	}
	if g.NumParams() != obj.Net.NumParams() || len(g.Nodes) != len(obj.Net.Nodes) || !floatsBitsEqual(w, w2) || st.Step != 17 {
		t.Fatalf("loaded graph differs: %d params, %d nodes, step %d", g.NumParams(), len(g.Nodes), st.Step)
	}
	for b := range st.Mean {
		if !floatsBitsEqual(st.Mean[b], obj.State.Mean[b]) || !floatsBitsEqual(st.Var[b], obj.State.Var[b]) {
			t.Fatalf("BatchNorm %d statistics differ", b)
		}
	}
	obj2, err := NewGraphSupervised(g, obj.Data, SoftmaxCE{})
	if err != nil {
		t.Fatal(err)
	}
	obj2.State, obj2.Seed = st, obj.Seed
	idx := seq(12)
	for _, eval := range []bool{false, true} {
		obj.Eval, obj2.Eval = eval, eval
		if a, b := obj.LossGrad(nil, w, idx), obj2.LossGrad(nil, w2, idx); math.Float64bits(a) != math.Float64bits(b) {
			t.Errorf("eval=%v: loss %v, loaded %v", eval, a, b)
		}
	}
}

// Every truncation and every flipped byte of a saved graph is an error, never a panic.
func TestLoadGraphCorrupt(t *testing.T) {
	obj, w := graphObjective(t, oddGraph(t), 4, SoftmaxCE{}, 3)
	var buf bytes.Buffer
	if err := SaveGraph(&buf, obj.Net, w, obj.State); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	for n := 0; n < len(data); n += 7 {
		if _, _, _, err := LoadGraph(bytes.NewReader(data[:n])); err == nil {
			t.Fatalf("truncated to %d bytes: no error", n)
		}
	}
	for i := 0; i < len(data); i += 5 {
		c := append([]byte(nil), data...)
		c[i] ^= 0x55
		if _, _, _, err := LoadGraph(bytes.NewReader(c)); err == nil {
			t.Fatalf("byte %d flipped: no error", i)
		}
	}
	if err := SaveGraph(&buf, obj.Net, w[1:], nil); err == nil {
		t.Error("SaveGraph accepted short params")
	}
}

func floatsBitsEqual(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return false
		}
	}
	return true
}

func FuzzLoadGraph(f *testing.F) {
	obj, w := graphObjective(f, oddGraph(f), 4, SoftmaxCE{}, 3)
	var buf bytes.Buffer
	if err := SaveGraph(&buf, obj.Net, w, obj.State); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		LoadGraph(bytes.NewReader(data))
	})
}
