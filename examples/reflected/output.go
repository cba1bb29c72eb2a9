package main

import (
	"fmt"
	"image/color"
	"io"
	"path/filepath"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/sdeml/sdeml/examples/internal/plotfile"
	"github.com/sdeml/sdeml/internal/atomicfile"
)

// writeOutputs writes results.csv, w1_vs_n.png and (if D = 2 ran) samples_D2.png.
func writeOutputs(c *config, rows []row) error {
	err := atomicfile.WriteFile(filepath.Join(c.out, "results.csv"), 0, func(f io.Writer) error {
		fmt.Fprintln(f, "exp,d,D,n,seed,m,steps,w1,floor_pair,floor_mean,w1_online,online_floor,memo_online,off_tweedie,off_none,w1_none,train_loss,ema,loss_last,loss_ema")
		for _, r := range rows {
			fmt.Fprintf(f, "%s,%d,%d,%d,%d,%d,%d,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%g,%.6g,%.6g\n",
				c.exp, c.d, r.D, r.n, r.seed, c.m, c.steps, r.w1, r.floor, r.floorMean, r.on, r.onFloor, r.memo, r.offT, r.offN, r.w1None, r.loss, c.ema, r.lossLast, r.lossEMA)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := plotW1(c, rows); err != nil {
		return err
	}
	return plotSamples(c, rows)
}

var palette = []color.Color{
	color.RGBA{R: 31, G: 119, B: 180, A: 255},
	color.RGBA{R: 214, G: 39, B: 40, A: 255},
	color.RGBA{R: 44, G: 160, B: 44, A: 255},
	color.RGBA{R: 148, G: 103, B: 189, A: 255},
	color.RGBA{R: 140, G: 86, B: 75, A: 255},
}

// plotW1 draws W1 (solid) and the on-subspace W1 (dashed) against n on log-log axes, one
// colour per D, with the memorisation baseline (grey) and the floor (dotted).
func plotW1(c *config, rows []row) error {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("Experiment %s (d = %d): W1 vs n", c.exp, c.d)
	p.X.Label.Text = "training-set size n"
	p.Y.Label.Text = "W1"
	p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
	p.X.Tick.Marker, p.Y.Tick.Marker = plot.LogTicks{}, plot.LogTicks{}
	p.Legend.Left = true // the curves fall to the right; bottom-left is free
	add := func(label string, xs, ys []float64, col color.Color, dash []vg.Length) error {
		pts := make(plotter.XYs, len(xs))
		for i := range xs {
			pts[i].X, pts[i].Y = xs[i], ys[i]
		}
		l, s, err := plotter.NewLinePoints(pts)
		if err != nil {
			return err
		}
		l.Color, l.Dashes, s.Color = col, dash, col
		p.Add(l, s)
		p.Legend.Add(label, l)
		return nil
	}
	for i, D := range c.Ds {
		col := palette[i%len(palette)]
		ns, w := series(rows, D, metrics[0].f)
		if err := add(fmt.Sprintf("W1, D=%d", D), ns, w, col, nil); err != nil {
			return err
		}
		ns, on := series(rows, D, metrics[1].f)
		if err := add(fmt.Sprintf("on-subspace, D=%d", D), ns, on, col, []vg.Length{vg.Points(4), vg.Points(3)}); err != nil {
			return err
		}
	}
	ns, memo := series(rows, c.Ds[0], metrics[2].f)
	if err := add("memorisation", ns, memo, color.Gray{Y: 120}, nil); err != nil {
		return err
	}
	_, fl := series(rows, c.Ds[0], func(r row) float64 { return r.floorMean })
	if err := add("floor W1(ref,ref')", ns, fl, color.Gray{Y: 60}, []vg.Length{vg.Points(1), vg.Points(3)}); err != nil {
		return err
	}
	return plotfile.Save(p, 7*vg.Inch, 5*vg.Inch, filepath.Join(c.out, "w1_vs_n.png"))
}

// plotSamples draws, for D = 2 and the largest n of seed 1, the generated points and the
// training points.
func plotSamples(c *config, rows []row) error {
	var best *row
	for i := range rows {
		r := &rows[i]
		if r.D == 2 && r.seed == 1 && (best == nil || r.n > best.n) {
			best = r
		}
	}
	if best == nil {
		return nil
	}
	p := plot.New()
	p.Title.Text = fmt.Sprintf("D = 2, n = %d: generated (blue) and training (red) points", best.n)
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 1, 0, 1
	for k, pts := range [][]float64{best.train, best.gen} {
		xy := make(plotter.XYs, len(pts)/2)
		for i := range xy {
			xy[i].X, xy[i].Y = pts[2*i], pts[2*i+1]
		}
		s, err := plotter.NewScatter(xy)
		if err != nil {
			return err
		}
		s.GlyphStyle.Radius = vg.Points(1)
		s.GlyphStyle.Shape = draw.CircleGlyph{}
		s.Color = palette[1-k] // training red underneath, generated blue on top
		p.Add(s)
	}
	return plotfile.Save(p, 6*vg.Inch, 6*vg.Inch, filepath.Join(c.out, "samples_D2.png"))
}
