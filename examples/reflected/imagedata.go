package main

import (
	"fmt"

	"github.com/sdeml/sdeml/nn"
	"github.com/sdeml/sdeml/nn/data"
)

// fashionDir is where Debian's dataset-fashion-mnist package puts the gzip IDX files; they
// have the MNIST file names, so data.LoadMNISTSubset reads them.
const fashionDir = "/usr/share/datasets/fashion-mnist"

// imageSet is one data set downsampled to side×side pixels in [0,1], row-major per image.
type imageSet struct {
	name        string
	side        int
	train, held []float64 // n×D and h×D, D = side²
}

// loadImages reads MNIST (dir "" = the GoMNIST copy) or Fashion-MNIST, keeps class (−1 =
// all), takes the first nTrain training images and the first nHeld test images of it, and
// downsamples them to side×side by area averaging.
func loadImages(name string, side, class, nTrain, nHeld int) (*imageSet, error) {
	dir := ""
	switch name {
	case "mnist":
	case "fashion":
		dir = fashionDir
	default:
		return nil, fmt.Errorf("-data: %q, want mnist or fashion", name)
	}
	if side < 1 || side > 28 {
		return nil, fmt.Errorf("-sizes: side %d, need 1 ≤ side ≤ 28", side)
	}
	tr, te, err := data.LoadMNIST(dir)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	s := &imageSet{name: name, side: side}
	if s.train, err = pick(tr, side, class, nTrain); err != nil {
		return nil, fmt.Errorf("%s training set: %w", name, err)
	}
	if s.held, err = pick(te, side, class, nHeld); err != nil {
		return nil, fmt.Errorf("%s test set: %w", name, err)
	}
	return s, nil
}

// pick returns the first n images of class (−1 = any) of d, downsampled to side×side.
func pick(d *nn.Dataset, side, class, n int) ([]float64, error) {
	rows, cols := d.X.Dims()
	if cols != 28*28 {
		return nil, fmt.Errorf("images have %d pixels, want 784", cols)
	}
	D := side * side
	w := areaWeights(28, side)
	out := make([]float64, 0, n*D)
	for i := 0; i < rows && len(out) < n*D; i++ {
		if class >= 0 && d.Labels[i] != class {
			continue
		}
		out = append(out, make([]float64, D)...)
		downsample(out[len(out)-D:], d.X.RawRowView(i), w, 28, side)
	}
	if len(out) < n*D {
		return nil, fmt.Errorf("only %d images of class %d, want %d", len(out)/D, class, n)
	}
	return out, nil
}

// areaWeights returns the side×src matrix whose row i holds the overlap of output cell
// [i·src/side, (i+1)·src/side) with each input pixel [r, r+1), divided by the cell width
// src/side, so every row sums to 1 (area averaging for any ratio, e.g. 28 → 8).
func areaWeights(src, side int) []float64 {
	w := make([]float64, side*src)
	cell := float64(src) / float64(side)
	for i := 0; i < side; i++ {
		a, b := float64(i)*cell, float64(i+1)*cell
		for r := 0; r < src; r++ {
			lo, hi := max(a, float64(r)), min(b, float64(r+1))
			if hi > lo {
				w[i*src+r] = (hi - lo) / cell
			}
		}
	}
	return w
}

// downsample writes dst = W·img·Wᵀ (side×side) for a src×src image, clamped into [0,1]
// against rounding (a weighted mean of values in [0,1] lies in [0,1]).
func downsample(dst, img, w []float64, src, side int) {
	tmp := make([]float64, side*src) // rows reduced: side×src
	for i := 0; i < side; i++ {
		for r := 0; r < src; r++ {
			if wr := w[i*src+r]; wr != 0 {
				for c := 0; c < src; c++ {
					tmp[i*src+c] += wr * img[r*src+c]
				}
			}
		}
	}
	for i := 0; i < side; i++ {
		for j := 0; j < side; j++ {
			var v float64
			for c := 0; c < src; c++ {
				v += w[j*src+c] * tmp[i*src+c]
			}
			dst[i*side+j] = min(max(v, 0), 1)
		}
	}
}
