package main

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/sdeml/sdeml/examples/internal/plotfile"
	"github.com/sdeml/sdeml/internal/atomicfile"
	"github.com/sdeml/sdeml/internal/sweep"
)

// fmReport builds the study's table, CSV files and plots from the sweep's units.
type fmReport struct {
	cfg           fmnistConfig
	ms            []method
	keys          []fmKey
	res           *sweep.Result[fmUnit]
	steps, params int
}

// fmStat is one (method, ρ) configuration summarised over its seeds: mean and 95% t-interval
// half-width of each metric.
type fmStat struct {
	m                    method
	rho                  float64
	n, failed, missing   int
	val, acc, loss       [2]float64 // mean, CI half-width
	lmax, trace          [2]float64
	passes, serial, secs float64 // per step: sample-passes / B, serial passes, wall seconds
}

func (s fmStat) complete() bool { return s.failed == 0 && s.missing == 0 && s.n > 0 }

// stats groups the units by (method, ρ) in plan order.
func (r *fmReport) stats() []fmStat {
	type id struct {
		name string
		rho  float64
	}
	at := map[id]int{}
	var out []fmStat
	vals := map[id]*[5][]float64{}
	for k, key := range r.keys {
		i := id{key.m.name, key.rho}
		j, ok := at[i]
		if !ok {
			j = len(out)
			at[i] = j
			out = append(out, fmStat{m: key.m, rho: key.rho})
			vals[i] = new([5][]float64)
		}
		s := &out[j]
		if !r.res.Done[k] {
			s.missing++
			continue
		}
		u := r.res.Values[k]
		if !u.ok() {
			s.failed++
			continue
		}
		s.n++
		v := vals[i]
		for q, x := range []sweep.Float{u.ValAcc, u.TestAcc, u.TestLoss, u.LambdaMax, u.TraceH} {
			v[q] = append(v[q], float64(x))
		}
		s.passes = u.Passes / fmB
		s.serial = u.Serial
		s.secs += u.TrainSec / float64(u.Steps)
	}
	for j := range out {
		s := &out[j]
		v := vals[id{s.m.name, s.rho}]
		for q, dst := range []*[2]float64{&s.val, &s.acc, &s.loss, &s.lmax, &s.trace} {
			dst[0], dst[1] = ci95(v[q])
		}
		if s.n > 0 {
			s.secs /= float64(s.n)
		}
	}
	return out
}

// chosen returns, per method in order, the configuration with the highest mean validation
// accuracy among those whose every seed finished; methods without one are left out.
func chosen(ss []fmStat, ms []method) []fmStat {
	var out []fmStat
	for _, m := range ms {
		bi := -1
		for i, s := range ss {
			if s.m.name == m.name && s.complete() && (bi < 0 || s.val[0] > ss[bi].val[0]) {
				bi = i
			}
		}
		if bi >= 0 {
			out = append(out, ss[bi])
		}
	}
	return out
}

func (r *fmReport) write(dir string) error {
	ss := r.stats()
	best := chosen(ss, r.ms)
	c := r.cfg
	title := fmt.Sprintf("fmnist: CNN conv16-pool-conv32-pool-linear (%d params), Fashion-MNIST: %d train (first of the 60k), %d validation (next), %d test; batch %d, %d epochs = %d steps; seeds %v; ρ ∈ %v chosen per method by mean validation accuracy; ± is the 95%% t-interval over seeds",
		r.params, c.train, c.val, c.test, fmB, c.epochs, r.steps, c.seeds, c.rhos)
	if !r.res.Complete() {
		title += fmt.Sprintf("\nPARTIAL: %d of %d runs missing (see PARTIAL)", len(r.res.Missing()), len(r.keys))
	}
	sgd, samB, haveRefs := references(best)
	var vsSGD, vsSAM []fmPaired
	if haveRefs {
		vsSGD, vsSAM = r.paired(best, sgd), r.paired(best, samB)
	}
	tables := func(w io.Writer) {
		fmTable(w, title, best)
		if haveRefs {
			fmPairedTable(w, vsSGD, vsSAM, sgd, samB)
		}
	}
	tables(os.Stdout)
	if err := atomicfile.WriteFile(outPath(dir, "table.md"), 0, func(w io.Writer) error { tables(w); return nil }); err != nil {
		return err
	}
	if haveRefs {
		if err := writePaired(outPath(dir, "paired.csv"), vsSGD, vsSAM); err != nil {
			return err
		}
		if err := plotPairedM(outPath(dir, "paired_vs_m.png"), best, vsSAM, samB); err != nil {
			return err
		}
		if err := plotPairedForest(outPath(dir, "paired_methods.png"), vsSAM, samB); err != nil {
			return err
		}
	}
	if err := r.writeRuns(outPath(dir, "runs.csv")); err != nil {
		return err
	}
	if err := fmSummary(outPath(dir, "summary.csv"), ss, best); err != nil {
		return err
	}
	if err := plotAccM(outPath(dir, "test_acc_vs_m.png"), best); err != nil {
		return err
	}
	if err := plotAccCost(outPath(dir, "test_acc_vs_cost.png"), best); err != nil {
		return err
	}
	fmt.Printf("\nwrote %s/{table.md,runs.csv,summary.csv,paired.csv,test_acc_vs_m.png,test_acc_vs_cost.png,paired_vs_m.png,paired_methods.png} (%d runs computed here)\n", dir, r.res.Computed)
	return nil
}

func pm(v [2]float64, prec int) string {
	if math.IsNaN(v[0]) {
		return "—"
	}
	return fmt.Sprintf("%.*f ± %.*f", prec, v[0], prec, v[1])
}

// fmTable writes the chosen configurations as a Markdown table.
func fmTable(w io.Writer, title string, ss []fmStat) {
	fmt.Fprintf(w, "\n%s\n\n", title)
	fmt.Fprintln(w, "| method | ρ | seeds | val acc % | test acc % | test loss | top λ(H) | tr H | passes/step | serial/step | train ms/step |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|---|---|")
	for _, s := range ss {
		fmt.Fprintf(w, "| %s | %g | %d | %s | %s | %s | %s | %s | %.3g | %.3g | %.0f |\n", s.m.name, s.rho, s.n,
			pm(s.val, 2), pm(s.acc, 2), pm(s.loss, 4), pm(s.lmax, 2), pm(s.trace, 1), s.passes, s.serial, 1000*s.secs)
	}
}

func (r *fmReport) writeRuns(path string) error {
	return atomicfile.WriteFile(path, 0, func(w io.Writer) error {
		fmt.Fprintln(w, "method,rho,seed,val_acc,val_loss,test_acc,test_loss,train_loss,lambda_max,trace_h,sample_passes_per_step,serial_per_step,steps,seconds,error")
		for k, key := range r.keys {
			if !r.res.Done[k] {
				continue
			}
			u := r.res.Values[k]
			fmt.Fprintf(w, "%s,%g,%d,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.4g,%.4g,%d,%.2f,%s\n", csvField(key.m.name), key.rho, key.seed,
				u.ValAcc, u.ValLoss, u.TestAcc, u.TestLoss, u.TrainLoss, u.LambdaMax, u.TraceH, u.Passes, u.Serial, u.Steps, r.res.Seconds[k], csvField(u.Err))
		}
		return nil
	})
}

func fmSummary(path string, ss, best []fmStat) error {
	isBest := map[string]float64{}
	for _, b := range best {
		isBest[b.m.name] = b.rho
	}
	return atomicfile.WriteFile(path, 0, func(w io.Writer) error {
		fmt.Fprintln(w, "method,m,rho,chosen,seeds,failed,missing,val_acc,val_acc_ci95,test_acc,test_acc_ci95,test_loss,test_loss_ci95,lambda_max,lambda_max_ci95,trace_h,trace_h_ci95,sample_passes_per_B,serial_per_step,seconds_per_step")
		for _, s := range ss {
			r, ok := isBest[s.m.name]
			fmt.Fprintf(w, "%s,%d,%g,%t,%d,%d,%d,%.6g,%.4g,%.6g,%.4g,%.6g,%.4g,%.6g,%.4g,%.6g,%.4g,%.4g,%.4g,%.4f\n", csvField(s.m.name), s.m.m, s.rho, ok && r == s.rho,
				s.n, s.failed, s.missing, s.val[0], s.val[1], s.acc[0], s.acc[1], s.loss[0], s.loss[1], s.lmax[0], s.lmax[1], s.trace[0], s.trace[1], s.passes, s.serial, s.secs)
		}
		return nil
	})
}

var fmPalette = []color.RGBA{{200, 30, 30, 255}, {30, 90, 200, 255}, {30, 150, 60, 255}, {150, 60, 180, 255}, {220, 130, 0, 255}, {0, 150, 150, 255}}

// errPoints is a set of points with vertical 95% CI bars.
type errPoints struct {
	plotter.XYs
	plotter.YErrors
}

func addErrPoints(p *plot.Plot, xy plotter.XYs, half []float64, col color.Color, line bool) (plot.Thumbnailer, error) {
	e := errPoints{XYs: xy, YErrors: make(plotter.YErrors, len(xy))}
	for i, h := range half {
		if math.IsNaN(h) {
			h = 0
		}
		e.YErrors[i].Low, e.YErrors[i].High = h, h
	}
	bars, err := plotter.NewYErrorBars(e)
	if err != nil {
		return nil, err
	}
	bars.Color = col
	pts, err := plotter.NewScatter(xy)
	if err != nil {
		return nil, err
	}
	pts.Color = col
	p.Add(bars, pts)
	if line {
		l, err := plotter.NewLine(xy)
		if err != nil {
			return nil, err
		}
		l.Color, l.Width = col, vg.Points(1.5)
		p.Add(l)
		return l, nil
	}
	return pts, nil
}

// plotAccM draws test accuracy against m for m-SAM (SAM at m = 128) with 95% CI bars, and
// every other chosen method as a horizontal line at its mean with dotted lines at its CI.
func plotAccM(path string, best []fmStat) error {
	p := plot.New()
	p.Title.Text = "Fashion-MNIST CNN: test accuracy at the validation-chosen ρ (95% t-CI over seeds)"
	p.X.Label.Text = "micro-batch size m (log scale; SAM = 128)"
	p.Y.Label.Text = "test accuracy (%)"
	p.X.Scale, p.X.Tick.Marker = plot.LogScale{}, mTicks
	var xy plotter.XYs
	var half []float64
	ci := 1
	for _, s := range best {
		if s.m.m > 0 {
			xy = append(xy, plotter.XY{X: float64(s.m.m), Y: s.acc[0]})
			half = append(half, s.acc[1])
		}
	}
	sortXYWith(xy, half)
	lo, hi := 3.0, 180.0
	for _, s := range best {
		if s.m.m > 0 {
			continue
		}
		col := fmPalette[ci%len(fmPalette)]
		ci++
		l, err := plotter.NewLine(plotter.XYs{{X: lo, Y: s.acc[0]}, {X: hi, Y: s.acc[0]}})
		if err != nil {
			return err
		}
		l.Color = col
		p.Add(l)
		p.Legend.Add(fmt.Sprintf("%s ρ=%g", s.m.name, s.rho), l)
		if !math.IsNaN(s.acc[1]) {
			for _, y := range []float64{s.acc[0] - s.acc[1], s.acc[0] + s.acc[1]} {
				b, err := plotter.NewLine(plotter.XYs{{X: lo, Y: y}, {X: hi, Y: y}})
				if err != nil {
					return err
				}
				b.Color, b.Dashes = col, []vg.Length{vg.Points(2), vg.Points(3)}
				p.Add(b)
			}
		}
	}
	if len(xy) > 0 {
		th, err := addErrPoints(p, xy, half, color.Black, true)
		if err != nil {
			return err
		}
		p.Legend.Add("m-SAM (95% CI bars)", th)
	}
	p.X.Min, p.X.Max = lo, hi*6
	p.Legend.Top = true
	p.Legend.TextStyle.Font.Size = vg.Points(8)
	return plotfile.Save(p, 8*vg.Inch, 5.5*vg.Inch, path)
}

// plotAccCost draws every chosen method's test accuracy (95% CI bars) against its measured
// wall time per step, each point labelled with the method's name.
func plotAccCost(path string, best []fmStat) error {
	p := plot.New()
	p.Title.Text = "Fashion-MNIST CNN: test accuracy against cost (95% t-CI over seeds)"
	p.X.Label.Text = "wall time per step (ms, measured in this run)"
	p.Y.Label.Text = "test accuracy (%)"
	var xy plotter.XYs
	var half []float64
	var names []string
	for _, s := range best {
		if math.IsNaN(s.secs) || s.secs <= 0 {
			continue
		}
		xy = append(xy, plotter.XY{X: 1000 * s.secs, Y: s.acc[0]})
		half = append(half, s.acc[1])
		names = append(names, strings.TrimSpace(s.m.name))
	}
	if len(xy) == 0 {
		return plotfile.Save(p, 8*vg.Inch, 5.5*vg.Inch, path)
	}
	if _, err := addErrPoints(p, xy, half, color.RGBA{30, 90, 200, 255}, false); err != nil {
		return err
	}
	lb, err := plotter.NewLabels(plotter.XYLabels{XYs: xy, Labels: names})
	if err != nil {
		return err
	}
	for i := range lb.TextStyle {
		lb.TextStyle[i].Font.Size = vg.Points(8)
	}
	lb.Offset = vg.Point{X: vg.Points(4), Y: vg.Points(2)}
	p.Add(lb)
	return plotfile.Save(p, 8*vg.Inch, 5.5*vg.Inch, path)
}

// sortXYWith sorts xy by X, permuting half alongside.
func sortXYWith(xy plotter.XYs, half []float64) {
	for i := 1; i < len(xy); i++ {
		for j := i; j > 0 && xy[j].X < xy[j-1].X; j-- {
			xy[j], xy[j-1] = xy[j-1], xy[j]
			half[j], half[j-1] = half[j-1], half[j]
		}
	}
}
