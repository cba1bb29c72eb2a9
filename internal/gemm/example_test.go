package gemm_test

import (
	"fmt"

	"github.com/sdeml/sdeml/internal/gemm"
)

// C = A·Bᵀ for a 2×3 A and a 2×3 B (so op(B) = Bᵀ is 3×2), with β = 0.
func ExampleDgemm() {
	a := []float64{
		1, 2, 3,
		4, 5, 6,
	}
	b := []float64{
		1, 0, 1,
		0, 1, 0,
	}
	c := make([]float64, 4)
	gemm.Dgemm(false, true, 2, 2, 3, 1, a, 3, b, 3, 0, c, 2)
	fmt.Println(c)
	// Output: [4 2 10 5]
}

// The backward pass of a linear layer Z = X·Wᵀ: dW += dZᵀ·X accumulates into the gradient
// (β = 1), here for a batch of two samples.
func ExampleDgemm_weightGradient() {
	x := []float64{ // 2 samples × 3 inputs
		1, 2, 3,
		-1, 0, 1,
	}
	dz := []float64{ // 2 samples × 2 outputs
		0.5, 1,
		2, -1,
	}
	dw := []float64{ // 2 outputs × 3 inputs, already holding 1s
		1, 1, 1,
		1, 1, 1,
	}
	gemm.Dgemm(true, false, 2, 3, 2, 1, dz, 2, x, 3, 1, dw, 3)
	fmt.Println(dw)
	// Output: [-0.5 2 4.5 3 3 3]
}
