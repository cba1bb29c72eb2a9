package sde

import (
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestParticlesWrap: the System of Particles hands the callbacks N×D
// matrices that alias the solver's slices (row-major, stride D, no copy),
// and panics with an "sde: " message on a state of the wrong length.
func TestParticlesWrap(t *testing.T) {
	const n, d = 3, 2
	var seenX, seenDst *mat.Dense
	cb := func(dst *mat.Dense, _ float64, x *mat.Dense) {
		seenX, seenDst = x, dst
		dst.Scale(2, x)
	}
	sys, err := (&Particles{N: n, D: d, Drift: cb, Diffusion: cb}).System()
	if err != nil {
		t.Fatal(err)
	}
	x := []float64{1, 2, 3, 4, 5, 6}
	dst := make([]float64, n*d)
	sys.Drift(dst, 0, x)
	if r, c := seenX.Dims(); r != n || c != d {
		t.Fatalf("x is %d×%d, want %d×%d", r, c, n, d)
	}
	rx, rd := seenX.RawMatrix(), seenDst.RawMatrix()
	if &rx.Data[0] != &x[0] || &rd.Data[0] != &dst[0] || rx.Stride != d {
		t.Error("the matrices do not alias the state and dst slices")
	}
	// Row-major: particle i is x[i·D : i·D+D].
	if seenX.At(2, 1) != 6 || seenX.At(1, 0) != 3 {
		t.Errorf("x.At(2,1) = %v, x.At(1,0) = %v, want 6 and 3", seenX.At(2, 1), seenX.At(1, 0))
	}
	for i, v := range dst {
		if v != 2*x[i] {
			t.Errorf("dst[%d] = %v, want %v (written through the matrix)", i, v, 2*x[i])
		}
	}
	defer func() {
		msg, _ := recover().(string)
		if !strings.HasPrefix(msg, "sde: ") {
			t.Errorf("wrong-length state: recovered %q, want an \"sde: \" panic", msg)
		}
	}()
	sys.Drift(dst, 0, x[:5])
}
