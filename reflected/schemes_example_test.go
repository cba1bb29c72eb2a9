package reflected_test

import (
	"fmt"
	"math"

	"github.com/sdeml/sdeml/reflected"
)

// The schemes of Sampler on the exact score of Uniform[0,1] × δ_{1/2}: each ends with the
// fixed coordinate blurred by a Gaussian of variance t₀, E|x₂ − ½| = √t₀·√(2/π) ≈ 0.036 for
// t₀ = 2e-3. At 150 steps Euler–Maruyama is still 0.001 above it (its discretisation bias),
// the second-order schemes are not; Evaluations counts the score evaluations per sample.
func ExampleSampler_scheme() {
	target, _ := reflected.AxisAligned(2, []float64{0.5})
	score, _ := reflected.NewAxisAlignedScore(target)
	x := make([]float64, 2*4000)
	for _, sc := range []reflected.Scheme{reflected.SchemeEM, reflected.SchemeHeun, reflected.SchemeODE} {
		s := &reflected.Sampler{T0: 2e-3, T: 3, Steps: 150, Scheme: sc}
		if err := s.Sample(x, score, 1); err != nil {
			fmt.Println(err)
			return
		}
		var dev float64
		for i := 1; i < len(x); i += 2 {
			dev += math.Abs(x[i] - 0.5)
		}
		n, _ := s.Evaluations(2)
		fmt.Printf("%-4v %3d evaluations  E|x2 - 1/2| = %.3f\n", sc, n, dev/4000)
	}
	// Output:
	// em   150 evaluations  E|x2 - 1/2| = 0.037
	// heun 300 evaluations  E|x2 - 1/2| = 0.036
	// ode  300 evaluations  E|x2 - 1/2| = 0.036
}
