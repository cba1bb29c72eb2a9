package nn

import (
	"fmt"
	"testing"
)

// TestSequentialString checks the summary of a small net against shapes and counts worked
// out by hand: input 1×6×6; a 3×3 convolution with padding 1 keeps 6×6 and has
// 2·(3·3·1 + 1) = 20 parameters; a 2×2 pool of stride 2 halves it to 3×3; a 3×3
// convolution without padding on 3×3 gives 1×1 with 4·(3·3·2 + 1) = 76; Flatten gives
// 4×1×1; the dense head has 3·(4 + 1) = 15. Total 20 + 76 + 15 = 111.
func TestSequentialString(t *testing.T) {
	net, err := NewSequential(Shape{C: 1, H: 6, W: 6},
		Conv2D{Out: 2, Kernel: 3, Stride: 1, Pad: 1, Act: ReLU}, MaxPool{Size: 2, Stride: 2},
		Conv2D{Out: 4, Kernel: 3, Stride: 1, Act: Tanh}, Flatten{}, Dense{Out: 3})
	if err != nil {
		t.Fatal(err)
	}
	want := "" +
		"Sequential: input 1×6×6 (C×H×W), 111 parameters" + "\n" +
		"#  layer                                           output  parameters" + "\n" +
		"0  Conv2D(out 2, kernel 3, stride 1, pad 1, ReLU)  2×6×6   20" + "\n" +
		"1  MaxPool(size 2, stride 2)                       2×3×3   0" + "\n" +
		"2  Conv2D(out 4, kernel 3, stride 1, pad 0, Tanh)  4×1×1   76" + "\n" +
		"3  Flatten                                         4×1×1   0" + "\n" +
		"4  Dense(out 3, Identity)                          3×1×1   15"
	if got := fmt.Sprint(net); got != want {
		t.Errorf("String() =\n%s\nwant\n%s", got, want)
	}
	if net.NumParams() != 111 {
		t.Errorf("NumParams = %d, want 111", net.NumParams())
	}
	if got := fmt.Sprint(&Sequential{}); got != "Sequential (not built by NewSequential)" {
		t.Errorf("zero Sequential prints %q", got)
	}
}
