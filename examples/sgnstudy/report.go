package main

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"path/filepath"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/sdeml/sdeml/examples/internal/plotfile"
	"github.com/sdeml/sdeml/internal/atomicfile"
	"github.com/sdeml/sdeml/sgn"
)

// hvpDesc names the Hessian–vector product the curvature columns used.
func hvpDesc(c config) string {
	switch {
	case !c.hvpDiff:
		return "exact, R-operator"
	case c.hvpStep == 0:
		return "central differences, default step"
	default:
		return fmt.Sprintf("central differences, step %g", c.hvpStep)
	}
}

func printTable(w io.Writer, c config, rs []result) {
	fmt.Fprintf(w, "\nSGN and curvature at the trained solutions (784-%d-10 %v MLP, n = %d training images, d = %d, ρ = %g, seed %d)\n\n",
		c.hidden, c.act, rs[0].n, rs[0].dim, c.rho, c.seed)
	fmt.Fprintf(w, "%-14s %9s %8s %9s %9s %9s %9s %9s %9s %7s %9s %8s %7s %7s\n",
		"method", "trainloss", "test%", "‖∇f‖²", "tr Σ", "λmax(H)", "tr H", "Tr(HΣ)", "ratio", "cos", "c*", "overlap3", "PLexp", "PL R²")
	for _, r := range rs {
		fmt.Fprintf(w, "%-14s %9.4f %8.2f %9.3g %9.3g %9.3g %9.3g %9.3g %9.3g %7.3f %9.3g %8.3f %7.2f %7.3f\n",
			r.name, r.trainLoss, r.testAcc, r.gradSq, r.traceSigma, r.lam[0], r.hutch.Trace.Value, r.align.TraceHSigma,
			r.align.IsotropicRatio(), r.align.Cosine(), r.align.CStar(), r.overlap, r.plExp, r.plR2)
	}
	fmt.Fprintf(w, "\n(tr H ± SE: ")
	for _, r := range rs {
		fmt.Fprintf(w, "%s %.3g ± %.2g; ", r.name, r.hutch.Trace.Value, r.hutch.Trace.StdErr)
	}
	fmt.Fprintf(w, "Tr(HΣ), ratio, cos, c* use Σ from %d per-sample deviations, tr H² from Hutchinson.)\n", min(c.sigmaRows, rs[0].n))
	fmt.Fprintf(w, "(Hessian–vector products: %s)\n", hvpDesc(c))
	fmt.Fprintf(w, "(top-3 Hessian eigenvalues, power iteration with deflation, converged to 1e-4 relative change: ")
	for _, r := range rs {
		fmt.Fprintf(w, "%s %.3g %.3g %.3g %v; ", r.name, r.lam[0], r.lam[1], r.lam[2], r.lamConv)
	}
	fmt.Fprintln(w, ")")

	fmt.Fprintf(w, "\nImplicit regulariser of m-SAM, ρ·E_γ‖∇f_γ‖ (Monte Carlo, %d micro-batches), against ρ·√(‖∇f‖² + c_m tr Σ)\n\n", c.reps)
	fmt.Fprintf(w, "(last column: Monte Carlo E‖∇f_γ‖² over the exact ‖∇f‖² + c_m tr Σ, ± its standard error; 1 if the identity holds)\n\n")
	fmt.Fprintf(w, "%-14s %5s %10s %20s %14s %9s %16s\n", "method", "m", "c_m", "ρE‖∇f_γ‖ (MC±SE)", "ρ√(‖∇f‖²+c_m trΣ)", "MC/bound", "E‖∇f_γ‖² ratio")
	for _, r := range rs {
		for _, mr := range r.micro {
			cm, _ := sgn.FinitePopulationFactor(r.n, mr.m)
			ex := mr.bound * mr.bound
			fmt.Fprintf(w, "%-14s %5d %10.4g %12.5f ± %.5f %14.5f %9.4f %9.4f ± %.4f\n", r.name, mr.m, cm,
				c.rho*mr.mc.MeanNorm, c.rho*mr.mc.NormStdErr, c.rho*mr.bound, mr.mc.MeanNorm/mr.bound,
				mr.mc.MeanSqNorm/ex, mr.mc.SqNormStdErr/ex)
		}
	}

	fmt.Fprintf(w, "\nMinibatch noise ξ = ∇f_γ − ∇f (%d batches per size): tail index and sliced normality (%d projections)\n\n", c.noiseBatches, c.projections)
	fmt.Fprintf(w, "(\"gauss\" rows: the same statistics for as many draws of a Gaussian with exactly the covariance of the noise rows, sgn.EmpiricalNoise)\n\n")
	fmt.Fprintf(w, "%-14s %5s %-6s %9s %9s %9s %10s %10s %9s\n", "method", "B", "noise", "α pooled", "α std", "α coord", "JB rej 5%", "AD rej 5%", "JB p med")
	for _, r := range rs {
		for _, nr := range r.noise {
			for _, s := range []struct {
				kind string
				s    noiseStats
			}{{"SGN", nr.sgn}, {"gauss", nr.gauss}} {
				fmt.Fprintf(w, "%-14s %5d %-6s %9.3f %9.3f %9.3f %10.2f %10.2f %9.3g\n", r.name, nr.b, s.kind,
					s.s.tailPooled, s.s.tailStd, s.s.tailPerCoord, s.s.jbReject, s.s.adReject, s.s.jbMed)
			}
		}
	}
	fmt.Fprintf(w, "\nTiming: ")
	for _, r := range rs {
		fmt.Fprintf(w, "%s train %.0fs, measure %.0fs; ", r.name, r.trainSecs, r.measureSecs)
	}
	fmt.Fprintf(w, "consistency ‖ḡ_stream − ḡ‖/‖ḡ‖ ≤ %.1e\n", maxMeanCheck(rs))
}

func maxMeanCheck(rs []result) float64 {
	var m float64
	for _, r := range rs {
		m = math.Max(m, r.meanCheck)
	}
	return m
}

// writeCSV writes results.csv, micro.csv and spectrum.csv (each atomically). Wall times
// are not in them: they differ between runs (timings.csv, written by the sweep, has them).
func writeCSV(dir string, rs []result) error {
	err := atomicfile.WriteFile(filepath.Join(dir, "results.csv"), 0, func(f io.Writer) error {
		fmt.Fprintln(f, "method,train_loss,test_loss,test_acc,grad_sq,trace_sigma,lambda1,lambda2,lambda3,trace_h,trace_h_se,trace_h2,trace_h_sigma,trace_sigma_subset,frob_sigma_sq,isotropic_ratio,cosine,c_star,overlap3,powerlaw_exp,powerlaw_r2,participation_ratio")
		for _, r := range rs {
			a := r.align
			fmt.Fprintf(f, "%s,%.8g,%.8g,%.4f,%.8g,%.8g,%.8g,%.8g,%.8g,%.8g,%.4g,%.8g,%.8g,%.8g,%.8g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g\n",
				r.name, r.trainLoss, r.testLoss, r.testAcc, r.gradSq, r.traceSigma, r.lam[0], r.lam[1], r.lam[2],
				a.TraceH, r.hutch.Trace.StdErr, a.TraceH2, a.TraceHSigma, a.TraceSigma, a.FrobSigmaSq, a.IsotropicRatio(), a.Cosine(), a.CStar(),
				r.overlap, r.plExp, r.plR2, r.spectrum.ParticipationRatio())
		}
		return nil
	})
	if err != nil {
		return err
	}
	err = atomicfile.WriteFile(filepath.Join(dir, "micro.csv"), 0, func(f io.Writer) error {
		fmt.Fprintln(f, "method,m,c_m,mean_norm,mean_norm_se,mean_sq_norm,mean_sq_norm_se,sqrt_bound,reps")
		for _, r := range rs {
			for _, mr := range r.micro {
				cm, _ := sgn.FinitePopulationFactor(r.n, mr.m)
				fmt.Fprintf(f, "%s,%d,%.8g,%.8g,%.4g,%.8g,%.4g,%.8g,%d\n", r.name, mr.m, cm, mr.mc.MeanNorm, mr.mc.NormStdErr,
					mr.mc.MeanSqNorm, mr.mc.SqNormStdErr, mr.bound, mr.mc.Reps)
			}
		}
		fmt.Fprintln(f)
		fmt.Fprintln(f, "method,batch,noise,alpha_pooled,alpha_pooled_standardized,alpha_per_coordinate_median,jb_reject_5pct,ad_reject_5pct,jb_p_median")
		for _, r := range rs {
			for _, nr := range r.noise {
				for _, s := range []struct {
					kind string
					s    noiseStats
				}{{"sgn", nr.sgn}, {"gaussian_same_cov", nr.gauss}} {
					fmt.Fprintf(f, "%s,%d,%s,%.6g,%.6g,%.6g,%.4g,%.4g,%.4g\n", r.name, nr.b, s.kind, s.s.tailPooled, s.s.tailStd, s.s.tailPerCoord, s.s.jbReject, s.s.adReject, s.s.jbMed)
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(filepath.Join(dir, "spectrum.csv"), 0, func(f io.Writer) error {
		fmt.Fprintln(f, "method,rank,eigenvalue")
		for _, r := range rs {
			for k, v := range r.spectrum.Values {
				fmt.Fprintf(f, "%s,%d,%.8g\n", r.name, k+1, v)
			}
		}
		return nil
	})
}

var palette = []color.RGBA{{0, 0, 0, 255}, {200, 30, 30, 255}, {30, 90, 200, 255}, {30, 150, 60, 255}}

// plotRegulariser draws ρ·E‖∇f_γ‖ (points) and ρ·√(‖∇f‖² + c_m tr Σ) (lines) against m.
func plotRegulariser(path string, rho float64, rs []result) error {
	p := plot.New()
	p.Title.Text = "m-SAM regulariser ρ·E||grad f_γ||: points Monte Carlo, lines ρ·sqrt(||grad f||² + c_m tr Σ)"
	p.X.Label.Text = "micro-batch size m"
	p.Y.Label.Text = "ρ·E||grad f_γ||"
	p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
	p.X.Tick.Marker, p.Y.Tick.Marker = plot.LogTicks{}, plot.LogTicks{}
	for i, r := range rs {
		var pts, line plotter.XYs
		for _, mr := range r.micro {
			pts = append(pts, plotter.XY{X: float64(mr.m), Y: rho * mr.mc.MeanNorm})
			line = append(line, plotter.XY{X: float64(mr.m), Y: rho * mr.bound})
		}
		l, err := plotter.NewLine(line)
		if err != nil {
			return err
		}
		s, err := plotter.NewScatter(pts)
		if err != nil {
			return err
		}
		l.Color, s.Color = palette[i%len(palette)], palette[i%len(palette)]
		p.Add(l, s)
		p.Legend.Add(r.name, l, s)
	}
	p.Legend.Top = true
	p.Legend.Left = false
	p.Legend.XOffs = -vg.Points(10)
	return plotfile.Save(p, 7*vg.Inch, 5*vg.Inch, path)
}

// plotSpectrum draws the eigenvalues of Σ against their rank (log–log).
func plotSpectrum(path string, rs []result) error {
	p := plot.New()
	p.Title.Text = "Spectrum of the per-sample gradient covariance Σ"
	p.X.Label.Text = "rank k"
	p.Y.Label.Text = "λ_k(Σ)"
	p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
	p.X.Tick.Marker, p.Y.Tick.Marker = plot.LogTicks{}, plot.LogTicks{}
	for i, r := range rs {
		var xy plotter.XYs
		for k, v := range r.spectrum.Values {
			if v > 1e-12*r.spectrum.Values[0] {
				xy = append(xy, plotter.XY{X: float64(k + 1), Y: v})
			}
		}
		l, err := plotter.NewLine(xy)
		if err != nil {
			return err
		}
		l.Color = palette[i%len(palette)]
		p.Add(l)
		p.Legend.Add(fmt.Sprintf("%s (power-law exp %.2f)", r.name, r.plExp), l)
	}
	p.Legend.Top = true
	p.Legend.XOffs = -vg.Points(10)
	return plotfile.Save(p, 7*vg.Inch, 5*vg.Inch, path)
}
