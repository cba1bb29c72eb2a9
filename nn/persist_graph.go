package nn

import (
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/sdeml/sdeml/internal/atomicfile"
	"github.com/sdeml/sdeml/internal/binfmt"
)

// File format of SaveGraph/LoadGraph (internal/binfmt container: magic, version,
// little-endian fields, CRC-32 trailer), version 1 (kinds 13–17, the U-Net's layers, were
// added later within version 1: a reader that predates them refuses such a file by its kind):
//
//	magic "SDEMLGRF", version uint32 = 1
//	in       int64 × 3                 C, H, W
//	nodes    int64                     1..maxGraphNodes
//	node     int64 kind (1 Conv2D, 2 MaxPool, 3 AvgPool, 4 Flatten, 5 Dense, 6 BatchNorm,
//	         7 Activate, 8 Dropout, 9 GlobalAvgPool, 10 Add, 11 Concat, 12 Upsample,
//	         13 GroupNorm, 14 SiLU, 15 ScaleShift, 16 Fourier, 17 Channels),
//	         int64 count + int64 × count   From (as given; empty for nil)
//	         int64 × 4  (Conv2D: Out Kernel Stride Pad; pools: Size Stride 0 0; Dense: Out
//	                    0 0 0; Upsample: Factor 0 0 0; GroupNorm: Groups 0 0 0; Fourier:
//	                    Freqs 0 0 0; Channels: From To 0 0; others 0 0 0 0)
//	         int64 Act  (Conv2D, Dense, Activate; else 0)
//	         float64 × 2 (BatchNorm: Momentum Eps; Dropout: Rate 0; GroupNorm: Eps 0;
//	                    Fourier: MaxFreq 0; else 0 0)   × nodes
//	params   int64 count + float64 × count   (count = NumParams())
//	state    uint64 Step, int64 2·(BatchNorm nodes), then int64 count + float64 × count
//	         for each running mean and variance, in node order
//	crc      uint32
const (
	graphMagic       = "SDEMLGRF"
	graphFileVersion = 1
	maxGraphNodes    = 1 << 16
	maxGraphFile     = 1 << 36
)

const (
	gkConv = 1 + iota
	gkMax
	gkAvg
	gkFlatten
	gkDense
	gkBN
	gkAct
	gkDrop
	gkGAP
	gkAdd
	gkConcat
	gkUp
	gkGroupNorm
	gkSiLU
	gkScaleShift
	gkFourier
	gkChannels
)

// SaveGraph writes the architecture of g, the parameters params (len NumParams) and the
// model state st (running statistics and dropout step; nil writes NewGraphState(g)) to w,
// read back by LoadGraph.
func SaveGraph(w io.Writer, g *Graph, params []float64, st *GraphState) error {
	if g == nil || len(g.nodes) == 0 {
		return errors.New("nn: SaveGraph: graph is nil or not built by NewGraph")
	}
	if len(params) != g.np {
		return fmt.Errorf("nn: SaveGraph: len(params) = %d, want NumParams() = %d", len(params), g.np)
	}
	if st == nil {
		st = NewGraphState(g)
	}
	if len(st.Mean) != g.nbn || len(st.Var) != g.nbn {
		return fmt.Errorf("nn: SaveGraph: state has %d running means and %d variances, the graph %d BatchNorm nodes", len(st.Mean), len(st.Var), g.nbn)
	}
	e := binfmt.NewEncoder(graphMagic, graphFileVersion)
	e.Int(g.In.C)
	e.Int(g.In.H)
	e.Int(g.In.W)
	e.Int(len(g.Nodes))
	for _, n := range g.Nodes {
		var kind, a, b, c, d, act int
		var f1, f2 float64
		switch L := n.Layer.(type) {
		case Conv2D:
			kind, a, b, c, d, act = gkConv, L.Out, L.Kernel, L.Stride, L.Pad, int(L.Act)
		case MaxPool:
			kind, a, b = gkMax, L.Size, L.Stride
		case AvgPool:
			kind, a, b = gkAvg, L.Size, L.Stride
		case Flatten:
			kind = gkFlatten
		case Dense:
			kind, a, act = gkDense, L.Out, int(L.Act)
		case BatchNorm:
			kind, f1, f2 = gkBN, L.Momentum, L.Eps
		case Activate:
			kind, act = gkAct, int(L.Act)
		case Dropout:
			kind, f1 = gkDrop, L.Rate
		case GlobalAvgPool:
			kind = gkGAP
		case Add:
			kind = gkAdd
		case Concat:
			kind = gkConcat
		case Upsample:
			kind, a = gkUp, L.Factor
		case GroupNorm:
			kind, a, f1 = gkGroupNorm, L.Groups, L.Eps
		case SiLU:
			kind = gkSiLU
		case ScaleShift:
			kind = gkScaleShift
		case Fourier:
			kind, a, f1 = gkFourier, L.Freqs, L.MaxFreq
		case Channels:
			kind, a, b = gkChannels, L.From, L.To
		default:
			return fmt.Errorf("nn: SaveGraph: layer %s cannot be saved", layerName(n.Layer))
		}
		e.Int(kind)
		e.Int(len(n.From))
		for _, f := range n.From {
			e.Int(f)
		}
		for _, v := range []int{a, b, c, d, act} {
			e.Int(v)
		}
		e.F64(f1)
		e.F64(f2)
	}
	e.Floats(params)
	e.U64(st.Step)
	e.Int(2 * len(st.Mean))
	for i := range st.Mean {
		e.Floats(st.Mean[i])
		e.Floats(st.Var[i])
	}
	if _, err := e.WriteTo(w); err != nil {
		return fmt.Errorf("nn: SaveGraph: %w", err)
	}
	return nil
}

// SaveGraphFile writes g, params and st (see SaveGraph) to the file path atomically, like
// SaveFile. Read it back with os.Open and LoadGraph.
func SaveGraphFile(path string, g *Graph, params []float64, st *GraphState) error {
	return atomicfile.WriteFile(path, 0, func(w io.Writer) error { return SaveGraph(w, g, params, st) })
}

// LoadGraph reads a graph, its parameters and its model state written by SaveGraph.
// Malformed input (magic, version, checksum, truncation, an architecture NewGraph refuses,
// counts that do not fit the graph, non-finite parameters or statistics, negative
// variances) returns an error; it never panics.
func LoadGraph(r io.Reader) (*Graph, []float64, *GraphState, error) {
	d, err := binfmt.Open(r, graphMagic, graphFileVersion, maxGraphFile)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("nn: LoadGraph: %w", err)
	}
	const big = 1 << 24
	in := Shape{C: d.Int("in.C", 1, big), H: d.Int("in.H", 1, big), W: d.Int("in.W", 1, big)}
	count := d.Int("nodes", 1, maxGraphNodes)
	var nodes []Node
	for j := 0; j < count && !d.Failed(); j++ {
		kind := d.Int("kind", gkConv, gkChannels)
		nf := d.Int("len(From)", 0, maxGraphNodes)
		var from []int
		for k := 0; k < nf && !d.Failed(); k++ {
			from = append(from, d.Int("From", GraphInput, maxGraphNodes))
		}
		var v [5]int
		for k := range v {
			v[k] = d.Int("layer field", 0, big)
		}
		f1, f2 := d.F64(), d.F64()
		if math.IsNaN(f1) || math.IsInf(f1, 0) || math.IsNaN(f2) || math.IsInf(f2, 0) {
			return nil, nil, nil, fmt.Errorf("nn: LoadGraph: node %d: layer settings %v, %v are not finite", j, f1, f2)
		}
		act := Activation(v[4])
		var L Layer
		switch kind {
		case gkConv:
			L = Conv2D{Out: v[0], Kernel: v[1], Stride: v[2], Pad: v[3], Act: act}
		case gkMax:
			L = MaxPool{Size: v[0], Stride: v[1]}
		case gkAvg:
			L = AvgPool{Size: v[0], Stride: v[1]}
		case gkFlatten:
			L = Flatten{}
		case gkDense:
			L = Dense{Out: v[0], Act: act}
		case gkBN:
			L = BatchNorm{Momentum: f1, Eps: f2}
		case gkAct:
			L = Activate{Act: act}
		case gkDrop:
			L = Dropout{Rate: f1}
		case gkGAP:
			L = GlobalAvgPool{}
		case gkAdd:
			L = Add{}
		case gkUp:
			L = Upsample{Factor: v[0]}
		case gkGroupNorm:
			L = GroupNorm{Groups: v[0], Eps: f1}
		case gkSiLU:
			L = SiLU{}
		case gkScaleShift:
			L = ScaleShift{}
		case gkFourier:
			L = Fourier{Freqs: v[0], MaxFreq: f1}
		case gkChannels:
			L = Channels{From: v[0], To: v[1]}
		default:
			L = Concat{}
		}
		nodes = append(nodes, Node{Layer: L, From: from})
	}
	params := d.Floats("params")
	st := &GraphState{Step: d.U64()}
	nstats := d.Int("statistics arrays", 0, 2*maxGraphNodes)
	var stats [][]float64
	for k := 0; k < nstats && !d.Failed(); k++ {
		stats = append(stats, d.Floats("running statistics"))
	}
	if err := d.Err(); err != nil {
		return nil, nil, nil, fmt.Errorf("nn: LoadGraph: %w", err)
	}
	g, err := NewGraph(in, nodes...)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("nn: LoadGraph: %w", err)
	}
	if len(params) != g.np {
		return nil, nil, nil, fmt.Errorf("nn: LoadGraph: %d parameters, the graph has %d", len(params), g.np)
	}
	for i, p := range params {
		if math.IsNaN(p) || math.IsInf(p, 0) {
			return nil, nil, nil, fmt.Errorf("nn: LoadGraph: parameter %d = %v is not finite", i, p)
		}
	}
	if len(stats) != 2*g.nbn {
		return nil, nil, nil, fmt.Errorf("nn: LoadGraph: %d running-statistics arrays, the graph's %d BatchNorm nodes need %d", len(stats), g.nbn, 2*g.nbn)
	}
	want := NewGraphState(g)
	for b := range g.nbn {
		m, v := stats[2*b], stats[2*b+1]
		if len(m) != len(want.Mean[b]) || len(v) != len(want.Mean[b]) {
			return nil, nil, nil, fmt.Errorf("nn: LoadGraph: BatchNorm %d has %d means and %d variances, want %d channels", b, len(m), len(v), len(want.Mean[b]))
		}
		for c := range m {
			if math.IsNaN(m[c]) || math.IsInf(m[c], 0) || !(v[c] >= 0) || math.IsInf(v[c], 1) {
				return nil, nil, nil, fmt.Errorf("nn: LoadGraph: BatchNorm %d channel %d: running mean %v, variance %v (want finite, variance >= 0)", b, c, m[c], v[c])
			}
		}
		st.Mean, st.Var = append(st.Mean, m), append(st.Var, v)
	}
	return g, params, st, nil
}
