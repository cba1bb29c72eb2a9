package main

import (
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"

	"github.com/sdeml/sdeml/examples/internal/plotfile"
)

type curve struct {
	name string
	x, y []float64
}

// logLogPlot draws the curves on log-log axes (error against step size).
func logLogPlot(file, title string, curves []curve) {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "step size h"
	p.Y.Label.Text = "error"
	p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
	p.X.Tick.Marker, p.Y.Tick.Marker = plot.LogTicks{Prec: 1}, plot.LogTicks{Prec: 1}
	p.Legend.Top = true
	p.Legend.Left = true
	xmin := 0.0
	for i, c := range curves {
		xy := make(plotter.XYs, 0, len(c.x))
		for j := range c.x {
			if c.y[j] > 0 {
				xy = append(xy, plotter.XY{X: c.x[j], Y: c.y[j]})
				if xmin == 0 || c.x[j] < xmin {
					xmin = c.x[j]
				}
			}
		}
		if len(xy) == 0 {
			continue
		}
		l, s, err := plotter.NewLinePoints(xy)
		check(err)
		l.Color, s.Color = plotutil.Color(i), plotutil.Color(i)
		s.Shape = plotutil.Shape(i)
		p.Add(l, s)
		p.Legend.Add(c.name, l, s)
	}
	// Leave the left part of the axes empty for the legend (the data span
	// h = 2^-8 … 2^-3, 1.5 decades; the legend takes about 40% of the width).
	if xmin > 0 {
		p.X.Min = xmin / 20
	}
	check(plotfile.Save(p, 9*vg.Inch, 6*vg.Inch, file))
}
