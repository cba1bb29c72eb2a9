package main

import (
	"github.com/sdeml/sdeml/internal/ot"
	"github.com/sdeml/sdeml/internal/sweep"
	"github.com/sdeml/sdeml/reflected"
)

// metrics are the scores of one set of images (generated, or held-out for the floor row).
type metrics struct {
	FD        sweep.Float // Fréchet distance to the training images in classifier features
	Precision sweep.Float // improved precision (k = 3) against the training images
	Recall    sweep.Float
	Confident sweep.Float // share with top class probability ≥ 0.9
	MinShare  sweep.Float // smallest predicted class share
	Covered   int         // classes predicted at least once
	Chi2      sweep.Float // χ² of the class counts against the training frequencies
	P         sweep.Float
	NNRatio   sweep.Float // mean nearest-training-image distance over the held-out images'
	Counts    []int
}

// reference is what every set is compared with: m training images (pixels and features),
// a larger training pool for the nearest-neighbour check, the class frequencies, and the
// held-out images' mean distance to that pool.
type reference struct {
	trainFeat []float64
	pool      []float64
	freq      []float64
	heldNN    float64
}

// evaluate scores images x (n×784) with the classifier against ref.
func evaluate(x []float64, ref *reference, cls *classifier) (metrics, error) {
	feat, probs := cls.apply(x)
	var m metrics
	fd, err := reflected.FrechetDistance(feat, ref.trainFeat, 64)
	if err != nil {
		return m, err
	}
	p, r, err := reflected.PrecisionRecall(ref.trainFeat, feat, 64, 3)
	if err != nil {
		return m, err
	}
	st, err := reflected.ClassHistogram(probs, ref.freq, 0.9)
	if err != nil {
		return m, err
	}
	m = metrics{FD: sweep.Float(fd), Precision: sweep.Float(p), Recall: sweep.Float(r),
		Confident: sweep.Float(st.Confident), MinShare: sweep.Float(st.MinShare), Covered: st.Covered,
		Chi2: sweep.Float(st.Chi2), P: sweep.Float(st.P), Counts: st.Counts}
	if ref.heldNN > 0 {
		m.NNRatio = sweep.Float(meanNearest(x, ref.pool) / ref.heldNN)
	}
	return m, nil
}

// meanNearest returns the mean over the rows of x of the Euclidean distance to the nearest
// row of pool (784 pixels each).
func meanNearest(x, pool []float64) float64 { return ot.MeanNearest(x, pool, 784) }
