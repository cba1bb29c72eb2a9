package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"time"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/sdeml/sdeml/nn"
	"github.com/sdeml/sdeml/sgn"
)

// microMs are the micro-batch sizes at which E_γ‖∇f_γ‖ is measured.
var microMs = []int{1, 4, 16, 64, 128}

// microRow is E_γ‖∇f_γ‖ at one m: Monte Carlo and the leading-order prediction.
type microRow struct {
	m     int
	mc    sgn.MicroBatchStats
	bound float64 // √(‖∇f‖² + c_m tr Σ)
}

// noiseStats are the tail-index and sliced-normality summaries of a noise matrix.
type noiseStats struct {
	tailPooled, tailStd       float64
	tailPerCoord              float64
	jbReject, adReject, jbMed float64
}

// noiseRow summarises minibatch noise ξ_k = ∇f_{γ_k} − ∇f at one batch size, and the same
// statistics for Gaussian noise with the same covariance (sgn.EmpiricalNoise of the rows).
type noiseRow struct {
	b          int
	sgn, gauss noiseStats
}

// result is everything measured at one trained model.
type result struct {
	name                         string
	trainLoss, testLoss, testAcc float64
	trainSecs, measureSecs       float64
	n, dim                       int
	gradSq, traceSigma           float64
	meanCheck                    float64 // ‖ḡ_stream − ḡ_LossGrad‖/‖ḡ‖
	micro                        []microRow
	lam                          []float64
	lamConv                      []bool
	hutch                        sgn.HutchinsonResult
	align                        sgn.Alignment
	overlap                      float64
	spectrum                     *sgn.Spectrum
	plExp, plR2                  float64
	noise                        []noiseRow
}

func seq(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

func measure(c config, name string, obj, tobj *nn.Supervised, w []float64) (result, error) {
	t0 := time.Now()
	n, d := obj.Len(), obj.Dim()
	all := seq(n)
	r := result{name: name, n: n, dim: d}
	gbar := make([]float64, d)
	r.trainLoss = obj.LossGrad(gbar, w, all)
	r.testLoss = tobj.LossGrad(nil, w, seq(tobj.Len()))
	r.testAcc = 100 * tobj.Accuracy(w, seq(tobj.Len()))
	progress := func(what string) {
		fmt.Fprintf(os.Stderr, "  %s: %s (%.0fs)\n", name, what, time.Since(t0).Seconds())
	}

	// Moments of all n per-sample gradients, streamed 128 rows at a time.
	mo, err := sgn.StreamMoments(obj, w, all, 128)
	if err != nil {
		return r, err
	}
	r.gradSq, r.traceSigma = mo.MeanSqNorm(), mo.TraceCov()
	diff := make([]float64, d)
	floats.SubTo(diff, mo.Mean, gbar)
	r.meanCheck = floats.Norm(diff, 2) / floats.Norm(gbar, 2)
	progress("moments")

	// E_γ‖∇f_γ‖ over random micro-batches of the n training samples.
	for _, m := range microMs {
		st, err := sgn.MicroBatchNormsGrad(obj, w, all, m, c.reps, c.seed+uint64(m))
		if err != nil {
			return r, err
		}
		b, err := mo.SqrtExpectedSqNorm(m)
		if err != nil {
			return r, err
		}
		r.micro = append(r.micro, microRow{m: m, mc: st, bound: b})
	}
	progress("micro-batch norms")

	// Curvature of the training loss: exact (R-operator) HVPs, or central differences
	// with -hvp difference.
	hvp := sgn.PooledHVP(func() sgn.HVPFunc {
		h := &nn.Hessian{Obj: obj, Difference: c.hvpDiff, Step: c.hvpStep}
		return func(dst, v []float64) { h.MulVec(dst, w, v, all) }
	})
	lam, hvecs, conv, err := sgn.TopEigen(hvp, d, 3, &sgn.PowerSettings{MaxIter: c.powerIter, Tol: 1e-4}, rand.NewPCG(c.seed, 7))
	if err != nil {
		return r, err
	}
	r.lam, r.lamConv = lam, conv
	progress("top Hessian eigenvalues")
	r.hutch, err = sgn.Hutchinson(hvp, d, &sgn.HutchinsonSettings{MaxProbes: c.probes, Tol: -1}, c.seed)
	if err != nil {
		return r, err
	}
	progress("Hutchinson")

	// Σ from sigmaRows random per-sample deviations: spectrum and Tr(HΣ).
	rows := min(c.sigmaRows, n)
	idx := rand.New(rand.NewPCG(c.seed, 8)).Perm(n)[:rows]
	slices.Sort(idx)
	dev := mat.NewDense(rows, d, nil)
	obj.PerSampleGrads(dev, w, idx)
	sgn.CenterRows(dev, dev, nil)
	r.spectrum, err = sgn.CovSpectrum(dev, &sgn.SpectrumSettings{K: 3, Centered: true})
	if err != nil {
		return r, err
	}
	r.plExp, _, r.plR2, err = r.spectrum.PowerLaw(1, min(100, rows-1))
	if err != nil {
		return r, err
	}
	ths, err := sgn.TraceHSigma(hvp, dev)
	if err != nil {
		return r, err
	}
	r.align = sgn.Alignment{Dim: d, TraceH: r.hutch.Trace.Value, TraceSigma: r.spectrum.Trace(), TraceHSigma: ths,
		TraceH2: r.hutch.TraceSq.Value, FrobSigmaSq: r.spectrum.FrobeniusSq()}
	r.overlap = sgn.SubspaceOverlap(hvecs, r.spectrum.Vectors)
	progress("spectrum and Tr(HΣ)")

	// Minibatch noise at three batch sizes: tail index and sliced normality.
	noise := mat.NewDense(c.noiseBatches, d, nil)
	gauss := mat.NewDense(c.noiseBatches, d, nil)
	for _, b := range []int{16, 128, 256} {
		if err := sgn.MinibatchGrads(noise, obj, w, all, b, c.seed+uint64(1000*b)); err != nil {
			return r, err
		}
		sgn.CenterRows(noise, noise, gbar)
		nr := noiseRow{b: b}
		if nr.sgn, err = noiseSummary(noise, c.projections, c.seed+uint64(b)); err != nil {
			return r, err
		}
		// Gaussian baseline with exactly the covariance of the noise rows.
		ref, err := sgn.EmpiricalNoise(noise)
		if err != nil {
			return r, err
		}
		src := rand.NewPCG(c.seed, uint64(9+b))
		for k := 0; k < c.noiseBatches; k++ {
			ref.Sample(gauss.RawRowView(k), src)
		}
		if nr.gauss, err = noiseSummary(gauss, c.projections, c.seed+uint64(b)); err != nil {
			return r, err
		}
		r.noise = append(r.noise, nr)
	}
	progress("tail index and Gaussianity")
	r.measureSecs = time.Since(t0).Seconds()
	if math.IsNaN(r.traceSigma) {
		return r, fmt.Errorf("tr Σ is NaN")
	}
	return r, nil
}

// noiseSummary computes the tail index (pooled, pooled after standardisation, per-coordinate
// median) and the sliced normality rejection rates of the noise rows x. Coordinates that are
// exactly 0 in every row (weights on pixels that are black in every image get no gradient)
// carry no noise and are dropped first: they would be an atom at 0, which sgn rejects as
// degenerate input for a tail index.
func noiseSummary(x *mat.Dense, proj int, seed uint64) (noiseStats, error) {
	var s noiseStats
	x = activeColumns(x)
	for _, t := range []struct {
		set *sgn.TailSettings
		dst *float64
	}{
		{nil, &s.tailPooled},
		{&sgn.TailSettings{Standardize: true}, &s.tailStd},
		{&sgn.TailSettings{Mode: sgn.PerCoordinate}, &s.tailPerCoord},
	} {
		tr, err := sgn.TailIndexMatrix(x, t.set)
		if err != nil {
			return s, err
		}
		*t.dst = tr.Alpha
	}
	sl, err := sgn.SlicedNormality(x, proj, seed)
	if err != nil {
		return s, err
	}
	s.jbReject, _, s.adReject = sgn.RejectionRates(sl, 0.05)
	ps := make([]float64, len(sl))
	for i, v := range sl {
		ps[i] = v.JarqueBera.P
	}
	slices.Sort(ps)
	s.jbMed = ps[len(ps)/2]
	return s, nil
}

// activeColumns returns x without the columns that are exactly 0 in every row (x itself if
// there are none).
func activeColumns(x *mat.Dense) *mat.Dense {
	r, c := x.Dims()
	var keep []int
	for j := range c {
		for i := range r {
			if x.At(i, j) != 0 {
				keep = append(keep, j)
				break
			}
		}
	}
	if len(keep) == c || len(keep) == 0 {
		return x
	}
	out := mat.NewDense(r, len(keep), nil)
	for i := range r {
		for k, j := range keep {
			out.Set(i, k, x.At(i, j))
		}
	}
	return out
}
