package nn

import (
	"fmt"
	"strings"
	"text/tabwriter"
)

// String returns a summary of the network: the input shape and parameter count, then one
// row per layer with its settings, its output shape (C×H×W) and its parameter count
// (Conv2D: Out·(K·K·C_in + 1); Dense: Out·(n + 1); pools and Flatten: 0). A Sequential
// not built by NewSequential prints as such.
func (s *Sequential) String() string {
	if s == nil || len(s.stages) == 0 {
		return "Sequential (not built by NewSequential)"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Sequential: input %d×%d×%d (C×H×W), %d parameters\n", s.In.C, s.In.H, s.In.W, s.np)
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tlayer\toutput\tparameters")
	cur := s.In
	for l, layer := range s.Layers {
		st, _ := compileLayer(layer, cur) // checked by NewSequential
		n := 0
		if st == nil { // Flatten
			cur = Shape{C: cur.Size(), H: 1, W: 1}
		} else {
			cur, n = st.out, st.nparams()
		}
		fmt.Fprintf(tw, "%d\t%s\t%d×%d×%d\t%d\n", l, describeLayer(layer), cur.C, cur.H, cur.W, n)
	}
	tw.Flush()
	return strings.TrimSuffix(b.String(), "\n")
}

// describeLayer names a layer with its settings.
func describeLayer(l Layer) string {
	switch L := l.(type) {
	case Conv2D:
		return fmt.Sprintf("Conv2D(out %d, kernel %d, stride %d, pad %d, %v)", L.Out, L.Kernel, L.Stride, L.Pad, L.Act)
	case MaxPool:
		return fmt.Sprintf("MaxPool(size %d, stride %d)", L.Size, L.Stride)
	case AvgPool:
		return fmt.Sprintf("AvgPool(size %d, stride %d)", L.Size, L.Stride)
	case Flatten:
		return "Flatten"
	case Dense:
		return fmt.Sprintf("Dense(out %d, %v)", L.Out, L.Act)
	}
	return layerName(l)
}
