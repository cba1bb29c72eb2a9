package nn

import (
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// randomData returns n samples with N(0,1) inputs of width in, uniform labels in
// [0, out) and N(0,1) targets of width out.
func randomData(seed uint64, n, in, out int) *Dataset {
	rng := rand.New(rand.NewPCG(seed, 1))
	X := mat.NewDense(n, in, nil)
	Y := mat.NewDense(n, out, nil)
	labels := make([]int, n)
	for i := 0; i < n; i++ {
		for j := 0; j < in; j++ {
			X.Set(i, j, rng.NormFloat64())
		}
		for j := 0; j < out; j++ {
			Y.Set(i, j, rng.NormFloat64())
		}
		labels[i] = rng.IntN(out)
	}
	return &Dataset{X: X, Labels: labels, Y: Y}
}

// seq returns 0..n-1.
func seq(n int) []int {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	return idx
}

// randomParams returns TorchDefault-initialised parameters for m.
func randomParams(m *MLP, seed uint64) []float64 {
	w := make([]float64, m.NumParams())
	m.Init(w, TorchDefault, rand.NewPCG(seed, 2))
	return w
}

// randomMask returns a mask keeping each parameter with probability 1/2.
func randomMask(n int, seed uint64) []bool {
	rng := rand.New(rand.NewPCG(seed, 3))
	mask := make([]bool, n)
	for i := range mask {
		mask[i] = rng.IntN(2) == 0
	}
	return mask
}

func newDense(r, c int) *mat.Dense { return mat.NewDense(r, c, nil) }
