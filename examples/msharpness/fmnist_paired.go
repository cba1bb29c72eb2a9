package main

import (
	"fmt"
	"image/color"
	"io"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/sdeml/sdeml/internal/atomicfile"
)

// fmPaired compares one chosen configuration with a reference configuration seed by seed:
// the mean and 95% t-interval of (configuration − reference) over the seeds both finished.
// A seed gives every method the same initialisation and batch order, so the spread from
// one seed to the next, which dominates the intervals of the main table, largely cancels.
type fmPaired struct {
	name                   string
	n                      int
	acc, loss, lmax, trace [2]float64 // mean, CI half-width of the difference
}

// paired returns the paired differences of every configuration in best against ref.
func (r *fmReport) paired(best []fmStat, ref fmStat) []fmPaired {
	type id struct {
		name string
		rho  float64
		seed uint64
	}
	units := map[id]fmUnit{}
	for k, key := range r.keys {
		if r.res.Done[k] && r.res.Values[k].ok() {
			units[id{key.m.name, key.rho, key.seed}] = r.res.Values[k]
		}
	}
	var out []fmPaired
	for _, s := range best {
		p := fmPaired{name: s.m.name}
		var d [4][]float64
		for _, seed := range r.cfg.seeds {
			u, ok := units[id{s.m.name, s.rho, seed}]
			v, okRef := units[id{ref.m.name, ref.rho, seed}]
			if !ok || !okRef {
				continue
			}
			p.n++
			d[0] = append(d[0], float64(u.TestAcc-v.TestAcc))
			d[1] = append(d[1], float64(u.TestLoss-v.TestLoss))
			d[2] = append(d[2], float64(u.LambdaMax-v.LambdaMax))
			d[3] = append(d[3], float64(u.TraceH-v.TraceH))
		}
		for q, dst := range []*[2]float64{&p.acc, &p.loss, &p.lmax, &p.trace} {
			dst[0], dst[1] = ci95(d[q])
		}
		out = append(out, p)
	}
	return out
}

// references returns the chosen SGD and SAM (m = B) configurations, the baselines of the
// paired comparisons (ok false if either has none).
func references(best []fmStat) (sgd, samB fmStat, ok bool) {
	var haveSGD, haveSAM bool
	for _, s := range best {
		switch {
		case !s.m.rho:
			sgd, haveSGD = s, true
		case s.m.m == fmB:
			samB, haveSAM = s, true
		}
	}
	return sgd, samB, haveSGD && haveSAM
}

// fmPairedTable writes the paired differences against SGD and against SAM (m = B).
func fmPairedTable(w io.Writer, vsSGD, vsSAM []fmPaired, sgd, samB fmStat) {
	fmt.Fprintf(w, "\nPaired differences, seed by seed (same initialisation and batch order), mean ± 95%% t-interval: test accuracy and loss against %s, and test accuracy, loss, top λ(H) and tr H against %s (ρ = %g)\n\n", sgd.m.name, samB.m.name, samB.rho)
	fmt.Fprintln(w, "| method | seeds | Δ test acc vs SGD (points) | Δ test loss vs SGD | Δ test acc vs SAM | Δ test loss vs SAM | Δ top λ(H) vs SAM | Δ tr H vs SAM |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|")
	ref := func(name, refName, v string) string {
		if name == refName {
			return "—"
		}
		return v
	}
	for i, a := range vsSGD {
		b := vsSAM[i]
		fmt.Fprintf(w, "| %s | %d | %s | %s | %s | %s | %s | %s |\n", a.name, min(a.n, b.n),
			ref(a.name, sgd.m.name, pm(a.acc, 2)), ref(a.name, sgd.m.name, pm(a.loss, 4)),
			ref(a.name, samB.m.name, pm(b.acc, 2)), ref(a.name, samB.m.name, pm(b.loss, 4)),
			ref(a.name, samB.m.name, pm(b.lmax, 2)), ref(a.name, samB.m.name, pm(b.trace, 1)))
	}
}

// writePaired writes the paired differences as CSV.
func writePaired(path string, vsSGD, vsSAM []fmPaired) error {
	return atomicfile.WriteFile(path, 0, func(w io.Writer) error {
		fmt.Fprintln(w, "method,seeds,d_test_acc_vs_sgd,d_test_acc_vs_sgd_ci95,d_test_loss_vs_sgd,d_test_loss_vs_sgd_ci95,d_test_acc_vs_sam,d_test_acc_vs_sam_ci95,d_test_loss_vs_sam,d_test_loss_vs_sam_ci95,d_lambda_max_vs_sam,d_lambda_max_vs_sam_ci95,d_trace_h_vs_sam,d_trace_h_vs_sam_ci95")
		for i, a := range vsSGD {
			b := vsSAM[i]
			fmt.Fprintf(w, "%s,%d,%.4g,%.4g,%.4g,%.4g,%.4g,%.4g,%.4g,%.4g,%.4g,%.4g,%.4g,%.4g\n", csvField(a.name), min(a.n, b.n),
				a.acc[0], a.acc[1], a.loss[0], a.loss[1], b.acc[0], b.acc[1], b.loss[0], b.loss[1], b.lmax[0], b.lmax[1], b.trace[0], b.trace[1])
		}
		return nil
	})
}

// plotPairedM draws, against the micro-batch size m (SAM itself at m = B, difference 0),
// the paired differences from SAM of m-SAM's test accuracy (left) and of its tr H (right),
// with 95% CI bars: the m-sharpness effect seen seed by seed.
func plotPairedM(path string, best []fmStat, vsSAM []fmPaired, samB fmStat) error {
	panel := func(title, ylabel string, val func(fmPaired) [2]float64) (*plot.Plot, error) {
		p := plot.New()
		p.Title.Text = title
		p.X.Label.Text = "micro-batch size m (log scale)"
		p.Y.Label.Text = ylabel
		p.X.Scale, p.X.Tick.Marker = plot.LogScale{}, mTicks
		var xy plotter.XYs
		var half []float64
		for i, s := range best {
			if s.m.m <= 0 {
				continue
			}
			v := val(vsSAM[i])
			if s.m.name == samB.m.name {
				v = [2]float64{0, math.NaN()}
			}
			xy = append(xy, plotter.XY{X: float64(s.m.m), Y: v[0]})
			half = append(half, v[1])
		}
		sortXYWith(xy, half)
		if len(xy) > 0 {
			if _, err := addErrPoints(p, xy, half, color.Black, true); err != nil {
				return nil, err
			}
		}
		zero, err := plotter.NewLine(plotter.XYs{{X: 3, Y: 0}, {X: 180, Y: 0}})
		if err != nil {
			return nil, err
		}
		zero.Dashes = []vg.Length{vg.Points(2), vg.Points(3)}
		p.Add(zero)
		p.X.Min, p.X.Max = 3, 180
		return p, nil
	}
	acc, err := panel("test accuracy − SAM's, same seed (95% CI)", "Δ test accuracy (points)", func(p fmPaired) [2]float64 { return p.acc })
	if err != nil {
		return err
	}
	tr, err := panel("tr H − SAM's, same seed (95% CI)", "Δ tr H", func(p fmPaired) [2]float64 { return p.trace })
	if err != nil {
		return err
	}
	const w, h = 11 * vg.Inch, 4.5 * vg.Inch
	img := vgimg.New(w, h)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 1, Cols: 2, PadX: vg.Points(12)}
	canvases := plot.Align([][]*plot.Plot{{acc, tr}}, tiles, dc)
	acc.Draw(canvases[0][0])
	tr.Draw(canvases[0][1])
	return atomicfile.WriteTo(path, 0, vgimg.PngCanvas{Canvas: img})
}

// mTicks marks the micro-batch sizes of the study on a log axis.
var mTicks = plot.ConstantTicks{{Value: 4, Label: "4"}, {Value: 8, Label: "8"}, {Value: 16, Label: "16"},
	{Value: 32, Label: "32"}, {Value: 64, Label: "64"}, {Value: 128, Label: "128"}}
