package nn

import (
	"bytes"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
)

// everyLayerGraphs hold every Graph layer type at least once: oddGraph's (Conv2D, BatchNorm,
// Activate, Add, Concat, MaxPool, AvgPool, GlobalAvgPool, Dropout, Flatten, Dense) and
// condGraph's (Channels, Fourier, GroupNorm, ScaleShift, SiLU, Upsample), so SaveGraph
// refusing a layer type shows up as a test failure.
func everyLayerGraphs(t testing.TB) []*Graph {
	return []*Graph{oddGraph(t), condGraph(t), smallUNet(t)}
}

// saveLoadGraph saves g with params w and returns what LoadGraph reads back.
func saveLoadGraph(t *testing.T, g *Graph, w []float64) (*Graph, []float64) {
	t.Helper()
	var buf bytes.Buffer
	if err := SaveGraph(&buf, g, w, nil); err != nil {
		t.Fatal(err)
	}
	g2, w2, _, err := LoadGraph(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return g2, w2
}

// A graph of the U-Net layers (condGraph, and a whole U-Net) loads back with the same
// architecture and parameters, and its forward outputs and parameter gradients are the same
// bits as the original's on the same input.
func TestSaveGraphUNetLayersRoundTrip(t *testing.T) {
	for gi, g := range everyLayerGraphs(t) {
		w := make([]float64, g.NumParams())
		g.Init(w, He, rand.NewPCG(uint64(gi)+1, 9))
		g2, w2 := saveLoadGraph(t, g, w)
		if g2.In != g.In || !reflect.DeepEqual(g2.Nodes, g.Nodes) || !floatsBitsEqual(w, w2) {
			t.Fatalf("graph %d: loaded architecture or parameters differ", gi)
		}
		const n = 3
		rng := rand.New(rand.NewPCG(7, uint64(gi)))
		x := make([]float64, n*g.InDim())
		for i := range x {
			x[i] = rng.NormFloat64()
		}
		dOut := make([]float64, n*g.OutDim())
		for i := range dOut {
			dOut[i] = rng.NormFloat64()
		}
		out := [2][]float64{make([]float64, len(dOut)), make([]float64, len(dOut))}
		grad := [2][]float64{make([]float64, len(w)), make([]float64, len(w))}
		for k, gw := range []struct {
			g *Graph
			w []float64
		}{{g, w}, {g2, w2}} {
			p := gw.g.NewPass(nil)
			p.Forward(out[k], gw.w, x)
			p.Backward(grad[k], gw.w, dOut)
		}
		if !floatsBitsEqual(out[0], out[1]) || !floatsBitsEqual(grad[0], grad[1]) {
			t.Errorf("graph %d: outputs or gradients of the loaded graph differ", gi)
		}
		if math.IsNaN(out[0][0]) {
			t.Errorf("graph %d: NaN output", gi)
		}
	}
}

// Every truncation and many single-byte changes of a saved U-Net are errors, never a panic
// (the CRC-32 trailer detects every single-byte change; truncation is caught by the
// container's length check).
func TestLoadGraphUNetCorrupt(t *testing.T) {
	g := smallUNet(t)
	w := make([]float64, g.NumParams())
	InitUNet(g, w, rand.NewPCG(1, 2), 1e-2)
	var buf bytes.Buffer
	if err := SaveGraph(&buf, g, w, nil); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	for n := 0; n < len(data); n += 13 {
		if _, _, _, err := LoadGraph(bytes.NewReader(data[:n])); err == nil {
			t.Fatalf("truncated to %d of %d bytes: no error", n, len(data))
		}
	}
	for i := 0; i < len(data); i += 11 {
		c := append([]byte(nil), data...)
		c[i] ^= 0xa5
		if _, _, _, err := LoadGraph(bytes.NewReader(c)); err == nil {
			t.Fatalf("byte %d changed: no error", i)
		}
	}
}

// FuzzLoadGraphUNet feeds LoadGraph mutations of a graph with every U-Net layer: it must
// return an error or a graph that NewGraph accepted, with matching parameters, never panic.
func FuzzLoadGraphUNet(f *testing.F) {
	g := condGraph(f)
	w := make([]float64, g.NumParams())
	g.Init(w, He, rand.NewPCG(3, 4))
	var buf bytes.Buffer
	if err := SaveGraph(&buf, g, w, nil); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add(buf.Bytes()[:buf.Len()/2])
	f.Fuzz(func(t *testing.T, data []byte) {
		g, w, st, err := LoadGraph(bytes.NewReader(data))
		if err != nil {
			return
		}
		if len(w) != g.NumParams() || st == nil {
			t.Fatalf("loaded %d parameters for %d", len(w), g.NumParams())
		}
	})
}
