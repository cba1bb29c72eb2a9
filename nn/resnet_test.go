package nn

import (
	"strings"
	"testing"
)

// TestResNetParams counts the parameters of ResNet-8 (width 4, 3 classes, 1 input channel)
// by hand: stem 3·3·1·4 + 4 (conv) + 8 (BN) = 48; stage 0 (4 → 4, identity shortcut)
// 2·(9·4·4 + 4 + 8) = 312; stage 1 (4 → 8, stride 2) 9·4·8 + 8 + 16 + 9·8·8 + 8 + 16 +
// (4·8 + 8 + 16) = 968; stage 2 (8 → 16) 9·8·16 + 16 + 32 + 9·16·16 + 16 + 32 +
// (8·16 + 16 + 32) = 3728; head 16·3 + 3 = 51. Total 5107.
func TestResNetParams(t *testing.T) {
	g, err := ResNet{Width: 4, Classes: 3}.Graph(Shape{C: 1, H: 12, W: 12})
	if err != nil {
		t.Fatal(err)
	}
	if g.NumParams() != 5107 {
		t.Errorf("NumParams = %d, want 5107", g.NumParams())
	}
	if s := g.shapes[len(g.shapes)-3]; s != (Shape{C: 16, H: 1, W: 1}) { // after GlobalAvgPool
		t.Errorf("pooled shape %v, want 16×1×1", s)
	}
	for _, c := range []struct {
		r    ResNet
		want string
	}{
		{ResNet{Classes: 1}, "ResNet.Classes = 1"},
		{ResNet{Classes: 3, Width: -2}, "ResNet.Width = -2"},
		{ResNet{Classes: 3, Blocks: []int{1, 0}}, "ResNet.Blocks[1] = 0"},
		{ResNet{Classes: 3, Dropout: 1}, "Rate = 1 outside [0, 1)"},
		{ResNet{Classes: 3, Momentum: 2}, "Momentum = 2 outside [0, 1]"},
	} {
		if _, err := c.r.Graph(Shape{C: 1, H: 12, W: 12}); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want %q", c.r, err, c.want)
		}
	}
}
