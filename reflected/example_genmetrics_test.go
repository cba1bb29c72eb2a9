package reflected_test

import (
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/sdeml/sdeml/reflected"
)

// The Fréchet distance of two Gaussians with commuting covariances is the squared mean
// shift plus Σ(σ₁ᵢ − σ₂ᵢ)²; improved precision and recall count the points of each set
// inside the other's k-nearest-neighbour balls.
func ExampleFrechetGaussian() {
	c1 := mat.NewSymDense(2, []float64{4, 0, 0, 1})
	c2 := mat.NewSymDense(2, []float64{1, 0, 0, 1})
	fd, _ := reflected.FrechetGaussian([]float64{0, 0}, c1, []float64{3, 0}, c2)
	fmt.Printf("FD = %.6g (9 + (2 − 1)²)\n", fd)
	real := []float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
	gen := []float64{0.5, 1.5, 2.5, 50, 61}
	p, r, _ := reflected.PrecisionRecall(real, gen, 1, 1)
	fmt.Printf("precision %.2f, recall %.2f\n", p, r)
	// Output:
	// FD = 10 (9 + (2 − 1)²)
	// precision 0.60, recall 0.40
}
