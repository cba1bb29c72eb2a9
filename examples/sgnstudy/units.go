package main

import (
	"fmt"

	"github.com/sdeml/sdeml/sgn"
)

// unitResult is the JSON form of a result, as stored in the method's sweep unit file.
type unitResult struct {
	Name                         string
	TrainLoss, TestLoss, TestAcc float64
	TrainSecs, MeasureSecs       float64
	N, Dim                       int
	GradSq, TraceSigma           float64
	MeanCheck                    float64
	Micro                        []unitMicro
	Lam                          []float64
	LamConv                      []bool
	Hutch                        sgn.HutchinsonResult
	Align                        sgn.Alignment
	Overlap                      float64
	SpectrumN, SpectrumDim       int
	SpectrumValues               []float64
	PLExp, PLR2                  float64
	Noise                        []unitNoise
}

type unitMicro struct {
	M     int
	MC    sgn.MicroBatchStats
	Bound float64
}

type unitNoise struct {
	B          int
	SGN, Gauss unitNoiseStats
}

type unitNoiseStats struct {
	TailPooled, TailStd, TailPerCoord float64
	JBReject, ADReject, JBMed         float64
}

// sweepID names every setting a method's result depends on, so a unit file written with
// other settings is refused on -resume and -merge.
func sweepID(c config) string {
	return fmt.Sprintf("sgnstudy train=%d test=%d hidden=%d act=%v epochs=%d rho=%g m=%d seed=%d reps=%d probes=%d poweriter=%d sigmarows=%d noisebatches=%d proj=%d hvpdiff=%v hvpstep=%g",
		c.train, c.test, c.hidden, c.act, c.epochs, c.rho, c.micro, c.seed, c.reps, c.probes, c.powerIter,
		c.sigmaRows, c.noiseBatches, c.projections, c.hvpDiff, c.hvpStep)
}

func toUnit(r result) unitResult {
	u := unitResult{Name: r.name, TrainLoss: r.trainLoss, TestLoss: r.testLoss, TestAcc: r.testAcc,
		TrainSecs: r.trainSecs, MeasureSecs: r.measureSecs, N: r.n, Dim: r.dim, GradSq: r.gradSq,
		TraceSigma: r.traceSigma, MeanCheck: r.meanCheck, Lam: r.lam, LamConv: r.lamConv, Hutch: r.hutch,
		Align: r.align, Overlap: r.overlap, PLExp: r.plExp, PLR2: r.plR2}
	if r.spectrum != nil {
		u.SpectrumN, u.SpectrumDim, u.SpectrumValues = r.spectrum.N, r.spectrum.Dim, r.spectrum.Values
	}
	for _, m := range r.micro {
		u.Micro = append(u.Micro, unitMicro{M: m.m, MC: m.mc, Bound: m.bound})
	}
	ns := func(s noiseStats) unitNoiseStats {
		return unitNoiseStats{s.tailPooled, s.tailStd, s.tailPerCoord, s.jbReject, s.adReject, s.jbMed}
	}
	for _, n := range r.noise {
		u.Noise = append(u.Noise, unitNoise{B: n.b, SGN: ns(n.sgn), Gauss: ns(n.gauss)})
	}
	return u
}

// fromUnit is the inverse of toUnit (the spectrum's eigenvectors are not stored; the
// report does not use them).
func fromUnit(u unitResult) result {
	r := result{name: u.Name, trainLoss: u.TrainLoss, testLoss: u.TestLoss, testAcc: u.TestAcc,
		trainSecs: u.TrainSecs, measureSecs: u.MeasureSecs, n: u.N, dim: u.Dim, gradSq: u.GradSq,
		traceSigma: u.TraceSigma, meanCheck: u.MeanCheck, lam: u.Lam, lamConv: u.LamConv, hutch: u.Hutch,
		align: u.Align, overlap: u.Overlap, plExp: u.PLExp, plR2: u.PLR2,
		spectrum: &sgn.Spectrum{N: u.SpectrumN, Dim: u.SpectrumDim, Values: u.SpectrumValues}}
	for _, m := range u.Micro {
		r.micro = append(r.micro, microRow{m: m.M, mc: m.MC, bound: m.Bound})
	}
	ns := func(s unitNoiseStats) noiseStats {
		return noiseStats{s.TailPooled, s.TailStd, s.TailPerCoord, s.JBReject, s.ADReject, s.JBMed}
	}
	for _, n := range u.Noise {
		r.noise = append(r.noise, noiseRow{b: n.B, sgn: ns(n.SGN), gauss: ns(n.Gauss)})
	}
	return r
}
