package data

import (
	"bytes"
	"testing"

	"github.com/sdeml/sdeml/nn"
)

// FuzzReadMNIST feeds arbitrary image and label files to ReadMNIST, then, for input it
// accepts, builds the MNIST classifier objective on it and evaluates it: reading a file
// must either fail with an error or give a dataset the rest of the package can use
// without panicking (labels out of range included).
func FuzzReadMNIST(f *testing.F) {
	img := writeIDX(IDXUint8, []uint32{2, 2, 2}, []byte{0, 255, 3, 4, 5, 6, 7, 8})
	lab := writeIDX(IDXUint8, []uint32{2}, []byte{3, 9})
	f.Add(img, lab, 0)
	f.Add(img, writeIDX(IDXUint8, []uint32{2}, []byte{3, 200}), 1)
	f.Add(img, writeIDX(IDXUint8, []uint32{3}, []byte{1, 2, 3}), 0)
	f.Add([]byte{0, 0, 8, 3, 255, 255, 255, 255}, lab, 0)
	f.Fuzz(func(t *testing.T, images, labels []byte, limit int) {
		d, err := ReadMNIST(bytes.NewReader(images), bytes.NewReader(labels), limit)
		if err != nil {
			return
		}
		n, p := d.X.Dims()
		if n != len(d.Labels) || n == 0 || p == 0 || (limit > 0 && n > limit) {
			t.Fatalf("dataset %d×%d with %d labels (limit %d)", n, p, len(d.Labels), limit)
		}
		if p > 4096 {
			return // keep the network small; the shape checks above still ran
		}
		net, err := nn.NewMLP([]int{p, 2, 10}, nn.ReLU, nn.Identity)
		if err != nil {
			t.Fatal(err)
		}
		obj, err := nn.NewSupervised(net, d, nn.SoftmaxCE{})
		if err != nil {
			return // a clear error (e.g. a label outside 0..9) is fine
		}
		w := make([]float64, net.NumParams())
		grad := make([]float64, len(w))
		obj.LossGrad(grad, w, []int{0})
	})
}
