package nn

import "fmt"

// ResNet describes a small residual network for images in the style of He et al.'s
// CIFAR ResNets (post-activation blocks), built as a Graph by Graph:
//
//	stem:  Conv2D 3×3 (Width) → BatchNorm → ReLU
//	stage s = 0, 1, …: Blocks[s] blocks of Width·2^s channels, the first with stride 2
//	       for s > 0:  x → Conv 3×3 (stride) → BN → ReLU → Conv 3×3 → BN → (+ shortcut) → ReLU
//	       where the shortcut is x itself, or Conv 1×1 (stride) → BN when the shape changes
//	head:  GlobalAvgPool → Flatten → Dropout (if Dropout > 0) → Dense (Classes)
//
// Convolutions before a BatchNorm keep their bias (a redundant parameter, which BatchNorm
// cancels, kept so the layers stay the package's plain Conv2D). With Blocks {1, 1, 1} the
// network has 8 weight layers (ResNet-8), with {2, 2, 2} 14.
type ResNet struct {
	Width    int     // channels of the first stage (0: 16)
	Blocks   []int   // residual blocks per stage (nil: {1, 1, 1})
	Classes  int     // outputs, >= 2
	Dropout  float64 // dropout rate before the head, in [0, 1)
	Momentum float64 // BatchNorm momentum (0: 0.1)
}

// Graph builds the network for inputs of shape in.
func (r ResNet) Graph(in Shape) (*Graph, error) {
	width, blocks := r.Width, r.Blocks
	if width == 0 {
		width = 16
	}
	if blocks == nil {
		blocks = []int{1, 1, 1}
	}
	switch {
	case width < 1:
		return nil, fmt.Errorf("nn: ResNet.Width = %d, must be >= 1", width)
	case len(blocks) == 0:
		return nil, fmt.Errorf("nn: ResNet.Blocks is empty")
	case r.Classes < 2:
		return nil, fmt.Errorf("nn: ResNet.Classes = %d, must be >= 2", r.Classes)
	}
	for s, b := range blocks {
		if b < 1 {
			return nil, fmt.Errorf("nn: ResNet.Blocks[%d] = %d, must be >= 1", s, b)
		}
	}
	bn := BatchNorm{Momentum: r.Momentum}
	var nodes []Node
	add := func(l Layer, from ...int) int {
		nodes = append(nodes, Node{Layer: l, From: from})
		return len(nodes) - 1
	}
	conv := func(out, k, stride int, from int) int {
		return add(Conv2D{Out: out, Kernel: k, Stride: stride, Pad: k / 2}, from)
	}
	x := add(Conv2D{Out: width, Kernel: 3, Stride: 1, Pad: 1})
	x = add(bn, x)
	x = add(Activate{Act: ReLU}, x)
	ch := width
	for s, nb := range blocks {
		out := width << s
		for b := range nb {
			stride := 1
			if s > 0 && b == 0 {
				stride = 2
			}
			h := conv(out, 3, stride, x)
			h = add(bn, h)
			h = add(Activate{Act: ReLU}, h)
			h = conv(out, 3, 1, h)
			h = add(bn, h)
			short := x
			if stride != 1 || out != ch {
				short = conv(out, 1, stride, x)
				short = add(bn, short)
			}
			x = add(Add{}, h, short)
			x = add(Activate{Act: ReLU}, x)
			ch = out
		}
	}
	x = add(GlobalAvgPool{}, x)
	x = add(Flatten{}, x)
	if r.Dropout != 0 {
		x = add(Dropout{Rate: r.Dropout}, x)
	}
	add(Dense{Out: r.Classes}, x)
	g, err := NewGraph(in, nodes...)
	if err != nil {
		return nil, fmt.Errorf("nn: ResNet: %w", err)
	}
	return g, nil
}
