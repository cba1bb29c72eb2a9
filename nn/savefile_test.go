package nn

import (
	"bytes"
	"math/rand/v2"
	"os"
	"slices"
	"testing"

	"github.com/sdeml/sdeml/internal/testutil"
)

// TestSaveFile writes an MLP and a Sequential atomically, reads them back, and checks that
// a Save that fails (parameters of the wrong length) leaves the old file intact.
func TestSaveFile(t *testing.T) {
	mlp, err := NewMLP([]int{3, 5, 2}, ReLU, Identity)
	if err != nil {
		t.Fatal(err)
	}
	w := make([]float64, mlp.NumParams())
	mlp.Init(w, He, rand.NewPCG(1, 2))
	var buf bytes.Buffer
	if err := Save(&buf, mlp, w); err != nil {
		t.Fatal(err)
	}
	testutil.CheckSaveFile(t, buf.Bytes(),
		func(p string) error { return SaveFile(p, mlp, w) },
		func(p string) error { return SaveFile(p, mlp, w[1:]) },
		func(p string) error {
			f, err := os.Open(p)
			if err != nil {
				return err
			}
			defer f.Close()
			_, got, err := Load(f)
			if err == nil && !slices.Equal(got, w) {
				t.Error("loaded MLP parameters differ")
			}
			return err
		})

	seq, err := NewSequential(Shape{C: 1, H: 4, W: 4}, Conv2D{Out: 2, Kernel: 3, Stride: 1, Pad: 1, Act: ReLU}, Flatten{}, Dense{Out: 3})
	if err != nil {
		t.Fatal(err)
	}
	ws := make([]float64, seq.NumParams())
	seq.Init(ws, He, rand.NewPCG(3, 4))
	buf.Reset()
	if err := SaveSequential(&buf, seq, ws); err != nil {
		t.Fatal(err)
	}
	testutil.CheckSaveFile(t, buf.Bytes(),
		func(p string) error { return SaveSequentialFile(p, seq, ws) },
		func(p string) error { return SaveSequentialFile(p, seq, ws[:3]) },
		func(p string) error {
			f, err := os.Open(p)
			if err != nil {
				return err
			}
			defer f.Close()
			_, _, err = LoadSequential(f)
			return err
		})
}
