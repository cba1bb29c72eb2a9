package reflected_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/sdeml/sdeml/reflected"
)

// The 1-D reflected heat kernel near a wall: the log-density, the score (zero on the wall by
// the Neumann condition), the CDF and the mean. (The printed values agree with a 101-term
// images sum and scipy quadrature in numpy.)
func ExampleKernel1D() {
	const y, t = 0.1, 0.02
	for _, x := range []float64{0, 0.05, 0.1, 0.5} {
		logp, score := reflected.Kernel1D(x, y, t)
		fmt.Printf("x=%.2f  log p=%8.4f  score=%8.4f  F=%.4f\n", x, logp, score, reflected.CDF1D(x, y, t))
	}
	fmt.Printf("E[X_t | X_0 = %.1f] = %.4f\n", y, reflected.Mean1D(y, t))
	// Output:
	// x=0.00  log p=  1.4802  score=  0.0000  F=0.0000
	// x=0.05  log p=  1.4486  score= -1.2754  F=0.2174
	// x=0.10  log p=  1.3503  score= -2.6894  F=0.4214
	// x=0.50  log p= -2.9562  score=-20.0669  F=0.9977
	// E[X_t | X_0 = 0.1] = 0.1399
}

// Exact sampling by folding a Gaussian; the sample mean matches Mean1D.
func ExampleSample1D() {
	src := rand.NewPCG(1, 2)
	const n, y, t = 100000, 0.9, 0.5
	var s float64
	for i := 0; i < n; i++ {
		s += reflected.Sample1D(src, y, t)
	}
	fmt.Printf("sample mean %.2f, Mean1D %.4f\n", s/n, reflected.Mean1D(y, t))
	// Output: sample mean 0.53, Mean1D 0.5327
}

// The D-dimensional product kernel: log-density and separable score at a point, and a data
// set noised in parallel with per-point streams (symmetric about ½, so its mean stays ½).
// The log-density and score agree with a 101-term images sum in numpy.
func ExampleNoiseDataset() {
	const dim, t = 3, 0.01
	x := []float64{0.45, 0, 0.3}
	y := []float64{0.5, 0.1, 0.2}
	score := make([]float64, dim)
	logq := reflected.LogDensityScore(score, x, y, t)
	fmt.Printf("log q = %.4f, score = [%.4f %.4f %.4f]\n", logq, score[0], score[1], score[2])

	const n = 10000
	data := make([]float64, n*dim)
	for i := range data {
		data[i] = 0.5
	}
	noisy := make([]float64, len(data))
	if err := reflected.NoiseDataset(noisy, data, dim, t, 7); err != nil {
		fmt.Println(err)
		return
	}
	var m float64
	for _, v := range noisy {
		m += v
	}
	fmt.Printf("mean after noising: %.2f\n", m/float64(len(noisy)))
	fmt.Println(reflected.NoiseDataset(noisy, data, dim, 0, 7))
	// Output:
	// log q = 3.7191, score = [5.0000 0.0000 -10.0002]
	// mean after noising: 0.50
	// reflected: NoiseDataset: t = 0, want a positive finite time
}
