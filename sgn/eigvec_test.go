package sgn

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

func TestTopEigenvectorsInverseIteration(t *testing.T) {
	// A centred Gram matrix with distinct top eigenvalues: the vectors match EigenSym's up to
	// sign (1e-8: eigenvector perturbation ε‖K‖/gap with gaps ≥ 1e-3‖K‖ here).
	g := randDense(60, 200, 3)
	k := gram(g, false)
	doubleCenter(k)
	var es mat.EigenSym
	es.Factorize(k, true)
	var want mat.Dense
	es.VectorsTo(&want)
	vals, _, _ := symTop(k, 0)
	u, ok := topEigenvectors(k, vals, 6)
	if !ok {
		t.Fatal("inverse iteration did not converge on a well-separated spectrum")
	}
	for c := 0; c < 6; c++ {
		d := floats.Dot(mat.Col(nil, c, u), mat.Col(nil, 59-c, &want))
		if math.Abs(math.Abs(d)-1) > 1e-8 {
			t.Errorf("vector %d: |cos| = %v", c, math.Abs(d))
		}
	}
	// A triple eigenvalue: the three vectors are orthonormal (1e-12) and span its invariant
	// subspace (overlap with the exact basis 1 to 1e-10).
	vals3 := []float64{5, 5, 5, 2, 1.5, 1, 0.5, 0.25, 0.1, 0}
	h, q := symWithEigen(vals3, 4)
	v3, _, _ := symTop(h, 0)
	u3, ok := topEigenvectors(h, v3, 3)
	if !ok {
		t.Fatal("inverse iteration did not converge on a cluster")
	}
	var gram3 mat.Dense
	gram3.Mul(u3.T(), u3)
	eye := mat.NewDiagDense(3, []float64{1, 1, 1})
	if !mat.EqualApprox(&gram3, eye, 1e-12) {
		t.Errorf("cluster vectors not orthonormal: %v", mat.Formatted(&gram3))
	}
	if o := SubspaceOverlap(u3, mat.DenseCopyOf(q.Slice(0, 10, 0, 3))); math.Abs(o-1) > 1e-10 {
		t.Errorf("cluster subspace overlap %v", o)
	}
	// The zero matrix has no usable scale: the fast path declines and symTop falls back to
	// the full factorisation.
	z := mat.NewSymDense(5, nil)
	if _, ok := topEigenvectors(z, make([]float64, 5), 2); ok {
		t.Error("zero matrix accepted")
	}
	if _, v, ok := symTop(z, 2); !ok || v == nil {
		t.Error("symTop fallback failed")
	}
}
