package main

import (
	"github.com/sdeml/sdeml/internal/ot"
	"github.com/sdeml/sdeml/internal/parallel"
	"github.com/sdeml/sdeml/reflected"
)

// imageMetrics compares m generated images with held-out and training images.
type imageMetrics struct {
	w1Held, w1Train   float64 // exact W1 (LSAP) to m held-out / m training images
	swHeld, swTrain   float64 // sliced W1 (slicedProj directions) to the same
	nnGen             float64 // mean distance of a generated image to its nearest training image
	wallGen, exactGen float64 // fraction of generated pixels within ½/255 of {0,1}; exactly on {0,1}
}

// slicedProj is the number of random directions of the sliced W1.
const slicedProj = 200

// evalImages computes the metrics of gen (m×D) against held (≥ m rows) and train (≥ m rows;
// the nearest-neighbour search uses all of it). It returns an error from the W1 solvers
// (e.g. a pixel outside [0,1] or NaN).
func evalImages(gen, held, train []float64, D int, seed uint64) (imageMetrics, error) {
	m := len(gen) / D
	var r imageMetrics
	var err error
	if r.w1Held, err = reflected.W1(gen, held[:m*D], D); err != nil {
		return r, err
	}
	if r.w1Train, err = reflected.W1(gen, train[:m*D], D); err != nil {
		return r, err
	}
	if r.swHeld, err = reflected.SlicedW1(gen, held[:m*D], D, slicedProj, parallel.Stream(seed, 1)); err != nil {
		return r, err
	}
	if r.swTrain, err = reflected.SlicedW1(gen, train[:m*D], D, slicedProj, parallel.Stream(seed, 2)); err != nil {
		return r, err
	}
	r.nnGen = ot.MeanNearest(gen, train, D)
	r.wallGen, r.exactGen = wallFraction(gen)
	return r, nil
}

// wallFraction returns the fraction of pixels that an 8-bit quantisation maps to 0 or 255
// (within ½/255 of a wall) and the fraction exactly equal to 0 or 1.
func wallFraction(x []float64) (near, exact float64) {
	const eps = 0.5 / 255
	var a, b int
	for _, v := range x {
		if v <= eps || v >= 1-eps {
			a++
		}
		if v == 0 || v == 1 {
			b++
		}
	}
	return float64(a) / float64(len(x)), float64(b) / float64(len(x))
}
