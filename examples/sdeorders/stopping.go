package main

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"path/filepath"
	"slices"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/sdeml/sdeml/internal/atomicfile"
	"github.com/sdeml/sdeml/sde"
)

// stoppingStudy prints and writes (stopping.csv, exit_bias.png) the
// stopping-time results: the bias of the mean exit time of standard
// Brownian motion from (0, 1) started at 0.3 (exact 0.21) against the step
// size, with and without the Brownian-bridge correction, and the
// Kolmogorov–Smirnov distance of the first-passage time of μt + σW to the
// level 1 from its inverse Gaussian law (μ = σ = 1).
func stoppingStudy(out string, paths int, seed uint64) {
	var table bytes.Buffer // stopping.csv, written atomically once complete
	w := csv.NewWriter(&table)
	check(w.Write([]string{"study", "h", "bridge", "value", "std_error", "reference"}))
	bm := func(mu float64) *sde.System {
		return &sde.System{Dim: 1, Noise: sde.Additive,
			Drift:     func(dst []float64, _ float64, _ []float64) { dst[0] = mu },
			Diffusion: func(dst []float64, _ float64, _ []float64) { dst[0] = 1 },
		}
	}
	times := func(sys *sde.System, ev sde.Event, x0, h, horizon float64) []float64 {
		sol, err := sde.SolveEnsemble(sys, sde.EulerMaruyama{}, &sde.Ensemble{Paths: paths, Seed: seed, X0: []float64{x0}, Moments: true},
			[]float64{0, horizon}, &sde.Settings{Step: h, Event: ev})
		check(err)
		return sol.StopTime
	}
	const x0, exact = 0.3, 0.21
	fmt.Printf("\nexit time of standard BM from (0, 1) started at %.1f, %d paths: bias of the mean (exact x(1−x) = %.2f)\n", x0, paths, exact)
	fmt.Printf("%8s %22s %22s\n", "h", "at step times only", "with bridge correction")
	hs := []float64{0.04, 0.02, 0.01, 0.005, 0.0025}
	var plain, bridged []float64
	for _, h := range hs {
		var row [2]string
		for k, nb := range []bool{true, false} {
			m, se := meanSE(times(bm(0), sde.KillBox{Lo: 0, Hi: 1, NoBridge: nb}, x0, h, 20))
			row[k] = fmt.Sprintf("%+.4f ± %.4f", m-exact, se)
			check(w.Write([]string{"exit time bias", ftoa(h), fmt.Sprint(!nb), ftoa(m - exact), ftoa(se), ftoa(exact)}))
			if nb {
				plain = append(plain, math.Abs(m-exact))
			} else {
				bridged = append(bridged, math.Max(math.Abs(m-exact), 1e-5))
			}
		}
		fmt.Printf("%8.4f %22s %22s\n", h, row[0], row[1])
	}
	slope, _, _ := sde.FitOrder(hs, plain) // NaN (printed as such) if a bias is 0
	fmt.Printf("uncorrected bias ∝ h^%.2f (theory ½)\n", slope)
	logLogPlot(filepath.Join(out, "exit_bias.png"), "|bias| of the mean exit time of BM from (0, 1)",
		[]curve{{name: fmt.Sprintf("step times only (h^%.2f)", slope), x: hs, y: plain}, {name: "bridge correction", x: hs, y: bridged}})

	fmt.Printf("\nfirst passage of t + W to 1 (inverse Gaussian, m = λ = 1), %d paths\n", paths)
	fmt.Printf("%8s %8s %10s %10s %10s\n", "h", "bridge", "KS dist", "mean", "variance")
	for _, h := range []float64{0.01, 0.001} {
		for _, nb := range []bool{true, false} {
			tau := times(bm(1), sde.KillLevel{Index: 0, Level: 1, NoBridge: nb}, 0, h, 40)
			m, se := meanSE(tau)
			v := se * se * float64(len(tau))
			d := ksInverseGaussian(tau)
			fmt.Printf("%8.3f %8v %10.4f %10.4f %10.4f\n", h, !nb, d, m, v)
			check(w.Write([]string{"first passage KS", ftoa(h), fmt.Sprint(!nb), ftoa(d), "", ftoa(1.36 / math.Sqrt(float64(len(tau))))}))
		}
	}
	fmt.Printf("(KS critical value at 5%%: %.4f)\n", 1.36/math.Sqrt(float64(paths)))
	w.Flush()
	check(w.Error())
	check(atomicfile.WriteBytes(filepath.Join(out, "stopping.csv"), 0, table.Bytes()))
}

// meanSE returns the sample mean of x and its standard error.
func meanSE(x []float64) (mean, se float64) {
	var s, s2 float64
	for _, v := range x {
		s += v
		s2 += v * v
	}
	n := float64(len(x))
	mean = s / n
	return mean, math.Sqrt(math.Max(s2/n-mean*mean, 0) / (n - 1))
}

// ksInverseGaussian returns the Kolmogorov–Smirnov distance of the sample
// tau from the inverse Gaussian law with mean 1 and shape 1,
// F(t) = Φ(√(1/t)(t − 1)) + e² Φ(−√(1/t)(t + 1)).
func ksInverseGaussian(tau []float64) float64 {
	s := slices.Clone(tau)
	slices.Sort(s)
	n := float64(len(s))
	var d float64
	for i, t := range s {
		r := math.Sqrt(1 / t)
		f := distuv.UnitNormal.CDF(r*(t-1)) + math.Exp(2)*distuv.UnitNormal.CDF(-r*(t+1))
		d = math.Max(d, math.Max(f-float64(i)/n, float64(i+1)/n-f))
	}
	return d
}
