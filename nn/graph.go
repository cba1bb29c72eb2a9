package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// BatchNorm normalises each channel over the batch (and, after a convolution, over the
// pixels): with the mean μ_c and biased variance σ²_c of channel c over all B·H·W values of
// the batch,
//
//	y = γ_c·(x − μ_c)/√(σ²_c + Eps) + β_c.
//
// Its parameters are γ (C values, initialised to 1) then β (C values, 0). In evaluation
// mode μ and σ² are the running statistics of GraphState instead, which each training step
// moves toward the batch's: μ_r ← (1−m)μ_r + m·μ, σ²_r ← (1−m)σ²_r + m·σ²·N/(N−1) (the
// unbiased variance, N = B·H·W), m = Momentum, as in PyTorch. The running statistics are
// model state, not parameters (GraphSupervised.State).
type BatchNorm struct {
	Momentum float64 // m in [0, 1]; 0 means 0.1
	Eps      float64 // > 0; 0 means 1e-5
}

// Activate applies the activation Act to every value (a layer of its own, for the
// convolution → BatchNorm → activation order of residual networks).
type Activate struct{ Act Activation }

// Dropout zeroes each value with probability Rate in training mode and scales the others
// by 1/(1 − Rate) (inverted dropout); in evaluation mode it is the identity. The mask of
// sample i is drawn from a random stream of (GraphSupervised.Seed, State.Step, node, i), so
// it does not depend on the batch composition, the chunking or GOMAXPROCS.
type Dropout struct{ Rate float64 }

// GlobalAvgPool averages each channel over all pixels: C×H×W → C×1×1.
type GlobalAvgPool struct{}

// Upsample repeats every pixel Factor×Factor times (nearest-neighbour upsampling):
// C×H×W → C×(Factor·H)×(Factor·W), the decoder step of a U-Net.
type Upsample struct{ Factor int }

// Add sums its inputs, which must all have the same shape (a residual connection).
type Add struct{}

// Concat concatenates its inputs along the channels; they must have the same height and
// width (the skip connections of a U-Net).
type Concat struct{}

func (BatchNorm) layerName() string     { return "BatchNorm" }
func (Activate) layerName() string      { return "Activate" }
func (Dropout) layerName() string       { return "Dropout" }
func (GlobalAvgPool) layerName() string { return "GlobalAvgPool" }
func (Add) layerName() string           { return "Add" }
func (Upsample) layerName() string      { return "Upsample" }
func (Concat) layerName() string        { return "Concat" }

// GraphInput is the index that names the graph's input in Node.From.
const GraphInput = -1

// Node is one node of a Graph: Layer applied to the outputs of the nodes From (indices of
// earlier nodes, or GraphInput). A nil From means the previous node (the input for node
// 0). Add and Concat take two or more inputs; every other layer takes one.
type Node struct {
	Layer Layer
	From  []int
}

// node kinds of a Graph beyond the stage kinds.
const (
	gStage = iota // Conv2D, Dense, MaxPool, AvgPool: a compiled stage
	gFlatten
	gBN
	gAct
	gDrop
	gGAP
	gAdd
	gConcat
	gUp
	gCustom // a customLayer (graphcustom.go)
)

// gnode is a compiled node: its input values (0 = the graph input, j+1 = node j).
type gnode struct {
	kind     int
	in       []int
	out      Shape
	st       stage // gStage
	act      Activation
	off, np  int // parameter offset and count
	bn       int // index among the BatchNorm nodes
	mom, eps float64
	rate     float64
	factor   int         // Upsample
	cn       *customNode // gCustom
	// reluNext: a BatchNorm or Add node whose output feeds only the next node, an
	// Activate{ReLU} (fused passes write ReLU(output) directly, see Graph.markFusions).
	reluNext bool
}

// Graph is a network whose nodes are layers applied to the outputs of earlier nodes, with
// residual (Add) and concatenation (Concat) connections; the output is the last node's.
// Sequential is the special case of a chain. Like Sequential it holds the architecture
// only: the parameters are one flat []float64 owned by the caller, the Conv2D and Dense
// layers' W then b and BatchNorm's γ then β, in node order. BatchNorm, Activate, Dropout,
// GlobalAvgPool, Upsample, Add and Concat are Graph layers only. Build it with NewGraph.
type Graph struct {
	In    Shape
	Nodes []Node

	nodes  []gnode
	shapes []Shape // value shapes: 0 the input, j+1 node j
	np     int
	nbn    int
	hasBN  bool
	hasDO  bool
	maxC   int // largest BatchNorm channel count
	maxIn  int // most inputs of a custom node
}

// NewGraph checks the nodes on inputs of shape in and returns the graph. The error names
// the node, its layer, the field and the value (as NewSequential's, plus: From naming a
// later node, a wrong number of inputs, Add inputs of different shapes, Concat inputs of
// different sizes, BatchNorm.Momentum outside [0, 1], Eps < 0, Dropout.Rate outside [0, 1)).
func NewGraph(in Shape, nodes ...Node) (*Graph, error) {
	if in.C < 1 || in.H < 1 || in.W < 1 {
		return nil, fmt.Errorf("nn: Graph.In = %v: channels, height and width must be >= 1", in)
	}
	if len(nodes) == 0 {
		return nil, fmt.Errorf("nn: Graph has no nodes")
	}
	g := &Graph{In: in, shapes: []Shape{in}}
	for j, n := range nodes {
		gn, err := g.compileNode(j, n)
		if err != nil {
			return nil, fmt.Errorf("nn: Graph node %d (%s): %w", j, layerName(n.Layer), err)
		}
		gn.off = g.np
		g.np += gn.np
		g.nodes = append(g.nodes, gn)
		g.shapes = append(g.shapes, gn.out)
	}
	g.markFusions()
	g.Nodes = make([]Node, len(nodes))
	for j, n := range nodes {
		g.Nodes[j] = Node{Layer: n.Layer, From: append([]int(nil), n.From...)}
	}
	return g, nil
}

func (g *Graph) compileNode(j int, n Node) (gnode, error) {
	from := n.From
	if from == nil {
		from = []int{j - 1}
	}
	gn := gnode{in: make([]int, len(from))}
	for k, f := range from {
		if f < GraphInput || f >= j {
			return gn, fmt.Errorf("From[%d] = %d: must name an earlier node (0..%d) or GraphInput (-1)", k, f, j-1)
		}
		gn.in[k] = f + 1
	}
	if cl, ok := n.Layer.(customLayer); ok {
		if lo, hi := cl.arity(); len(from) < lo || len(from) > hi {
			return gn, fmt.Errorf("len(From) = %d: takes %d to %d inputs", len(from), lo, hi)
		}
		return gn, g.compileCustom(&gn, cl)
	}
	multi := false
	switch n.Layer.(type) {
	case Add, Concat:
		multi = true
	}
	if multi && len(from) < 2 {
		return gn, fmt.Errorf("len(From) = %d: needs at least 2 inputs", len(from))
	}
	if !multi && len(from) != 1 {
		return gn, fmt.Errorf("len(From) = %d: takes exactly 1 input", len(from))
	}
	in := g.shapes[gn.in[0]]
	switch L := n.Layer.(type) {
	case Conv2D, Dense, MaxPool, AvgPool:
		st, err := compileLayer(L, in)
		if err != nil {
			return gn, err
		}
		gn.kind, gn.st, gn.out, gn.np, gn.act = gStage, *st, st.out, st.nparams(), st.act
	case Flatten:
		gn.kind, gn.out = gFlatten, Shape{C: in.Size(), H: 1, W: 1}
	case BatchNorm:
		if !(L.Momentum >= 0 && L.Momentum <= 1) {
			return gn, fmt.Errorf("Momentum = %v outside [0, 1]", L.Momentum)
		}
		if !(L.Eps >= 0) || math.IsInf(L.Eps, 1) {
			return gn, fmt.Errorf("Eps = %v, must be finite and >= 0", L.Eps)
		}
		gn.kind, gn.out, gn.np, gn.bn = gBN, in, 2*in.C, g.nbn
		gn.mom, gn.eps = L.Momentum, L.Eps
		if gn.mom == 0 {
			gn.mom = 0.1
		}
		if gn.eps == 0 {
			gn.eps = 1e-5
		}
		g.nbn++
		g.hasBN = true
		g.maxC = max(g.maxC, in.C)
	case Activate:
		if !L.Act.valid() {
			return gn, fmt.Errorf("Act = %d is not a valid Activation", int(L.Act))
		}
		gn.kind, gn.out, gn.act = gAct, in, L.Act
	case Dropout:
		if !(L.Rate >= 0 && L.Rate < 1) {
			return gn, fmt.Errorf("Rate = %v outside [0, 1)", L.Rate)
		}
		gn.kind, gn.out, gn.rate = gDrop, in, L.Rate
		g.hasDO = g.hasDO || L.Rate > 0
	case GlobalAvgPool:
		gn.kind, gn.out = gGAP, Shape{C: in.C, H: 1, W: 1}
	case Upsample:
		if L.Factor < 1 || L.Factor > 1<<12 {
			return gn, fmt.Errorf("Factor = %d outside [1, 4096]", L.Factor)
		}
		gn.kind, gn.out, gn.factor = gUp, Shape{C: in.C, H: in.H * L.Factor, W: in.W * L.Factor}, L.Factor
	case Add:
		for k, v := range gn.in[1:] {
			if s := g.shapes[v]; s != in {
				return gn, fmt.Errorf("input %d (From[%d] = %d) has shape %v, input 0 has %v: Add needs equal shapes", k+1, k+1, from[k+1], s, in)
			}
		}
		gn.kind, gn.out = gAdd, in
	case Concat:
		c := 0
		for k, v := range gn.in {
			s := g.shapes[v]
			if s.H != in.H || s.W != in.W {
				return gn, fmt.Errorf("input %d (From[%d] = %d) is %d×%d pixels, input 0 is %d×%d: Concat needs equal sizes", k, k, from[k], s.H, s.W, in.H, in.W)
			}
			c += s.C
		}
		gn.kind, gn.out = gConcat, Shape{C: c, H: in.H, W: in.W}
	case nil:
		return gn, fmt.Errorf("layer is nil")
	default:
		return gn, fmt.Errorf("unknown layer type %T", n.Layer)
	}
	return gn, nil
}

// markFusions sets reluNext on every BatchNorm or Add node whose output is read only by
// the next node, an Activate{ReLU}: neither layer's backward pass reads its own output, and
// ReLU's backward mask (x > 0) is the same computed from ReLU's output, so a fused pass can
// write ReLU(output) straight into the ReLU node's buffer, in the same sweep over the
// chunk, and never store the output itself.
func (g *Graph) markFusions() {
	readers := make([]int, len(g.nodes)+1)
	for j := range g.nodes {
		for _, v := range g.nodes[j].in {
			readers[v]++
		}
	}
	for j := 0; j+1 < len(g.nodes); j++ {
		gn, next := &g.nodes[j], &g.nodes[j+1]
		gn.reluNext = (gn.kind == gBN || gn.kind == gAdd) && readers[j+1] == 1 &&
			next.kind == gAct && next.act == ReLU && next.in[0] == j+1
	}
}

// NumParams is the length of a parameter vector.
func (g *Graph) NumParams() int { return g.np }

// InDim is In.Size(), the width of an input row.
func (g *Graph) InDim() int { return g.In.Size() }

// OutShape is the shape of the last node's output.
func (g *Graph) OutShape() Shape { return g.shapes[len(g.shapes)-1] }

// OutDim is the size of the output.
func (g *Graph) OutDim() int { return g.OutShape().Size() }

func (g *Graph) checkParams(w []float64) {
	if len(w) != g.np {
		panic(fmt.Sprintf("nn: len(w) = %d, want NumParams() = %d", len(w), g.np))
	}
}

// Init fills w (len NumParams) with a random draw of init for the Conv2D and Dense
// layers, in node order, as Sequential.Init does, and sets BatchNorm's γ = 1, β = 0.
func (g *Graph) Init(w []float64, init Init, src rand.Source) {
	g.checkParams(w)
	rng := rand.New(src)
	for i := range g.nodes {
		n := &g.nodes[i]
		switch {
		case n.kind == gStage && n.np > 0:
			st := &n.st
			initLayer(rng, init, w[n.off:n.off+st.out.C*st.k], w[n.off+st.out.C*st.k:n.off+n.np], st.k, st.kh*st.kw*st.out.C)
		case n.kind == gCustom && n.np > 0:
			n.cn.cl.initParams(n.cn.ins, w[n.off:n.off+n.np], rng)
		case n.kind == gBN:
			C := n.out.C
			for c := range C {
				w[n.off+c], w[n.off+C+c] = 1, 0
			}
		}
	}
}
