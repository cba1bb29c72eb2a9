package reflected_test

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/sdeml/sdeml/reflected"
	"github.com/sdeml/sdeml/sam"
)

// The reverse-time sampler with the exact score of Uniform[0,1] × δ_{1/2} ends, at t₀, with
// the fixed coordinate blurred by a Gaussian of variance t₀: E|x₂ − ½| = √t₀·√(2/π) ≈ 0.0357
// for t₀ = 2e-3. Tweedie's final step removes the blur.
func ExampleSampler() {
	target, _ := reflected.AxisAligned(2, []float64{0.5})
	score, _ := reflected.NewAxisAlignedScore(target)
	x := make([]float64, 2*4000)
	for _, final := range []reflected.Final{reflected.FinalNone, reflected.FinalTweedie} {
		s := &reflected.Sampler{T0: 2e-3, T: 3, Steps: 300, Final: final}
		if err := s.Sample(x, score, 1); err != nil {
			fmt.Println(err)
			return
		}
		var dev float64
		for i := 1; i < len(x); i += 2 {
			dev += math.Abs(x[i] - 0.5)
		}
		fmt.Printf("%-7v E|x2 - 1/2| = %.3f\n", final, dev/4000)
	}
	// Output:
	// none    E|x2 - 1/2| = 0.036
	// tweedie E|x2 - 1/2| = 0.000
}

// Train a small sparse ReLU score network by denoising score matching on points of the
// diagonal segment in D = 4, then sample from it and measure how far the samples lie from
// the segment and how well their coordinates along it match the data law (exact W1).
func ExampleTrain() {
	target, _ := reflected.DiagonalSegment(4, 0.5)
	data := make([]float64, 500*4)
	target.Sample(data, rand.NewPCG(1, 1))
	net, _ := reflected.NewScoreNet(4, []int{32, 32}, reflected.TimeEmbedding{Freqs: 4}, rand.NewPCG(2, 2))
	opt := &sam.Adam{LR: 2e-3, Schedule: sam.Cosine{Total: 800, Floor: 0.01}}
	if _, err := reflected.Train(net, data, opt, &reflected.TrainSettings{Steps: 800, Batch: 64, Seed: 3}); err != nil {
		fmt.Println(err)
		return
	}
	gen := make([]float64, 500*4)
	if err := (&reflected.Sampler{Final: reflected.FinalTweedie}).Sample(gen, net, 4); err != nil {
		fmt.Println(err)
		return
	}
	var off float64
	z := make([]float64, 500)
	for i := range z {
		off += target.OffDistance(gen[4*i:4*i+4]) / 500
		target.Coordinates(z[i:i+1], gen[4*i:4*i+4])
	}
	w1, _ := target.Density.W1ToLaw1D(z)
	fmt.Printf("mean distance to the segment < 0.05: %v\n", off < 0.05)
	fmt.Printf("on-segment W1 to the data law < 0.1: %v\n", w1 < 0.1)
	// Output:
	// mean distance to the segment < 0.05: true
	// on-segment W1 to the data law < 0.1: true
}

// The memorising score of a training set makes the sampler reproduce the training points.
func ExampleEmpiricalScore() {
	train := []float64{0.2, 0.3, 0.7, 0.8}
	score, _ := reflected.NewEmpiricalScore(train, 2)
	gen := make([]float64, 2*6)
	if err := (&reflected.Sampler{T0: 1e-6, Final: reflected.FinalTweedie}).Sample(gen, score, 5); err != nil {
		fmt.Println(err)
		return
	}
	for i := 0; i < 6; i++ {
		fmt.Printf("(%.2f, %.2f)\n", gen[2*i], gen[2*i+1])
	}
	// Output:
	// (0.20, 0.30)
	// (0.70, 0.80)
	// (0.70, 0.80)
	// (0.70, 0.80)
	// (0.70, 0.80)
	// (0.70, 0.80)
}
