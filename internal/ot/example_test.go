package ot_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/sdeml/sdeml/internal/ot"
)

// Exact W1 between a sample and its translate is the length of the translation.
func ExampleW1() {
	rng := rand.New(rand.NewPCG(1, 2))
	const m = 200
	x := make([]float64, 2*m)
	y := make([]float64, 2*m)
	for i := 0; i < m; i++ {
		x[2*i], x[2*i+1] = rng.Float64(), rng.Float64()
		y[2*i], y[2*i+1] = x[2*i]+0.3, x[2*i+1]+0.4
	}
	var ws ot.Workspace
	w, err := ot.W1(x, y, 2, &ws)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("W1 = %.6f\n", w)
	_, err = ot.W1(x, y[:10], 2, &ws)
	fmt.Println(err)
	// Output:
	// W1 = 0.500000
	// ot: W1: samples of unequal size: len(x) = 400, len(y) = 10 (dim 2)
}

// The assignment solver on a 3×3 cost matrix.
func ExampleSolver_Solve() {
	cost := []float64{
		4, 1, 3,
		2, 0, 5,
		3, 2, 2,
	}
	var s ot.Solver
	perm := make([]int, 3)
	total, _ := s.Solve(perm, cost, 3)
	fmt.Println(perm, total)
	// Output: [1 0 2] 5
}

// On the line, W1 is the mean distance between order statistics:
// sorted (0, 1, 3) against (0.5, 1, 2) gives (0.5 + 0 + 1)/3.
func ExampleW1Sorted1D() {
	w, _ := ot.W1Sorted1D([]float64{0, 1, 3}, []float64{2, 0.5, 1}, nil)
	fmt.Printf("%.4f\n", w)
	// Output: 0.5000
}
