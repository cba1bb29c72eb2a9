package main

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/sdeml/sdeml/examples/internal/plotfile"
	"github.com/sdeml/sdeml/internal/atomicfile"
)

// printTable writes one row per summary: method, ρ, mean ± sd of the metric, cost.
func printTable(w io.Writer, title, metric string, ss []summary) {
	fmt.Fprintf(w, "\n%s\n", title)
	fmt.Fprintf(w, "| %-16s | %-6s | %-24s | %-5s | %-12s | %-12s | %-7s |\n", "method", "ρ", metric+" (mean ± sd)", "runs", "passes/step", "serial/step", "s/run")
	fmt.Fprintf(w, "|%s|%s|%s|%s|%s|%s|%s|\n", dashes(18), dashes(8), dashes(26), dashes(7), dashes(14), dashes(14), dashes(9))
	for _, s := range ss {
		val := "diverged/error"
		if !math.IsNaN(s.mean) {
			val = fmt.Sprintf("%.4g ± %.2g", s.mean, s.sd)
		}
		fmt.Fprintf(w, "| %-16s | %-6g | %-24s | %-5d | %-12.3g | %-12.0f | %-7.2f |\n", s.method, s.rho, val, s.n, s.passes, s.serial, s.secs)
	}
}

func dashes(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = '-'
	}
	return string(b)
}

// writeRuns writes one row per run. Wall times are not in it (they differ between runs and
// shards): they are in timings.csv, written by the sweep.
func writeRuns(path string, res []run) error {
	return atomicfile.WriteFile(path, 0, func(f io.Writer) error {
		fmt.Fprintln(f, "method,rho,seed,test_metric,test_loss,train_loss,sample_passes,serial_passes,error")
		for _, r := range res {
			e := ""
			if r.err != nil {
				e = csvField(r.err.Error())
			}
			fmt.Fprintf(f, "%s,%g,%d,%.8g,%.8g,%.8g,%d,%d,%s\n", csvField(r.method), r.rho, r.seed, r.metric, r.loss, r.train,
				r.cost.BackwardSamples, r.cost.Serial, e)
		}
		return nil
	})
}

// writeSummary writes the summary tables (wall times only on stdout and in timings.csv).
func writeSummary(path string, groups map[string][]summary) error {
	return atomicfile.WriteFile(path, 0, func(f io.Writer) error {
		fmt.Fprintln(f, "table,method,m,rho,mean,sd,runs,diverged,sample_passes_per_B,serial_passes")
		for _, name := range []string{"all", "best", "fixed"} {
			for _, s := range groups[name] {
				fmt.Fprintf(f, "%s,%s,%d,%g,%.8g,%.4g,%d,%d,%.4g,%.0f\n", name, csvField(s.method), s.m, s.rho, s.mean, s.sd, s.n, s.diverged, s.passes, s.serial)
			}
		}
		return nil
	})
}

// plotVsM draws the m-SAM curve (metric against m, from the summaries with m > 0) and a
// horizontal line for every other method, for each of the given summary sets.
func plotVsM(path, title, ylabel string, logY bool, sets map[string][]summary, order []string, ms []int) error {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "micro-batch size m (log scale)"
	p.Y.Label.Text = ylabel
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = plot.LogTicks{}
	if logY {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = plot.LogTicks{}
	}
	lo, hi := float64(ms[0]), float64(ms[0])
	for _, m := range ms {
		lo, hi = math.Min(lo, float64(m)), math.Max(hi, float64(m))
	}
	palette := []color.RGBA{{0, 0, 0, 255}, {200, 30, 30, 255}, {30, 90, 200, 255}, {30, 150, 60, 255},
		{150, 60, 180, 255}, {220, 130, 0, 255}, {0, 150, 150, 255}, {120, 120, 120, 255},
		{160, 110, 40, 255}, {230, 80, 160, 255}, {90, 90, 0, 255}}
	ci := 1
	for si, set := range order {
		dash := []vg.Length(nil)
		if si > 0 {
			dash = []vg.Length{vg.Points(5), vg.Points(3)}
		}
		var curve plotter.XYs
		for _, s := range sets[set] {
			if math.IsNaN(s.mean) || (logY && s.mean <= 0) {
				continue
			}
			if s.m > 0 {
				curve = append(curve, plotter.XY{X: float64(s.m), Y: s.mean})
				continue
			}
			l, err := plotter.NewLine(plotter.XYs{{X: lo, Y: s.mean}, {X: hi, Y: s.mean}})
			if err != nil {
				return err
			}
			l.Color = palette[1+(ci-1)%(len(palette)-1)]
			l.Dashes = dash
			ci++
			p.Add(l)
			p.Legend.Add(fmt.Sprintf("%s (%s)", s.method, set), l)
		}
		if len(curve) > 0 {
			sortXY(curve)
			l, pts, err := plotter.NewLinePoints(curve)
			if err != nil {
				return err
			}
			l.Color, pts.Color = palette[0], palette[0]
			l.Width = vg.Points(2)
			l.Dashes = dash
			p.Add(l, pts)
			p.Legend.Add(fmt.Sprintf("m-SAM (%s)", set), l)
		}
	}
	// Leave the right part of the plot to the legend.
	p.X.Min, p.X.Max = lo/1.2, hi*8
	p.Legend.Top = true
	p.Legend.TextStyle.Font.Size = vg.Points(9)
	return plotfile.Save(p, 8*vg.Inch, 5.5*vg.Inch, path)
}

func sortXY(xy plotter.XYs) {
	for i := 1; i < len(xy); i++ {
		for j := i; j > 0 && xy[j].X < xy[j-1].X; j-- {
			xy[j], xy[j-1] = xy[j-1], xy[j]
		}
	}
}

func outPath(dir, name string) string { return filepath.Join(dir, name) }

// csvField returns s as one CSV field (RFC 4180): quoted, with quotes doubled, when it holds
// a comma, a quote or a line break (method names such as "RW-SAM (IS, k=4, u=16)" do).
func csvField(s string) string {
	if !strings.ContainsAny(s, ",\"\r\n") {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}
