package nn

import (
	"fmt"
	"math/rand/v2"
)

// Shape is the shape of one sample's activations: C channels of H×W pixels. Sequential
// stores a sample channels-last (HWC): entry (h, w, c) is at index (h·W + w)·C + c, so a
// one-channel image is its pixels in row-major order (the layout of MNIST rows).
type Shape struct{ C, H, W int }

// Size is C·H·W, the number of values of one sample.
func (s Shape) Size() int { return s.C * s.H * s.W }

func (s Shape) String() string { return fmt.Sprintf("%d×%d×%d (C×H×W)", s.C, s.H, s.W) }

// Layer is one layer of a Sequential: Conv2D, MaxPool, AvgPool, Flatten or Dense.
//
// The interface is sealed: its method is unexported, so no type outside this package can
// implement it. NewSequential compiles each layer into kernels with hand-derived backward,
// per-sample and Hessian-vector passes, which a layer defined elsewhere could not take part
// in. For a model these layers cannot express, implement Objective (Dim, Len, LossGrad,
// Losses) directly; the optimizers and statistics of sam and sgn take any Objective.
type Layer interface{ layerName() string }

// Conv2D is a 2-D convolution (cross-correlation, as in PyTorch) with zero padding and a
// bias, followed by the activation Act:
//
//	z[oh,ow,o] = b_o + Σ_{i,j,c} W[o,i,j,c]·x[oh·S − P + i, ow·S − P + j, c],  a = Act(z),
//
// with x = 0 outside the image. The output is ⌊(H + 2P − K)/S⌋ + 1 pixels high (likewise
// wide). Its parameters are W (Out × K·K·C_in, row-major, the K·K·C_in index ordered
// (i, j, c)) followed by b (Out). The zero Act is Identity.
type Conv2D struct {
	Out    int // output channels, >= 1
	Kernel int // kernel height and width K, >= 1
	Stride int // S, >= 1
	Pad    int // zero padding P on every side, >= 0
	Act    Activation
}

// MaxPool takes the maximum over Size×Size windows moved by Stride in each channel (no
// padding; the first maximal entry of a window receives its gradient).
type MaxPool struct{ Size, Stride int }

// AvgPool takes the mean over Size×Size windows moved by Stride in each channel (no padding).
type AvgPool struct{ Size, Stride int }

// Flatten reshapes C×H×W to C·H·W×1×1 (in the HWC order of Shape); it moves no data.
type Flatten struct{}

// Dense is a fully connected layer z = W a + b, a = Act(z), on an input of shape n×1×1
// (put Flatten before it after a convolution or pool). W is Out×n row-major, then b. The
// zero Act is Identity.
type Dense struct {
	Out int
	Act Activation
}

func (Conv2D) layerName() string  { return "Conv2D" }
func (MaxPool) layerName() string { return "MaxPool" }
func (AvgPool) layerName() string { return "AvgPool" }
func (Flatten) layerName() string { return "Flatten" }
func (Dense) layerName() string   { return "Dense" }

// stage kinds.
const (
	stageConv = iota // Conv2D, and Dense as a convolution whose kernel covers the input
	stageMax
	stageAvg
)

// stage is one compiled layer (Flatten compiles to nothing).
type stage struct {
	kind        int
	in, out     Shape
	kh, kw      int // kernel / window size
	stride, pad int
	act         Activation
	off         int  // offset of W in the parameters (conv)
	k           int  // kh·kw·in.C, the columns of the unfolded input (conv)
	direct      bool // the unfolded input is the input itself (no im2col needed)
	// fused marks a ReLU convolution followed by a max pool: the pool computes the
	// activations of its windows on the fly from the pre-activations z (maxPoolReLU) and
	// its backward pass applies ReLU' at the maxima (maxPoolBack), so the convolution's
	// full-size output a and its derivative pass are never formed; the bits are those of
	// the unfused pair (TestFusedConvPoolBits).
	fused bool
}

// npos is the number of output positions H·W of the stage.
func (st *stage) npos() int { return st.out.H * st.out.W }

// bias returns the bias b (out.C values) of a convolution stage within the parameters w.
func (st *stage) bias(w []float64) []float64 {
	return w[st.off+st.out.C*st.k : st.off+st.nparams()]
}

// nparams is the parameter count of the stage: Out·(k + 1) for a convolution, else 0.
func (st *stage) nparams() int {
	if st.kind != stageConv {
		return 0
	}
	return st.out.C * (st.k + 1)
}

// Sequential is a feed-forward network of Layers applied in order to inputs of shape In.
// Like MLP it holds the architecture only: the parameters are one flat []float64 owned
// by the caller, the Conv2D and Dense layers' W then b in layer order. Build it with
// NewSequential, which checks the shapes; do not modify its fields afterwards.
type Sequential struct {
	In     Shape
	Layers []Layer

	stages []stage
	out    Shape
	np     int
}

// NewSequential checks that layers fit inputs of shape in and returns the network. The
// error names the layer, the field and the value (kernel larger than the padded input,
// stride or channels < 1, negative padding, Dense on an unflattened input, unknown
// activation).
func NewSequential(in Shape, layers ...Layer) (*Sequential, error) {
	if in.C < 1 || in.H < 1 || in.W < 1 {
		return nil, fmt.Errorf("nn: Sequential.In = %v: channels, height and width must be >= 1", in)
	}
	if len(layers) == 0 {
		return nil, fmt.Errorf("nn: Sequential has no layers")
	}
	s := &Sequential{In: in, Layers: append([]Layer(nil), layers...)}
	cur := in
	for l, layer := range layers {
		st, err := compileLayer(layer, cur)
		if err != nil {
			return nil, fmt.Errorf("nn: Sequential layer %d (%s): %w", l, layerName(layer), err)
		}
		if st == nil { // Flatten
			cur = Shape{C: cur.Size(), H: 1, W: 1}
			continue
		}
		st.off = s.np
		s.np += st.nparams()
		s.stages = append(s.stages, *st)
		cur = st.out
	}
	if len(s.stages) == 0 {
		return nil, fmt.Errorf("nn: Sequential has only Flatten layers")
	}
	for i := 1; i < len(s.stages); i++ {
		prev := &s.stages[i-1]
		if s.stages[i].kind == stageMax && prev.kind == stageConv && prev.act == ReLU {
			prev.fused = true
		}
	}
	s.out = cur
	return s, nil
}

func layerName(l Layer) string {
	if l == nil {
		return "nil"
	}
	return l.layerName()
}

// compileLayer returns the stage of layer on input shape in (nil for Flatten).
func compileLayer(layer Layer, in Shape) (*stage, error) {
	switch L := layer.(type) {
	case Conv2D:
		if L.Out < 1 {
			return nil, fmt.Errorf("Out = %d output channels, must be >= 1", L.Out)
		}
		if !L.Act.valid() {
			return nil, fmt.Errorf("Act = %d is not a valid Activation", int(L.Act))
		}
		if L.Pad < 0 {
			return nil, fmt.Errorf("Pad = %d, must be >= 0", L.Pad)
		}
		st, err := window(stageConv, L.Kernel, L.Stride, L.Pad, in)
		if err != nil {
			return nil, err
		}
		st.out.C, st.act = L.Out, L.Act
		st.k = st.kh * st.kw * in.C
		// A 1×1 kernel with stride 1 and no padding, or a kernel covering the unpadded
		// input, reads each input value exactly once in im2col order.
		st.direct = st.pad == 0 && ((st.kh == 1 && st.kw == 1 && st.stride == 1) || (st.kh == in.H && st.kw == in.W))
		return st, nil
	case Dense:
		if L.Out < 1 {
			return nil, fmt.Errorf("Out = %d, must be >= 1", L.Out)
		}
		if !L.Act.valid() {
			return nil, fmt.Errorf("Act = %d is not a valid Activation", int(L.Act))
		}
		if in.H != 1 || in.W != 1 {
			return nil, fmt.Errorf("input is %v, want n×1×1: put Flatten before Dense", in)
		}
		return &stage{kind: stageConv, in: in, out: Shape{C: L.Out, H: 1, W: 1}, kh: 1, kw: 1, stride: 1,
			act: L.Act, k: in.C, direct: true}, nil
	case MaxPool:
		return window(stageMax, L.Size, L.Stride, 0, in)
	case AvgPool:
		return window(stageAvg, L.Size, L.Stride, 0, in)
	case Flatten:
		return nil, nil
	case nil:
		return nil, fmt.Errorf("layer is nil")
	}
	return nil, fmt.Errorf("unknown layer type %T", layer)
}

// window checks a k×k window moved by stride over in padded by pad and returns the stage
// with its output height and width (channels as in the input).
func window(kind, k, stride, pad int, in Shape) (*stage, error) {
	name := "Kernel"
	if kind != stageConv {
		name = "Size"
	}
	if k < 1 {
		return nil, fmt.Errorf("%s = %d, must be >= 1", name, k)
	}
	if stride < 1 {
		return nil, fmt.Errorf("Stride = %d, must be >= 1", stride)
	}
	if k > in.H+2*pad || k > in.W+2*pad {
		return nil, fmt.Errorf("%s = %d exceeds the padded input %d×%d (input %d×%d, Pad %d)",
			name, k, in.H+2*pad, in.W+2*pad, in.H, in.W, pad)
	}
	out := Shape{C: in.C, H: (in.H+2*pad-k)/stride + 1, W: (in.W+2*pad-k)/stride + 1}
	return &stage{kind: kind, in: in, out: out, kh: k, kw: k, stride: stride, pad: pad}, nil
}

// NumParams is the length of a parameter vector.
func (s *Sequential) NumParams() int { return s.np }

// InDim is In.Size(), the width of an input row.
func (s *Sequential) InDim() int { return s.In.Size() }

// OutDim is the size of the output (the last layer's Out for a Dense head).
func (s *Sequential) OutDim() int { return s.out.Size() }

// OutShape is the shape of the last layer's output.
func (s *Sequential) OutShape() Shape { return s.out }

func (s *Sequential) checkParams(w []float64) {
	if len(w) != s.np {
		panic(fmt.Sprintf("nn: len(w) = %d, want NumParams() = %d", len(w), s.np))
	}
}

// Init fills w (len NumParams) with a random draw of init using src, layer by layer in
// the flat order. For a convolution fan_in = K·K·C_in and fan_out = K·K·Out (PyTorch's
// convention); for Dense they are the input and output widths. Biases are 0 for He and
// Glorot. It panics on an unknown init.
func (s *Sequential) Init(w []float64, init Init, src rand.Source) {
	s.checkParams(w)
	rng := rand.New(src)
	for i := range s.stages {
		st := &s.stages[i]
		if st.kind != stageConv {
			continue
		}
		initLayer(rng, init, w[st.off:st.off+st.out.C*st.k], st.bias(w), st.k, st.kh*st.kw*st.out.C)
	}
}
